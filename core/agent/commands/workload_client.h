#pragma once

// The client side of the agent's public socket, as SPIRE's CLI commands use it: a gRPC channel
// over "unix:<path>", calls carrying the `workload.spiffe.io: true` header and the -timeout
// deadline, and failures rendered the way Go's gRPC prints them ("rpc error: code = ... desc =
// ..."), so that stderr reads as SPIRE's does.
//
// THREADS: a WorkloadClient may be used from several threads (gRPC stubs are thread-safe).

#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "spiffe/workload/workload.grpc.pb.h"

namespace spire::agent::commands {

class WorkloadClient {
public:
  // timeout <= 0 means no deadline (healthcheck, watch).
  WorkloadClient(std::string socket_path, std::chrono::nanoseconds timeout);

  // A context with the security header and, when a timeout is set, the deadline.
  std::unique_ptr<grpc::ClientContext> newContext(bool security_header = true) const;

  SpiffeWorkloadAPI::Stub& workload() { return *workload_; }
  grpc::health::v1::Health::Stub& health() { return *health_; }

  // Go's `status.Error(...).Error()` text for a failed call: "rpc error: code = <Code> desc =
  // <message>". gRPC C++ words two cases differently from grpc-go; they are translated:
  // a socket that cannot be dialled gives grpc-go's `connection error: desc = "transport: Error
  // while dialing: dial unix <path>: connect: <reason>"`, and an expired deadline grpc-go's
  // "context deadline exceeded".
  std::string errorText(const grpc::Status& status) const;

  const std::string& socketPath() const { return socket_path_; }

private:
  std::string socket_path_;
  std::chrono::nanoseconds timeout_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<SpiffeWorkloadAPI::Stub> workload_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

// grpc-go's codes.Code.String(): "PermissionDenied", "Unavailable", ...
std::string goCodeName(grpc::StatusCode code);

// "rpc error: code = <Code> desc = <message>".
std::string goRpcErrorText(grpc::StatusCode code, const std::string& message);

// Why connecting to the Unix socket at `path` fails, in Go's syscall wording ("no such file or
// directory", "connection refused"); empty when a connection can be made.
std::string unixDialError(const std::string& path);

} // namespace spire::agent::commands
