#pragma once

// The Workload API's security header (SPIFFE Workload Endpoint spec; SPIRE's middleware): every
// /SpiffeWorkloadAPI/ call carries metadata "workload.spiffe.io" exactly once, with value "true".
// It proves the request came from a gRPC client that meant to call the Workload API, not from a
// browser or proxy tricked into it (SSRF). Health and SDS do not need it.

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

namespace spire::agent::endpoints {

inline constexpr char kSecurityHeaderKey[] = "workload.spiffe.io";
inline constexpr char kSecurityHeaderMissing[] = "security header missing from request";

// OK, or InvalidArgument "security header missing from request".
grpc::Status checkSecurityHeader(const grpc::ServerContext& context);

} // namespace spire::agent::endpoints
