#pragma once

// The `health_checks` HTTP listener (SPIRE pkg/common/health): GET <live_path> and <ready_path>
// answer 200 when healthy and 500 otherwise, Content-Type application/json, with the details of
// each subsystem as a JSON object ({"agent":{}} or {"agent":{"make_new_x509_err":"..."}}), and
// any other path Go's "404 page not found". One request per connection.
//
// THREADS: start() spawns one thread that accepts and answers connections one at a time (probes
// are rare and small); the check callback runs on it. stop() (or the destructor) joins it.

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "config/common_config.h"

namespace spire::agent::run {

struct HealthState {
  bool live = false;
  bool ready = false;
  // Per subsystem name, the details JSON (object).
  nlohmann::ordered_json live_details = nlohmann::ordered_json::object();
  nlohmann::ordered_json ready_details = nlohmann::ordered_json::object();
};

class HealthHttpServer {
public:
  using Check = std::function<HealthState()>;

  HealthHttpServer() = default;
  ~HealthHttpServer();
  HealthHttpServer(const HealthHttpServer&) = delete;
  HealthHttpServer& operator=(const HealthHttpServer&) = delete;

  // Binds bind_address:bind_port (port 0 picks one, see port()). Errors (Unavailable):
  // "unable to resolve health check address <addr>: <why>", "unable to listen on <addr>:<port>:
  // <why>".
  Status start(const config::HealthChecksConfig& config, Check check);
  void stop();
  int port() const { return port_; }

private:
  void serve();
  void answer(int fd);

  config::HealthChecksConfig config_;
  Check check_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

} // namespace spire::agent::run
