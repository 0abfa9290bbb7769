#include "agent/endpoints/security_header.h"

namespace spire::agent::endpoints {

grpc::Status checkSecurityHeader(const grpc::ServerContext& context) {
  const auto [begin, end] = context.client_metadata().equal_range(kSecurityHeaderKey);
  if (begin != end && std::next(begin) == end && begin->second == "true") {
    return grpc::Status::OK;
  }
  return {grpc::StatusCode::INVALID_ARGUMENT, kSecurityHeaderMissing};
}

} // namespace spire::agent::endpoints
