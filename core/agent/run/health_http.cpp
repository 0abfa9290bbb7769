#include "agent/run/health_http.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sstream>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/output.h"

namespace spire::agent::run {
namespace {

// A probe that has not sent its request line within this time is dropped, so one stuck client
// cannot hold the single serving thread.
constexpr int kRequestTimeoutMs = 2000;
constexpr std::size_t kMaxRequestBytes = 8192;

std::string httpDate() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof(buffer), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buffer;
}

void writeAll(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return;
    }
    sent += static_cast<std::size_t>(n);
  }
}

std::string response(int code, const std::string& reason, const std::string& content_type,
                     const std::string& body) {
  return "HTTP/1.1 " + std::to_string(code) + " " + reason + "\r\nContent-Type: " + content_type +
         "\r\nDate: " + httpDate() + "\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

} // namespace

HealthHttpServer::~HealthHttpServer() {
  stop();
}

Status HealthHttpServer::start(const config::HealthChecksConfig& config, Check check) {
  config_ = config;
  check_ = std::move(check);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string port_text = std::to_string(config.bind_port);
  const char* host = config.bind_address.empty() ? nullptr : config.bind_address.c_str();
  if (const int rc = ::getaddrinfo(host, port_text.c_str(), &hints, &found); rc != 0) {
    return {StatusCode::kUnavailable, "unable to resolve health check address " +
                                          config.bind_address + ": " + gai_strerror(rc)};
  }
  std::string error = "no address";
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      error = std::strerror(errno);
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(fd, 16) != 0) {
      error = std::strerror(errno);
      ::close(fd);
      continue;
    }
    sockaddr_storage bound{};
    socklen_t length = sizeof(bound);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
    port_ = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                        : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    listen_fd_ = fd;
    break;
  }
  ::freeaddrinfo(found);
  if (listen_fd_ < 0) {
    return {StatusCode::kUnavailable,
            "unable to listen on " + config.bind_address + ":" + port_text + ": " + error};
  }
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
    return internalError("eventfd: " + std::string(std::strerror(errno)));
  }
  thread_ = std::thread([this] { serve(); });
  return {};
}

void HealthHttpServer::stop() {
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

void HealthHttpServer::serve() {
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
    const int conn = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) {
      continue;
    }
    answer(conn);
    ::close(conn);
  }
}

void HealthHttpServer::answer(int fd) {
  std::string request;
  char buffer[1024];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < kMaxRequestBytes) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    const int ready = ::poll(fds, 2, kRequestTimeoutMs);
    if (ready <= 0 || (fds[1].revents & POLLIN) != 0) {
      return;
    }
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) {
      break;
    }
    request.append(buffer, static_cast<std::size_t>(n));
  }
  // "GET /ready HTTP/1.1": the path is the second word; a query string is not part of it.
  const auto first_space = request.find(' ');
  const auto second_space =
      first_space == std::string::npos ? std::string::npos : request.find(' ', first_space + 1);
  if (second_space == std::string::npos) {
    writeAll(fd, response(400, "Bad Request", "text/plain; charset=utf-8", "400 Bad Request"));
    return;
  }
  std::string path = request.substr(first_space + 1, second_space - first_space - 1);
  if (const auto query = path.find('?'); query != std::string::npos) {
    path.resize(query);
  }
  const bool live = path == config_.live_path;
  if (!live && path != config_.ready_path) {
    writeAll(fd, response(404, "Not Found", "text/plain; charset=utf-8", "404 page not found\n"));
    return;
  }
  const HealthState state = check_();
  const bool ok = live ? state.live : state.ready;
  std::ostringstream body;
  cli::printJson(body, live ? state.live_details : state.ready_details);
  writeAll(fd, response(ok ? 200 : 500, ok ? "OK" : "Internal Server Error", "application/json",
                        body.str()));
}

} // namespace spire::agent::run
