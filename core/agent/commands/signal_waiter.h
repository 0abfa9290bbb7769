#pragma once

// Termination signals without a signal handler: the signals are blocked in the thread that
// creates the waiter (and so in every thread that thread starts afterwards), and a thread of this
// class reads them from a signalfd and calls back in ordinary thread context, where any work is
// allowed. Create it before any other thread exists (first thing in a command), so that no
// thread is left with the signals unblocked and their default action.
//
// THREADS: on_signal runs on the waiter's own thread, once per delivered signal. The destructor
// stops and joins that thread, then restores the creating thread's previous signal mask; call it
// from the creating thread.

#include <csignal>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "common/status.h"

namespace spire::agent::commands {

class SignalWaiter {
public:
  using Handler = std::function<void(int signal_number)>;

  // Errors (Internal): "unable to block signals: <why>", "signalfd: <why>", "eventfd: <why>".
  static Result<std::unique_ptr<SignalWaiter>> start(const std::vector<int>& signals,
                                                     Handler on_signal);
  ~SignalWaiter();
  SignalWaiter(const SignalWaiter&) = delete;
  SignalWaiter& operator=(const SignalWaiter&) = delete;

private:
  SignalWaiter() = default;
  void loop();

  int signal_fd_ = -1;
  int wake_fd_ = -1;
  sigset_t previous_mask_{};
  Handler on_signal_;
  std::thread thread_;
};

} // namespace spire::agent::commands
