#pragma once
// spire::Status carries gRPC codes already; this is the one place that turns it into the gRPC
// type returned by handlers.
#include <grpcpp/support/status.h>

#include "common/status.h"

namespace spire::server::api {

inline grpc::Status toGrpcStatus(const Status& status) {
  if (status.isOk()) {
    return grpc::Status::OK;
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

} // namespace spire::server::api
