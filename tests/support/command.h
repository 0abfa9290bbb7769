#pragma once

// Runs a shell command for cross-checks against reference tools (the openssl CLI, sha256sum).
// Such tests are named "*CrossCheck*" so they can be selected or skipped with a ctest filter.

#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace spire::testing {

struct CommandResult {
  int exit_code = -1; // -1 when the command could not be started or did not exit normally
  std::string output; // stdout and stderr together
};

inline CommandResult runCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    return result;
  }
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) {
    result.output.append(buf, n);
  }
  int status = ::pclose(pipe);
  if (status != -1 && WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  }
  return result;
}

// True when the openssl command-line tool can be run.
inline bool haveOpenSslCli() {
  static const bool have = runCommand("openssl version").exit_code == 0;
  return have;
}

} // namespace spire::testing
