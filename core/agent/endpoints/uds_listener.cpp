#include "agent/endpoints/uds_listener.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace spire::agent::endpoints {

namespace {

Status unavailable(std::string message) {
  return {StatusCode::kUnavailable, std::move(message)};
}

std::string errnoText() {
  return std::strerror(errno);
}

} // namespace

UdsListener::~UdsListener() {
  stop();
}

Status UdsListener::listen(const std::string& path) {
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return unavailable("socket path too long: " + path);
  }
  std::memcpy(addr.sun_path, path.data(), path.size());

  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty()) {
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return unavailable("unable to create socket directory " + dir.string() + ": " + ec.message());
    }
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return unavailable("unable to remove stale socket " + path + ": " + errnoText());
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return unavailable("unable to listen on " + path + ": " + errnoText());
  }
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::chmod(path.c_str(), 0777) != 0 || ::listen(fd, SOMAXCONN) != 0) {
    Status error = unavailable("unable to listen on " + path + ": " + errnoText());
    ::close(fd);
    return error;
  }
  listen_fd_ = fd;
  path_ = path;
  return {};
}

Status UdsListener::start(ConnectionHandler on_connection) {
  if (listen_fd_ < 0 || thread_.joinable()) {
    return {StatusCode::kFailedPrecondition, "listener not ready"};
  }
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    return unavailable("eventfd: " + errnoText());
  }
  on_connection_ = std::move(on_connection);
  thread_ = std::thread([this] { acceptLoop(); });
  return {};
}

void UdsListener::stop() {
  if (thread_.joinable()) {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof(one));
    thread_.join();
  }
  if (wake_fd_ >= 0) {
    ::close(wake_fd_);
    wake_fd_ = -1;
  }
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
}

void UdsListener::acceptLoop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      return;
    }
    if ((fds[1].revents & POLLIN) != 0) {
      return;
    }
    if ((fds[0].revents & POLLIN) == 0) {
      continue;
    }
    // Non-blocking, as gRPC's endpoint expects of a descriptor it is given.
    int conn = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (conn < 0) {
      continue; // EAGAIN, ECONNABORTED, EMFILE...: nothing to hand over
    }
    Result<CallerCredentials> caller = peerCredentials(conn);
    if (!caller) {
      ::close(conn);
      continue;
    }
    on_connection_(conn, *caller);
  }
}

} // namespace spire::agent::endpoints
