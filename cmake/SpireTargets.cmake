# One CMake verb per kind of target, so that leaf folders never hand-roll add_library/add_test.

# Warnings are errors on our own code only (never on generated code or third-party headers).
set(SPIRE_WARNINGS -Wall -Wextra -Werror -Wno-missing-field-initializers)

# spire_library(NAME <name> SOURCES <files...> [DEPS <targets...>])
# A static library of core/. Its headers are included as "<folder>/<file>.h" from core/.
function(spire_library)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS" ${ARGN})
  add_library(${ARG_NAME} STATIC ${ARG_SOURCES})
  target_include_directories(${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/core)
  target_compile_options(${ARG_NAME} PRIVATE ${SPIRE_WARNINGS})
  target_link_libraries(${ARG_NAME} PUBLIC ${ARG_DEPS})
endfunction()

# spire_test(NAME <name> SOURCES <files...> [DEPS <targets...>])
# A GoogleTest executable whose cases ctest discovers one by one.
function(spire_test)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_compile_options(${ARG_NAME} PRIVATE ${SPIRE_WARNINGS})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${ARG_NAME} DISCOVERY_TIMEOUT 60
                       PROPERTIES ENVIRONMENT "SPIRE_TESTDATA=${PROJECT_SOURCE_DIR}/tests/testdata")
endfunction()
