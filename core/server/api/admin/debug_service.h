#pragma once
// spire.api.server.debug.v1.Debug GetInfo (SPIRE's pkg/server/api/debug/v1), local callers only:
// the server's uptime, the numbers of attested agents, registration entries and bundles (SPIRE
// reports CountBundles, its own bundle included, as federated_bundles_count), and the server's
// X.509-SVID chain as verified against the trust domain bundle in the datastore. The answer is
// cached for 5 s of the server clock, as SPIRE does. Errors (SPIRE's texts):
//   Internal "failed to count agents: <err>" / "failed to count entries: <err>" /
//            "failed to count bundles: <err>" / "failed to fetch trust domain bundle: <err>" /
//            "failed to parse bundle: <err>" / "failed verification against bundle: <err>"
//   NotFound "trust domain bundle not found"
//
// THREADS: handlers on gRPC threads; a mutex guards the cached answer.
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "crypto/openssl_ptr.h"
#include "server/api/authorizer.h"
#include "server/api/server_state.h"
#include "spire/api/server/debug/v1/debug.grpc.pb.h"

namespace spire::server::api {

namespace debugv1 = ::spire::api::server::debug::v1;

class DebugService final : public debugv1::Debug::Service {
public:
  // The server's current X.509-SVID chain, leaf first (ServerEndpoints::svidChain).
  using SvidSource = std::function<std::vector<crypto::X509Shared>()>;

  // LIFETIME: `state` and `authorizer` outlive the service. Uptime counts from construction.
  DebugService(ServerState& state, const Authorizer& authorizer);

  // Without a source (e.g. before the endpoints start) svid_chain is empty.
  void setSvidSource(SvidSource source);

  grpc::Status GetInfo(grpc::ServerContext* context, const debugv1::GetInfoRequest* request,
                       debugv1::GetInfoResponse* response) override;

private:
  Status refresh(debugv1::GetInfoResponse& out) const;
  Status svidChain(debugv1::GetInfoResponse& out) const;

  ServerState& state_;
  const Authorizer& authorizer_;
  const TimePoint started_;
  mutable std::mutex mutex_;
  SvidSource svid_source_;                         // guarded by mutex_
  std::optional<debugv1::GetInfoResponse> cached_; // guarded by mutex_
  TimePoint cached_at_;                            // guarded by mutex_
};

} // namespace spire::server::api
