#include "server/run/signal_watcher.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace spire::server::run {
namespace {

// The write end of the active watcher's pipe; -1 when none. Read by the handler.
std::atomic<int> g_write_fd{-1};

// A byte value no signal number takes, asking the watcher thread to end.
constexpr unsigned char kStopByte = 0;

extern "C" void onSignal(int signal) {
  const int saved_errno = errno;
  const int fd = g_write_fd.load();
  if (fd >= 0) {
    const unsigned char byte = static_cast<unsigned char>(signal);
    ssize_t ignored = ::write(fd, &byte, 1);
    (void)ignored;
  }
  errno = saved_errno;
}

} // namespace

Result<std::unique_ptr<SignalWatcher>>
SignalWatcher::start(std::vector<int> signals, std::function<void(int signal)> on_signal) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return Status(StatusCode::kInternal, std::string("signal pipe: ") + std::strerror(errno));
  }
  // Non-blocking writes: a flood of signals must never block the handler.
  ::fcntl(fds[1], F_SETFL, O_NONBLOCK);
  int expected = -1;
  if (!g_write_fd.compare_exchange_strong(expected, fds[1])) {
    ::close(fds[0]);
    ::close(fds[1]);
    return Status(StatusCode::kFailedPrecondition, "a signal watcher is already active");
  }
  std::unique_ptr<SignalWatcher> self(new SignalWatcher());
  self->read_fd_ = fds[0];
  self->write_fd_ = fds[1];
  self->on_signal_ = std::move(on_signal);
  for (int signal : signals) {
    struct sigaction action {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    struct sigaction previous {};
    if (::sigaction(signal, &action, &previous) != 0) {
      // The destructor restores what was installed so far and releases the slot.
      return Status(StatusCode::kInternal,
                    "cannot handle signal " + std::to_string(signal) + ": " + std::strerror(errno));
    }
    self->signals_.push_back(signal);
    self->previous_.push_back(previous);
  }
  self->thread_ = std::thread([s = self.get()] { s->watch(); });
  return self;
}

SignalWatcher::~SignalWatcher() {
  for (std::size_t i = 0; i < signals_.size(); ++i) {
    ::sigaction(signals_[i], &previous_[i], nullptr);
  }
  if (thread_.joinable()) {
    const unsigned char byte = kStopByte;
    ssize_t ignored = ::write(write_fd_, &byte, 1);
    (void)ignored;
    thread_.join();
  }
  g_write_fd.store(-1);
  ::close(read_fd_);
  ::close(write_fd_);
}

void SignalWatcher::watch() {
  while (true) {
    unsigned char byte = 0;
    ssize_t n = ::read(read_fd_, &byte, 1);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0 || byte == kStopByte) {
      return;
    }
    on_signal_(static_cast<int>(byte));
  }
}

} // namespace spire::server::run
