// `api fetch x509` and `api fetch jwt` (SPIRE cmd/spire-agent/cli/api/fetch_x509.go,
// fetch_jwt.go).
#include <chrono>
#include <map>

#include "agent/commands/agent_client_commands.h"
#include "agent/commands/workload_client.h"
#include "agent/commands/workload_json.h"
#include "agent/commands/x509_svid_output.h"
#include "cli/output.h"
#include "common/go_quote.h"

namespace spire::agent::commands {
namespace {

WorkloadClient makeClient(const cli::ParsedFlags& flags) {
  return WorkloadClient(flags.getString("socketPath"), flags.getDuration("timeout"));
}

Status reportError(cli::Env& env, const std::string& text) {
  env.err << text << "\n";
  return cli::alreadyReported();
}

// The first message of a server stream, then the stream is cancelled: SPIRE's commands read one
// message and let their context go.
template <class Request, class Response, class Open>
grpc::Status readFirst(WorkloadClient& client, const Request& request, Response& response,
                       Open open) {
  std::unique_ptr<grpc::ClientContext> context = client.newContext();
  auto reader = open(context.get(), request);
  if (reader->Read(&response)) {
    context->TryCancel();
    (void)reader->Finish();
    return grpc::Status::OK;
  }
  grpc::Status status = reader->Finish();
  if (status.ok()) {
    // The server ended the stream without a message: grpc-go's Recv then reports io.EOF.
    return grpc::Status(grpc::StatusCode::UNKNOWN, "EOF");
  }
  return status;
}

std::string streamErrorText(WorkloadClient& client, const grpc::Status& status) {
  if (status.error_code() == grpc::StatusCode::UNKNOWN && status.error_message() == "EOF") {
    return "EOF";
  }
  return client.errorText(status);
}

// grpc-go fails to open a stream (rather than on its first Recv) when the socket cannot be
// dialled; SPIRE wraps only that failure for the JWT bundles stream.
bool failedToOpen(WorkloadClient& client, const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE &&
         !unixDialError(client.socketPath()).empty();
}

} // namespace

Status runFetchX509(const cli::ParsedFlags& flags, cli::Env& env) {
  Result<cli::OutputFormat> format = cli::parseOutputFormat(flags.outputFormat());
  if (!format) {
    return reportError(env, format.status().message());
  }
  WorkloadClient client = makeClient(flags);
  const auto start = std::chrono::steady_clock::now();
  X509SVIDResponse response;
  const grpc::Status status = readFirst(client, X509SVIDRequest(), response,
                                        [&](grpc::ClientContext* context, const auto& request) {
                                          return client.workload().FetchX509SVID(context, request);
                                        });
  const auto response_time = std::chrono::steady_clock::now() - start;
  if (!status.ok()) {
    return reportError(env, streamErrorText(client, status));
  }
  if (*format == cli::OutputFormat::kJson) {
    cli::printJson(env.out, x509SvidResponseJson(response));
    return {};
  }
  Result<std::vector<X509SvidView>> svids = parseAndValidateX509SvidResponse(response);
  if (!svids) {
    return reportError(env, svids.status().message());
  }
  if (!flags.getBool("silent")) {
    printX509SvidResponse(env.out, *svids,
                          std::chrono::duration_cast<std::chrono::nanoseconds>(response_time));
  }
  if (const std::string& dir = flags.getString("write"); !dir.empty()) {
    if (Status written = writeX509Svids(env.out, dir, *svids); !written.isOk()) {
      return reportError(env, written.message());
    }
  }
  return {};
}

Status runFetchJwt(const cli::ParsedFlags& flags, cli::Env& env) {
  // -format is SPIRE's deprecated spelling of -output (the same flag value).
  std::string format_text = flags.outputFormat();
  if (flags.has("format") && flags.isSet("format") && !flags.isSet("output")) {
    format_text = flags.getString("format");
  }
  Result<cli::OutputFormat> format = cli::parseOutputFormat(format_text);
  if (!format) {
    return reportError(env, "invalid value " + goQuote(format_text) +
                                " for flag -format: " + format.status().message());
  }
  const std::vector<std::string>& audience = flags.getStrings("audience");
  if (audience.empty()) {
    return reportError(env, "audience must be specified");
  }
  WorkloadClient client = makeClient(flags);

  JWTBundlesResponse bundles;
  const grpc::Status bundles_status = readFirst(
      client, JWTBundlesRequest(), bundles, [&](grpc::ClientContext* context, const auto& request) {
        return client.workload().FetchJWTBundles(context, request);
      });
  if (!bundles_status.ok()) {
    const std::string text = streamErrorText(client, bundles_status);
    return reportError(env, failedToOpen(client, bundles_status)
                                ? "failed to receive JWT bundles: " + text
                                : text);
  }

  JWTSVIDRequest request;
  for (const std::string& value : audience) {
    request.add_audience(value);
  }
  request.set_spiffe_id(flags.getString("spiffeID"));
  JWTSVIDResponse svids;
  std::unique_ptr<grpc::ClientContext> context = client.newContext();
  const grpc::Status svid_status = client.workload().FetchJWTSVID(context.get(), request, &svids);
  if (!svid_status.ok()) {
    return reportError(env, client.errorText(svid_status));
  }

  if (*format == cli::OutputFormat::kJson) {
    cli::printJsonMessages(env.out, {jwtSvidResponseJson(svids), jwtBundlesResponseJson(bundles)});
    return {};
  }
  for (const JWTSVID& svid : svids.svids()) {
    env.out << "token(" << svid.spiffe_id() << "):\n\t" << svid.svid() << "\n";
    if (!svid.hint().empty()) {
      env.out << "hint(" << svid.spiffe_id() << "):\n\t" << svid.hint() << "\n";
    }
  }
  // Sorted by trust domain (SPIRE ranges over a Go map: no particular order).
  const std::map<std::string, std::string> sorted(bundles.bundles().begin(),
                                                  bundles.bundles().end());
  for (const auto& [td, jwks] : sorted) {
    env.out << "bundle(" << td << "):\n\t" << jwks << "\n";
  }
  return {};
}

} // namespace spire::agent::commands
