#pragma once

// A child process for integration tests: a real spire-server / spire-agent (or any program)
// started with its own arguments and environment, its stdout and stderr captured to files in a
// directory the test owns, so a test can wait for log lines and print them when it fails.
//
// THREADS: one test thread drives a Process; it is not shared.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace spire::integration {

struct ProcessOptions {
  std::string program; // absolute path of the executable
  std::vector<std::string> args;
  // Added to (or replacing in) the test's own environment.
  std::map<std::string, std::string> env;
  // Variables removed from the inherited environment.
  std::vector<std::string> unset_env;
  std::filesystem::path work_dir; // the child's cwd; empty = the test's cwd
  // Where <name>.stdout / <name>.stderr go; required.
  std::filesystem::path log_dir;
  std::string name = "process";
  // Fed to the child's stdin; empty = /dev/null.
  std::string stdin_text;
};

// How a process ended.
struct ExitStatus {
  bool exited = false; // normal exit: `code` holds the exit code
  int code = -1;
  int signal = 0; // the terminating signal when !exited
  bool success() const { return exited && code == 0; }
  std::string describe() const; // "exit code 0" / "killed by signal 9"
};

class Process {
public:
  // Forks and execs. Fails (kInternal) when the log files cannot be created or fork fails; an
  // exec failure shows as exit code 127 with the reason in the stderr file.
  static Result<std::unique_ptr<Process>> start(ProcessOptions options);

  // Kills a still-running child (SIGKILL) and reaps it.
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& name() const { return options_.name; }
  std::filesystem::path stdoutPath() const;
  std::filesystem::path stderrPath() const;
  std::string stdoutText() const;
  std::string stderrText() const;

  // True while the child has not exited (reaps it when it has).
  bool running();
  // The exit status once the child has exited.
  std::optional<ExitStatus> exitStatus();
  // Waits up to `timeout` for the child to exit on its own.
  std::optional<ExitStatus> waitForExit(std::chrono::milliseconds timeout);
  // Sends `signal` (no-op when the child already exited).
  void sendSignal(int signal);
  // SIGTERM, then SIGKILL when the child has not exited within `grace`. Returns how it ended.
  ExitStatus stop(std::chrono::milliseconds grace = std::chrono::seconds(15));

  // Polls stdout and stderr until a line matches the ECMAScript `pattern` (searched, not fully
  // matched). Returns the first matching line, or nullopt at the deadline or when the child
  // exited without printing it.
  std::optional<std::string> waitForLog(const std::string& pattern,
                                        std::chrono::milliseconds timeout);
  // Lines of stdout+stderr matching `pattern` so far.
  std::vector<std::string> logLines(const std::string& pattern) const;

  // For failure messages: the status and the last `max_lines` lines of stderr and stdout.
  std::string describe(std::size_t max_lines = 40);

private:
  Process(ProcessOptions options, pid_t pid) : options_(std::move(options)), pid_(pid) {}
  void reap(int wait_flags);

  ProcessOptions options_;
  pid_t pid_ = -1;
  std::optional<ExitStatus> exit_;
};

// A command run to completion (a CLI call).
struct CommandOutput {
  ExitStatus status;
  bool timed_out = false; // killed at the deadline
  std::string out;
  std::string err;
  int exitCode() const { return status.exited ? status.code : -1; }
  std::string describe() const; // status, stdout and stderr for failure messages
};

// Runs `options` until it exits; kills it (SIGKILL) after `timeout`. Output files stay in
// options.log_dir (names made unique per call).
CommandOutput runToCompletion(ProcessOptions options,
                              std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Reads a whole file; "" when it does not exist.
std::string readFileText(const std::filesystem::path& path);

} // namespace spire::integration
