#pragma once

// The serving half of `spire-agent run`, around an identity source (the AgentManager in the
// daemon, a fake in tests): the public socket (Workload API + gRPC health, Envoy SDS unless
// disabled), the admin socket when configured, and the health_checks HTTP listener when enabled.
// Started in that order; stopped in reverse (health, admin, SDS streams, then the endpoint).
//
// THREADS: start() and stop() from one owning thread; the pieces run their own threads.

#include <memory>
#include <optional>

#include <spdlog/logger.h>

#include "agent/endpoints/endpoints.h"
#include "agent/run/admin_services.h"
#include "agent/run/health_http.h"
#include "agent/sds/sds_service.h"
#include "config/loader.h"

namespace spire::agent::run {

struct RunnerContext {
  endpoints::WorkloadIdentitySource& source;
  StatusSource status;
  std::shared_ptr<spdlog::logger> logger;
  spdlog::level::level_enum launch_level = spdlog::level::info;
};

// SPIRE's agent health check: a FetchX509Bundles on the agent's own public socket; only
// Unavailable fails it ("workload api is unavailable").
HealthState checkAgentHealth(const std::string& socket_path);

class AgentRunner {
public:
  // Errors: the Endpoints, AdminServer and HealthHttpServer ones; whatever started is stopped.
  static Result<std::unique_ptr<AgentRunner>> start(const config::AgentFileConfig& config,
                                                    RunnerContext context);
  ~AgentRunner();
  AgentRunner(const AgentRunner&) = delete;
  AgentRunner& operator=(const AgentRunner&) = delete;

  void stop();

  // The health listener's port (0 when not enabled).
  int healthPort() const { return health_ ? health_->port() : 0; }

private:
  AgentRunner(const config::AgentFileConfig& config, RunnerContext context);

  RunnerContext context_;
  endpoints::Endpoints endpoints_;
  std::unique_ptr<sds::SdsService> sds_;
  std::unique_ptr<AdminServer> admin_;
  std::unique_ptr<HealthHttpServer> health_;
  bool stopped_ = false;
};

} // namespace spire::agent::run
