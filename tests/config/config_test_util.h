#pragma once

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "common/status.h"

namespace spire::config::testing {

// A directory under the system temp dir, removed with everything in it at scope exit.
class TempDir {
public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("spire-config-test-" + std::to_string(rd()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes `text` to <dir>/<name> and returns the full path.
  std::string write(const std::string& name, const std::string& text) const {
    std::filesystem::path file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    out << text;
    return file.string();
  }

private:
  std::filesystem::path path_;
};

// Asserts a failed Result/Status with the exact code and message.
template <class R>
::testing::AssertionResult failsWith(const R& result, StatusCode code, const std::string& message) {
  Status status = result.status();
  if (status.isOk()) {
    return ::testing::AssertionFailure() << "expected failure \"" << message << "\", got OK";
  }
  if (status.code() != code || status.message() != message) {
    return ::testing::AssertionFailure()
           << "expected " << statusCodeName(code) << " \"" << message << "\", got "
           << statusCodeName(status.code()) << " \"" << status.message() << "\"";
  }
  return ::testing::AssertionSuccess();
}

template <class R>::testing::AssertionResult invalid(const R& result, const std::string& message) {
  return failsWith(result, StatusCode::kInvalidArgument, message);
}

inline std::string sourceDir() {
  return SPIRE_SOURCE_DIR;
}

} // namespace spire::config::testing
