#pragma once

// grpc.health.v1.Health on the public socket, from our own proto (not gRPC's built-in default
// health service, which registers the same name). As SPIRE's agent, Check exercises the Workload
// API for real: it attests the agent's own process, takes its snapshot and builds the X.509-SVID
// response; "no identity issued" still counts as serving (the agent itself usually has no
// registration entry), any other failure answers NOT_SERVING.
//
// THREADS: handlers run on gRPC threads, concurrently; the class has no mutable state.

#include "agent/endpoints/workload_identity_source.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace spire::agent::endpoints {

class HealthService final : public grpc::health::v1::Health::Service {
public:
  explicit HealthService(WorkloadIdentitySource& source) : source_(source) {}

  // A non-empty service name: InvalidArgument "per-service health is not supported".
  grpc::Status Check(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::health::v1::HealthCheckResponse* response) override;

private:
  WorkloadIdentitySource& source_;
};

} // namespace spire::agent::endpoints
