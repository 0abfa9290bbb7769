# spire_add_plugin(): the one CMake verb for a spire-cpp plugin, in tree and out of tree.
#
#   spire_add_plugin(NAME <name> TYPE <PluginType> SOURCES <files...>
#                    [LIBRARIES <targets...>] [OUTPUT_DIRECTORY <dir>] [INSTALL])
#
# TYPE is the configuration block type: NodeAttestor, WorkloadAttestor, KeyManager,
# UpstreamAuthority or DataStore. The target and the file are named "<type lower snake>_<name>"
# (e.g. workload_attestor_unix -> workload_attestor_unix.so), which is where the host looks for a
# built-in plugin. The module is built with hidden visibility (only spire_plugin_entry is
# exported) and -Wl,--no-undefined, and links the SDK interface target plus LIBRARIES (third-party
# libraries the plugin needs; never the daemon's libraries). OUTPUT_DIRECTORY defaults to
# ${CMAKE_BINARY_DIR}/plugins. INSTALL installs it into ${CMAKE_INSTALL_LIBDIR}/spire-cpp/plugins.
# The target name is returned in SPIRE_PLUGIN_TARGET (parent scope).
function(spire_add_plugin)
  cmake_parse_arguments(ARG "INSTALL" "NAME;TYPE;OUTPUT_DIRECTORY" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_NAME OR NOT ARG_TYPE OR NOT ARG_SOURCES)
    message(FATAL_ERROR "spire_add_plugin: NAME, TYPE and SOURCES are required")
  endif()
  set(_types NodeAttestor WorkloadAttestor KeyManager UpstreamAuthority DataStore)
  set(_snakes node_attestor workload_attestor key_manager upstream_authority data_store)
  list(FIND _types "${ARG_TYPE}" _index)
  if(_index LESS 0)
    message(FATAL_ERROR "spire_add_plugin: unknown TYPE \"${ARG_TYPE}\" (one of ${_types})")
  endif()
  list(GET _snakes ${_index} _snake)
  set(_target "${_snake}_${ARG_NAME}")
  if(NOT ARG_OUTPUT_DIRECTORY)
    set(ARG_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/plugins")
  endif()

  add_library(${_target} MODULE ${ARG_SOURCES})
  set_target_properties(${_target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "${_target}"
    LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIRECTORY}"
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    POSITION_INDEPENDENT_CODE ON)
  if(TARGET SpirePluginSDK::sdk)
    target_link_libraries(${_target} PRIVATE SpirePluginSDK::sdk)
  else()
    target_link_libraries(${_target} PRIVATE spire_plugin_sdk)
  endif()
  if(ARG_LIBRARIES)
    target_link_libraries(${_target} PRIVATE ${ARG_LIBRARIES})
  endif()
  target_link_options(${_target} PRIVATE "LINKER:--no-undefined")
  if(DEFINED SPIRE_WARNINGS)
    target_compile_options(${_target} PRIVATE ${SPIRE_WARNINGS})
  endif()
  if(ARG_INSTALL)
    include(GNUInstallDirs)
    install(TARGETS ${_target} LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}/spire-cpp/plugins")
  endif()
  set(SPIRE_PLUGIN_TARGET ${_target} PARENT_SCOPE)
endfunction()
