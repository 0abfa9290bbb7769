#include "agent/run/agent_runner.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "spiffe/workload/workload.grpc.pb.h"

namespace spire::agent::run {
namespace {

endpoints::EndpointsConfig endpointsConfig(const config::AgentFileConfig& config) {
  endpoints::EndpointsConfig out;
  out.socket_path = config.agent.socket_path;
  Result<spiffe::TrustDomain> td = spiffe::TrustDomain::parse(config.agent.trust_domain);
  if (td) {
    out.workload_api.trust_domain = *td;
  }
  out.workload_api.allow_unauthenticated_verifiers = config.agent.allow_unauthenticated_verifiers;
  out.workload_api.allowed_foreign_jwt_claims = config.agent.allowed_foreign_jwt_claims;
  return out;
}

} // namespace

HealthState checkAgentHealth(const std::string& socket_path) {
  auto channel = grpc::CreateChannel("unix:" + socket_path, grpc::InsecureChannelCredentials());
  auto stub = SpiffeWorkloadAPI::NewStub(channel);
  grpc::ClientContext context;
  context.AddMetadata("workload.spiffe.io", "true");
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  auto reader = stub->FetchX509Bundles(&context, X509BundlesRequest());
  X509BundlesResponse response;
  grpc::Status status = grpc::Status::OK;
  if (reader->Read(&response)) {
    context.TryCancel();
    (void)reader->Finish();
  } else {
    status = reader->Finish();
  }
  HealthState state;
  nlohmann::ordered_json details = nlohmann::ordered_json::object();
  const bool ok = status.error_code() != grpc::StatusCode::UNAVAILABLE;
  if (!ok) {
    details["make_new_x509_err"] = "workload api is unavailable";
  }
  state.live = ok;
  state.ready = ok;
  state.live_details["agent"] = details;
  state.ready_details["agent"] = details;
  return state;
}

AgentRunner::AgentRunner(const config::AgentFileConfig& config, RunnerContext context)
    : context_(std::move(context)), endpoints_(endpointsConfig(config), context_.source) {}

AgentRunner::~AgentRunner() {
  stop();
}

Result<std::unique_ptr<AgentRunner>> AgentRunner::start(const config::AgentFileConfig& config,
                                                        RunnerContext context) {
  std::unique_ptr<AgentRunner> runner(new AgentRunner(config, std::move(context)));
  auto& logger = *runner->context_.logger;

  if (!config.agent.disable_sds_api) {
    sds::SdsConfig sds_config;
    if (Result<spiffe::TrustDomain> td = spiffe::TrustDomain::parse(config.agent.trust_domain)) {
      sds_config.trust_domain = *td;
    }
    sds_config.default_svid_name = config.agent.sds.default_svid_name;
    sds_config.default_bundle_name = config.agent.sds.default_bundle_name;
    sds_config.default_all_bundles_name = config.agent.sds.default_all_bundles_name;
    sds_config.disable_spiffe_cert_validation = config.agent.sds.disable_spiffe_cert_validation;
    sds_config.log = [logger = runner->context_.logger](std::string_view line) {
      logger->warn(std::string(line));
    };
    runner->sds_ = std::make_unique<sds::SdsService>(sds_config, runner->context_.source,
                                                     runner->endpoints_.peers());
    runner->endpoints_.addService(*runner->sds_);
  }
  if (Status started = runner->endpoints_.start(); !started.isOk()) {
    return started;
  }
  logger.info("Starting Workload and SDS APIs on " + config.agent.socket_path);

  if (!config.agent.admin_socket_path.empty()) {
    runner->admin_ = std::make_unique<AdminServer>(runner->context_.status, runner->context_.logger,
                                                   runner->context_.launch_level);
    if (Status started = runner->admin_->start(config.agent.admin_socket_path); !started.isOk()) {
      return started;
    }
    logger.info("Starting admin API on " + config.agent.admin_socket_path);
  }

  if (config.health_checks.listener_enabled) {
    runner->health_ = std::make_unique<HealthHttpServer>();
    const std::string socket_path = config.agent.socket_path;
    if (Status started = runner->health_->start(
            config.health_checks, [socket_path] { return checkAgentHealth(socket_path); });
        !started.isOk()) {
      return started;
    }
    logger.info("Serving health checks on " + config.health_checks.bind_address + ":" +
                std::to_string(runner->health_->port()));
  }
  return runner;
}

void AgentRunner::stop() {
  if (stopped_) {
    return;
  }
  stopped_ = true;
  if (health_) {
    health_->stop();
  }
  if (admin_) {
    admin_->stop();
  }
  // Open SDS streams end at once instead of waiting out the server's shutdown grace.
  if (sds_) {
    sds_->shutdown();
  }
  endpoints_.stop();
}

} // namespace spire::agent::run
