#pragma once

// Turns SIGTERM / SIGINT into a callback on an ordinary thread, so that shutdown runs as normal
// code (locks, logging, joins) instead of inside a signal handler. The handler only writes the
// signal number to a self-pipe (async-signal-safe); a watcher thread reads it and calls
// on_signal once per signal.
//
// THREADS: one watcher thread; on_signal runs on it. Only one SignalWatcher may exist at a time
// (the handler reaches the pipe through a process-wide slot). The previous dispositions are
// restored by the destructor.

#include <csignal>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "common/status.h"

namespace spire::server::run {

class SignalWatcher {
public:
  // Installs handlers for `signals` and starts watching. FailedPrecondition when another watcher
  // is active; Internal when the pipe or a handler cannot be set up.
  static Result<std::unique_ptr<SignalWatcher>> start(std::vector<int> signals,
                                                      std::function<void(int signal)> on_signal);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

private:
  SignalWatcher() = default;
  void watch();

  std::vector<int> signals_;
  std::vector<struct sigaction> previous_;
  std::function<void(int)> on_signal_;
  int read_fd_ = -1;
  int write_fd_ = -1;
  std::thread thread_;
};

} // namespace spire::server::run
