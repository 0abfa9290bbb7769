#include "server/run/health_server.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

namespace spire::server::run {
namespace {

constexpr int kRequestTimeoutMs = 2000;
constexpr std::size_t kMaxRequestBytes = 8192;

std::string_view reasonPhrase(int status) {
  switch (status) {
  case 200:
    return "OK";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 400:
    return "Bad Request";
  default:
    return "Internal Server Error";
  }
}

void closeFd(int& fd) {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

void sendAll(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return;
    }
    sent += static_cast<std::size_t>(n);
  }
}

// Reads up to the end of the request head; empty when the client sent nothing usable in time.
std::string readRequestHead(int fd) {
  std::string head;
  char buf[1024];
  while (head.find("\r\n\r\n") == std::string::npos && head.find("\n\n") == std::string::npos &&
         head.size() < kMaxRequestBytes) {
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, kRequestTimeoutMs);
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0) {
      break;
    }
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    head.append(buf, static_cast<std::size_t>(n));
  }
  return head;
}

Status bindError(const config::HealthChecksConfig& config, const std::string& reason) {
  return Status(StatusCode::kUnavailable, "health check listener: cannot bind " +
                                              config.bind_address + ":" +
                                              std::to_string(config.bind_port) + ": " + reason);
}

} // namespace

HealthServer::HealthServer(config::HealthChecksConfig config, HealthProbe probe,
                           std::shared_ptr<spdlog::logger> logger, int listen_fd, int wake_read,
                           int wake_write, int port)
    : config_(std::move(config)), probe_(std::move(probe)), logger_(std::move(logger)),
      listen_fd_(listen_fd), wake_read_(wake_read), wake_write_(wake_write), port_(port) {}

Result<std::unique_ptr<HealthServer>> HealthServer::start(const config::HealthChecksConfig& config,
                                                          HealthProbe probe,
                                                          std::shared_ptr<spdlog::logger> logger) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port_text = std::to_string(config.bind_port);
  const char* host = config.bind_address.empty() ? nullptr : config.bind_address.c_str();
  if (int rc = ::getaddrinfo(host, port_text.c_str(), &hints, &found); rc != 0) {
    return bindError(config, ::gai_strerror(rc));
  }
  int fd = -1;
  std::string last_error = "no address";
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, 16) == 0) {
      break;
    }
    last_error = std::strerror(errno);
    closeFd(fd);
  }
  ::freeaddrinfo(found);
  if (fd < 0) {
    return bindError(config, last_error);
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  int port = 0;
  if (bound.ss_family == AF_INET) {
    port = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  } else if (bound.ss_family == AF_INET6) {
    port = ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  }
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC) != 0) {
    closeFd(fd);
    return Status(StatusCode::kInternal,
                  std::string("health check listener: pipe: ") + std::strerror(errno));
  }
  std::unique_ptr<HealthServer> server(
      new HealthServer(config, std::move(probe), std::move(logger), fd, wake[0], wake[1], port));
  server->thread_ = std::thread([s = server.get()] { s->serve(); });
  return server;
}

HealthServer::~HealthServer() {
  stop();
  closeFd(listen_fd_);
  closeFd(wake_read_);
  closeFd(wake_write_);
}

void HealthServer::stop() {
  if (!stopped_.exchange(true)) {
    const char byte = 1;
    ssize_t ignored = ::write(wake_write_, &byte, 1);
    (void)ignored;
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) {
    thread_.join();
  }
}

void HealthServer::serve() {
  while (!stopped_.load()) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_read_, POLLIN, 0}};
    int ready = ::poll(fds, 2, -1);
    if (ready < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (logger_) {
        logger_->error("Health check listener stopped: {}", std::strerror(errno));
      }
      return;
    }
    if ((fds[1].revents & POLLIN) != 0) {
      return;
    }
    if ((fds[0].revents & POLLIN) != 0) {
      int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client >= 0) {
        handle(client);
        ::close(client);
      }
    }
  }
}

void HealthServer::handle(int fd) {
  const std::string head = readRequestHead(fd);
  // Request line: METHOD SP TARGET SP VERSION
  const auto line_end = head.find_first_of("\r\n");
  const std::string line = head.substr(0, line_end);
  const auto sp1 = line.find(' ');
  const auto sp2 = sp1 == std::string::npos ? std::string::npos : line.find(' ', sp1 + 1);
  Response response;
  if (sp1 == std::string::npos || sp2 == std::string::npos) {
    response.status = 400;
    response.body = "400 Bad Request\n";
  } else {
    std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    if (auto q = target.find('?'); q != std::string::npos) {
      target.resize(q);
    }
    response = respond(config_, probe_, line.substr(0, sp1), target);
  }
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " +
                    std::string(reasonPhrase(response.status)) +
                    "\r\nContent-Type: " + response.content_type +
                    "\r\nContent-Length: " + std::to_string(response.body.size()) +
                    "\r\nConnection: close\r\n\r\n" + response.body;
  sendAll(fd, out);
}

HealthServer::Response HealthServer::respond(const config::HealthChecksConfig& config,
                                             const HealthProbe& probe, std::string_view method,
                                             std::string_view path) {
  Response response;
  const bool live = path == config.live_path;
  const bool ready = path == config.ready_path;
  if (!live && !ready) {
    return response;
  }
  if (method != "GET" && method != "HEAD") {
    response.status = 405;
    response.body = "Method Not Allowed\n";
    return response;
  }
  std::map<std::string, SubsystemHealth> states = probe ? probe() : decltype(probe())();
  bool all = true;
  nlohmann::json body = nlohmann::json::object();
  for (const auto& [name, state] : states) {
    const bool ok = live ? state.live : state.ready;
    all = all && ok;
    nlohmann::json detail = nlohmann::json::object();
    detail[live ? "live" : "ready"] = ok;
    if (!ok && !state.error.empty()) {
      detail["err"] = state.error;
    }
    body[name] = std::move(detail);
  }
  response.status = all ? 200 : 500;
  response.content_type = "application/json";
  response.body = body.dump() + "\n";
  return response;
}

} // namespace spire::server::run
