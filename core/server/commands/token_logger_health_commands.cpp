// spire-server token generate, logger get|set|reset and healthcheck (SPIRE's cmd/spire-server/cli
// token, logger and healthcheck).
#include "common/go_quote.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "server/commands/client_connection.h"
#include "server/commands/command_groups.h"
#include "server/commands/entry_util.h"
#include "server/commands/proto_json.h"
#include "spire/api/server/agent/v1/agent.grpc.pb.h"
#include "spire/api/server/logger/v1/logger.grpc.pb.h"

namespace spire::server::commands {
namespace {

namespace agentv1 = ::spire::api::server::agent::v1;
namespace loggerv1 = ::spire::api::server::logger::v1;
namespace healthv1 = ::grpc::health::v1;
using cli::Env;
using cli::ParsedFlags;

bool jsonOutput(const ParsedFlags& flags) {
  return flags.outputFormat() == "json";
}

Status runTokenGenerate(const ParsedFlags& flags, Env& env) {
  const auto conn = ServerConnection::fromFlags(flags);
  agentv1::CreateJoinTokenRequest req;
  const std::string& spiffe_id = flags.getString("spiffeID");
  if (!spiffe_id.empty()) {
    auto id = idStringToProto(spiffe_id);
    if (!id) {
      return commandError(id.status().message());
    }
    *req.mutable_agent_id() = *id;
  }
  req.set_ttl(static_cast<std::int32_t>(flags.getInt("ttl")));
  types::JoinToken resp;
  grpc::ClientContext ctx;
  const grpc::Status st =
      agentv1::Agent::NewStub(conn.channel())->CreateJoinToken(&ctx, req, &resp);
  if (!st.ok()) {
    return conn.failure(st);
  }
  if (jsonOutput(flags)) {
    printProtoJson(env.out, resp);
    return Status::ok();
  }
  env.out << "Token: " << resp.value() << "\n";
  if (spiffe_id.empty()) {
    env.out << "Warning: Missing SPIFFE ID.\n";
  }
  return Status::ok();
}

// logrus's Level.String() of the API's levels, as the server logger printer shows them.
const char* logrusName(types::LogLevel level) {
  switch (level) {
  case types::PANIC:
    return "panic";
  case types::FATAL:
    return "fatal";
  case types::ERROR:
    return "error";
  case types::WARN:
    return "warning";
  case types::INFO:
    return "info";
  case types::DEBUG:
    return "debug";
  case types::TRACE:
    return "trace";
  default:
    return nullptr;
  }
}

Status printLogger(const ParsedFlags& flags, Env& env, const types::Logger& logger) {
  if (jsonOutput(flags)) {
    printProtoJson(env.out, logger);
    return Status::ok();
  }
  const char* current = logrusName(logger.current_level());
  if (current == nullptr) {
    return commandError("internal error: returned current log level is undefined; please report "
                        "this as a bug");
  }
  const char* launch = logrusName(logger.launch_level());
  if (launch == nullptr) {
    return commandError("internal error: returned launch log level is undefined; please report "
                        "this as a bug");
  }
  env.out << "Logger Level : " << current << "\nLaunch Level : " << launch << "\n\n";
  return Status::ok();
}

Status runLoggerGet(const ParsedFlags& flags, Env& env) {
  const auto conn = ServerConnection::fromFlags(flags);
  types::Logger logger;
  grpc::ClientContext ctx;
  const grpc::Status st = loggerv1::Logger::NewStub(conn.channel())
                              ->GetLogger(&ctx, loggerv1::GetLoggerRequest(), &logger);
  if (!st.ok()) {
    return commandError("error fetching logger: " + conn.errorText(st));
  }
  return printLogger(flags, env, logger);
}

Status runLoggerSet(const ParsedFlags& flags, Env& env) {
  const auto conn = ServerConnection::fromFlags(flags);
  const std::string& text = flags.getString("level");
  if (text.empty()) {
    return commandError("a value (-level) must be set");
  }
  std::string lowered = text;
  for (char& c : lowered) {
    c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  types::LogLevel level = types::UNSPECIFIED;
  if (lowered == "panic") {
    level = types::PANIC;
  } else if (lowered == "fatal") {
    level = types::FATAL;
  } else if (lowered == "error") {
    level = types::ERROR;
  } else if (lowered == "warn" || lowered == "warning") {
    level = types::WARN;
  } else if (lowered == "info") {
    level = types::INFO;
  } else if (lowered == "debug") {
    level = types::DEBUG;
  } else if (lowered == "trace") {
    level = types::TRACE;
  } else {
    return commandError("the value " + goQuote(text) + " is not a valid setting");
  }
  loggerv1::SetLogLevelRequest req;
  req.set_new_level(level);
  types::Logger logger;
  grpc::ClientContext ctx;
  const grpc::Status st =
      loggerv1::Logger::NewStub(conn.channel())->SetLogLevel(&ctx, req, &logger);
  if (!st.ok()) {
    return commandError("failed to set log level: " + conn.errorText(st));
  }
  return printLogger(flags, env, logger);
}

Status runLoggerReset(const ParsedFlags& flags, Env& env) {
  const auto conn = ServerConnection::fromFlags(flags);
  types::Logger logger;
  grpc::ClientContext ctx;
  const grpc::Status st = loggerv1::Logger::NewStub(conn.channel())
                              ->ResetLogLevel(&ctx, loggerv1::ResetLogLevelRequest(), &logger);
  if (!st.ok()) {
    return commandError("failed to reset logger: " + conn.errorText(st));
  }
  return printLogger(flags, env, logger);
}

// healthcheck reports everything itself ("Error: server is unhealthy: ...").
Status runHealthcheck(const ParsedFlags& flags, Env& env) {
  const bool verbose = flags.getBool("verbose");
  if (verbose) {
    env.out << "Checking server health...\n";
  }
  const auto conn = ServerConnection::fromFlags(flags);
  healthv1::HealthCheckResponse resp;
  std::string failure;
  grpc::ClientContext ctx;
  const grpc::Status st =
      healthv1::Health::NewStub(conn.channel())->Check(&ctx, healthv1::HealthCheckRequest(), &resp);
  if (!st.ok()) {
    failure = conn.errorText(st);
  }
  if (!failure.empty()) {
    if (verbose) {
      env.err << "Failed to check health: " << failure << "\n";
    }
    return commandError("server is unhealthy: unable to determine health");
  }
  if (resp.status() != healthv1::HealthCheckResponse::SERVING) {
    return commandError("server is unhealthy: server returned status " +
                        goQuote(healthv1::HealthCheckResponse::ServingStatus_Name(resp.status())));
  }
  env.out << "Server is healthy.\n";
  return Status::ok();
}

} // namespace

CommandList tokenLoggerHealthCommands() {
  return {{"token generate", runTokenGenerate},
          {"logger get", runLoggerGet},
          {"logger set", runLoggerSet},
          {"logger reset", runLoggerReset},
          {"healthcheck", runHealthcheck}};
}

} // namespace spire::server::commands
