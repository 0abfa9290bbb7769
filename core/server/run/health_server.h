#pragma once

// The `health_checks` HTTP listener (SPIRE pkg/common/health): GET <live_path> and
// GET <ready_path> answer 200 when every registered subsystem is live (ready) and 500 otherwise,
// with a JSON body of each subsystem's state. Anything else is 404. A tiny blocking HTTP/1.1
// server: one request per connection, served one at a time, which is all a probe needs.
//
// THREADS: one thread of its own accepts and answers; the probe is called on it. stop() (or the
// destructor) ends it promptly from any other thread.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <spdlog/logger.h>

#include "common/status.h"
#include "config/common_config.h"

namespace spire::server::run {

// One subsystem's state, as a probe reports it.
struct SubsystemHealth {
  bool live = false;
  bool ready = false;
  std::string error; // why not, when not
};

// Returns every subsystem's state by name ("server", "server.ca", "catalog.datastore", ...).
using HealthProbe = std::function<std::map<std::string, SubsystemHealth>()>;

class HealthServer {
public:
  // Binds bind_address:bind_port (port 0 picks one) and starts serving. Unavailable
  // "health check listener: cannot bind <addr>:<port>: <reason>" when the address is taken or
  // unknown.
  static Result<std::unique_ptr<HealthServer>> start(const config::HealthChecksConfig& config,
                                                     HealthProbe probe,
                                                     std::shared_ptr<spdlog::logger> logger);
  ~HealthServer();
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  int port() const { return port_; }
  void stop();

  // The answer for one request path, without sockets (used by the thread, and by tests).
  struct Response {
    int status = 404;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body = "404 page not found\n";
  };
  static Response respond(const config::HealthChecksConfig& config, const HealthProbe& probe,
                          std::string_view method, std::string_view path);

private:
  HealthServer(config::HealthChecksConfig config, HealthProbe probe,
               std::shared_ptr<spdlog::logger> logger, int listen_fd, int wake_read, int wake_write,
               int port);
  void serve();
  void handle(int fd);

  config::HealthChecksConfig config_;
  HealthProbe probe_;
  std::shared_ptr<spdlog::logger> logger_;
  int listen_fd_ = -1;
  int wake_read_ = -1; // stop() writes to the other end to wake poll()
  int wake_write_ = -1;
  int port_ = 0;
  std::atomic<bool> stopped_{false};
  std::thread thread_;
};

} // namespace spire::server::run
