#pragma once
// The seam between the endpoints (which know the connection) and the services (which know the
// method): every RPC handler starts with
//
//   auto caller = authorizer_.authorize(*context, kMethodName);
//   if (!caller.isOk()) return toGrpcStatus(caller.status());
//
// The endpoints implement it with SPIRE's per-method policy (local, admin, downstream, agent,
// any) and the agent checks in SPIRE's order; service tests use a fixed caller.
#include <string_view>

#include <grpcpp/server_context.h>

#include "common/status.h"
#include "server/api/caller.h"

namespace spire::server::api {

class Authorizer {
public:
  virtual ~Authorizer() = default;
  // `full_method` is the gRPC path, e.g. "/spire.api.server.entry.v1.Entry/ListEntries".
  // Errors carry SPIRE's codes and messages (PermissionDenied "authorization denied for method
  // ...", Unauthenticated, ...). THREADS: any handler thread, concurrently.
  virtual Result<Caller> authorize(const grpc::ServerContext& context,
                                   std::string_view full_method) const = 0;
};

} // namespace spire::server::api
