#pragma once
// SPIRE answers an agent denied by its agent check with PermissionDenied "authorization denied
// for method ..." plus a PermissionDeniedDetails{reason} in the status details (agents decide
// from the reason whether to re-attest or stop). Handlers return spire::Status, which has no
// details, so a server interceptor adds them: the PolicyAuthorizer records the reason for the
// call, and the interceptor, seeing that call send PermissionDenied, attaches a google.rpc.Status
// {code, message, details: [Any(spire.api.types.PermissionDeniedDetails)]} as the binary error
// details (grpc-status-details-bin), the encoding grpc-go's status.FromError reads.
//
// THREADS: gRPC makes one interceptor per call, on its threads.
#include <memory>

#include <grpcpp/support/server_interceptor.h>

#include "server/endpoints/policy_authorizer.h"

namespace spire::server::endpoints {

class DenialDetailsInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
public:
  // LIFETIME: `authorizer` outlives the server.
  explicit DenialDetailsInterceptorFactory(const PolicyAuthorizer& authorizer)
      : authorizer_(authorizer) {}
  grpc::experimental::Interceptor*
  CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;

private:
  const PolicyAuthorizer& authorizer_;
};

} // namespace spire::server::endpoints
