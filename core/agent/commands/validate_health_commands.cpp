// `api validate jwt` (SPIRE cmd/spire-agent/cli/api/validate_jwt.go) and `healthcheck`
// (cmd/spire-agent/cli/healthcheck/healthcheck.go).
#include "agent/commands/agent_client_commands.h"
#include "agent/commands/workload_client.h"
#include "agent/commands/workload_json.h"
#include "cli/output.h"

namespace spire::agent::commands {
namespace {

Status reportError(cli::Env& env, const std::string& text) {
  env.err << text << "\n";
  return cli::alreadyReported();
}

// The enum names grpc-go's %q prints for a HealthCheckResponse status.
std::string servingStatusName(grpc::health::v1::HealthCheckResponse::ServingStatus status) {
  switch (status) {
  case grpc::health::v1::HealthCheckResponse::UNKNOWN:
    return "UNKNOWN";
  case grpc::health::v1::HealthCheckResponse::SERVING:
    return "SERVING";
  case grpc::health::v1::HealthCheckResponse::NOT_SERVING:
    return "NOT_SERVING";
  case grpc::health::v1::HealthCheckResponse::SERVICE_UNKNOWN:
    return "SERVICE_UNKNOWN";
  default:
    return std::to_string(static_cast<int>(status));
  }
}

} // namespace

Status runValidateJwt(const cli::ParsedFlags& flags, cli::Env& env) {
  Result<cli::OutputFormat> format = cli::parseOutputFormat(flags.outputFormat());
  if (!format) {
    return reportError(env, format.status().message());
  }
  if (flags.getString("audience").empty()) {
    return reportError(env, "audience must be specified");
  }
  if (flags.getString("svid").empty()) {
    return reportError(env, "svid must be specified");
  }
  WorkloadClient client(flags.getString("socketPath"), flags.getDuration("timeout"));
  ValidateJWTSVIDRequest request;
  request.set_audience(flags.getString("audience"));
  request.set_svid(flags.getString("svid"));
  ValidateJWTSVIDResponse response;
  std::unique_ptr<grpc::ClientContext> context = client.newContext();
  const grpc::Status status = client.workload().ValidateJWTSVID(context.get(), request, &response);
  if (!status.ok()) {
    if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      return reportError(env, "SVID is not valid: " + status.error_message());
    }
    return reportError(env, "unable to validate JWT SVID: " + client.errorText(status));
  }
  if (*format == cli::OutputFormat::kJson) {
    cli::printJson(env.out, validateJwtSvidResponseJson(response));
    return {};
  }
  env.out << "SVID is valid.\n";
  env.out << "SPIFFE ID : " << response.spiffe_id() << "\n";
  // protojson.Marshal of the Struct: compact, no HTML escaping.
  env.out << "Claims    : " << structJson(response.claims()).dump() << "\n";
  return {};
}

Status runHealthcheck(const cli::ParsedFlags& flags, cli::Env& env) {
  const bool verbose = flags.getBool("verbose");
  if (verbose) {
    env.out << "Checking agent health...\n";
  }
  // As SPIRE: no deadline and no security header (Health is not a Workload API service).
  WorkloadClient client(flags.getString("socketPath"), std::chrono::nanoseconds(0));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  std::unique_ptr<grpc::ClientContext> context = client.newContext(false);
  const grpc::Status status = client.health().Check(context.get(), request, &response);
  if (!status.ok()) {
    if (verbose) {
      env.err << "Failed to check health: " << client.errorText(status) << "\n";
    }
    return reportError(env, "Agent is unhealthy: unable to determine health");
  }
  if (response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
    return reportError(env, "Agent is unhealthy: agent returned status \"" +
                                servingStatusName(response.status()) + "\"");
  }
  env.out << "Agent is healthy.\n";
  return {};
}

} // namespace spire::agent::commands
