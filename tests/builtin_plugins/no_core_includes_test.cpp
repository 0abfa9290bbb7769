// The built-in plugins must be buildable from the plugin SDK alone: no source under
// builtin-plugins/ may include a header of core/. Every quoted include must resolve inside
// builtin-plugins/ (relative to its root or to the including file), or to plugin-sdk/include;
// angle includes must not name a core/ header either.

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;

struct Violation {
  std::string file;
  int line;
  std::string include;
};

std::vector<Violation> scan(const fs::path& builtin_root, const fs::path& core_root,
                            const fs::path& sdk_include) {
  std::vector<Violation> out;
  static const std::regex kInclude(R"(^\s*#\s*include\s*([<"])([^">]+)[">])");
  for (const auto& entry : fs::recursive_directory_iterator(builtin_root)) {
    if (!entry.is_regular_file()) {
      continue;
    }
    auto ext = entry.path().extension().string();
    if (ext != ".h" && ext != ".hpp" && ext != ".cpp" && ext != ".cc" && ext != ".c") {
      continue;
    }
    std::ifstream in(entry.path());
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      std::smatch m;
      if (!std::regex_search(line, m, kInclude)) {
        continue;
      }
      const std::string path = m[2];
      bool quoted = m[1] == "\"";
      bool in_core = fs::exists(core_root / path);
      bool ours = fs::exists(builtin_root / path) ||
                  fs::exists(entry.path().parent_path() / path) || fs::exists(sdk_include / path);
      if ((quoted && !ours) || (in_core && !ours) || path.rfind("core/", 0) == 0 ||
          path.find("../") != std::string::npos) {
        out.push_back({entry.path().string(), number, path});
      }
    }
  }
  return out;
}

TEST(BuiltinPluginsIsolationTest, NoSourceIncludesACoreHeader) {
  const fs::path root = SPIRE_SOURCE_DIR;
  auto violations = scan(root / "builtin-plugins", root / "core", root / "plugin-sdk" / "include");
  for (const auto& v : violations) {
    ADD_FAILURE() << v.file << ":" << v.line << " includes \"" << v.include
                  << "\", which is not a builtin-plugins/ or plugin SDK header";
  }
  EXPECT_TRUE(violations.empty());
}

TEST(BuiltinPluginsIsolationTest, DetectsACoreInclude) {
  // The scanner itself: a fake builtin tree that includes a core/ header is caught.
  const fs::path root = SPIRE_SOURCE_DIR;
  fs::path tmp = fs::temp_directory_path() / ("builtin-scan-" + std::to_string(::getpid()));
  fs::create_directories(tmp / "fake");
  std::ofstream(tmp / "fake" / "bad.cpp") << "#include \"common/status.h\"\n#include <vector>\n";
  std::ofstream(tmp / "fake" / "good.cpp") << "#include \"fake/good.h\"\n";
  std::ofstream(tmp / "fake" / "good.h") << "#pragma once\n";
  auto violations = scan(tmp, root / "core", root / "plugin-sdk" / "include");
  fs::remove_all(tmp);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].include, "common/status.h");
  EXPECT_EQ(violations[0].line, 1);
}

} // namespace
