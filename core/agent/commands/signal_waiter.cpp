#include "agent/commands/signal_waiter.h"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace spire::agent::commands {

Result<std::unique_ptr<SignalWaiter>> SignalWaiter::start(const std::vector<int>& signals,
                                                          Handler on_signal) {
  sigset_t set;
  sigemptyset(&set);
  for (int signal_number : signals) {
    sigaddset(&set, signal_number);
  }
  std::unique_ptr<SignalWaiter> waiter(new SignalWaiter());
  if (const int error = ::pthread_sigmask(SIG_BLOCK, &set, &waiter->previous_mask_); error != 0) {
    return internalError("unable to block signals: " + std::string(std::strerror(error)));
  }
  waiter->signal_fd_ = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (waiter->signal_fd_ < 0) {
    Status error = internalError("signalfd: " + std::string(std::strerror(errno)));
    ::pthread_sigmask(SIG_SETMASK, &waiter->previous_mask_, nullptr);
    return error;
  }
  waiter->wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (waiter->wake_fd_ < 0) {
    return internalError("eventfd: " + std::string(std::strerror(errno)));
  }
  waiter->on_signal_ = std::move(on_signal);
  waiter->thread_ = std::thread([raw = waiter.get()] { raw->loop(); });
  return waiter;
}

SignalWaiter::~SignalWaiter() {
  if (thread_.joinable()) {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof(one));
    thread_.join();
  }
  if (wake_fd_ >= 0) {
    ::close(wake_fd_);
  }
  if (signal_fd_ >= 0) {
    ::close(signal_fd_);
    ::pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
  }
}

void SignalWaiter::loop() {
  for (;;) {
    pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      return;
    }
    if ((fds[1].revents & POLLIN) != 0) {
      return;
    }
    signalfd_siginfo info{};
    while (::read(signal_fd_, &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info))) {
      on_signal_(static_cast<int>(info.ssi_signo));
    }
  }
}

} // namespace spire::agent::commands
