#include "agent/endpoints/health_service.h"

#include <unistd.h>

#include "agent/endpoints/workload_responses.h"

namespace spire::agent::endpoints {

namespace {

using grpc::health::v1::HealthCheckResponse;

// The X.509 fetch the agent's own Workload API client would make.
bool x509FetchWorks(WorkloadIdentitySource& source) {
  Result<CallerCredentials> self = []() -> Result<CallerCredentials> {
    CallerCredentials caller;
    caller.pid = ::getpid();
    caller.uid = ::getuid();
    caller.gid = ::getgid();
    Result<uint64_t> start = processStartTime(caller.pid);
    if (!start) {
      return start.status();
    }
    caller.start_time = *start;
    return caller;
  }();
  if (!self) {
    return false;
  }
  Result<Selectors> selectors = source.attest(*self);
  if (!selectors) {
    return false;
  }
  const IdentitySnapshotPtr snapshot = source.identitiesFor(*selectors);
  Result<X509SVIDResponse> response = composeX509SvidResponse(*snapshot);
  return response.isOk() || response.status().code() == StatusCode::kPermissionDenied;
}

} // namespace

grpc::Status HealthService::Check(grpc::ServerContext* /*context*/,
                                  const grpc::health::v1::HealthCheckRequest* request,
                                  HealthCheckResponse* response) {
  if (!request->service().empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "per-service health is not supported"};
  }
  response->set_status(x509FetchWorks(source_) ? HealthCheckResponse::SERVING
                                               : HealthCheckResponse::NOT_SERVING);
  return grpc::Status::OK;
}

} // namespace spire::agent::endpoints
