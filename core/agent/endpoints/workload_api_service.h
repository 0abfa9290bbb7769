#pragma once

// The SpiffeWorkloadAPI gRPC service (spiffe-standards.md §6) over a WorkloadIdentitySource, with
// the SPIRE agent's status codes and messages (§6.4).
//
// API style: gRPC's synchronous API; each open stream holds one gRPC server thread for its whole
// life (parked in UpdateQueue::next). That costs one thread (~8 MiB virtual stack, a few KiB
// resident) per watching workload and bounds concurrent streams by the server's thread limit,
// which suits an agent with tens to a few hundred local workloads. To scale further, the same
// handlers map onto the callback API (ServerWriteReactor: the subscription callback starts a
// write, OnCancel/OnDone release the subscription) with no thread per stream.
//
// THREADS: handlers run on gRPC threads, concurrently. shutdown() may be called from any thread;
// it ends every open stream (Cancelled "context canceled", as SPIRE returns ctx.Err()) so that
// grpc::Server::Shutdown() never waits on a parked handler.

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "agent/endpoints/peer_tracker.h"
#include "agent/endpoints/update_queue.h"
#include "agent/endpoints/workload_identity_source.h"
#include "spiffe/trust_domain.h"
#include "spiffe/workload/workload.grpc.pb.h"

namespace spire::agent::endpoints {

struct WorkloadApiConfig {
  // The agent's trust domain; tokens of any other are "foreign" in ValidateJWTSVID.
  spiffe::TrustDomain trust_domain;
  // agent.allow_unauthenticated_verifiers: bundles for callers without identity.
  bool allow_unauthenticated_verifiers = false;
  // agent.allowed_foreign_jwt_claims: extra claims kept when validating foreign JWT-SVIDs.
  std::vector<std::string> allowed_foreign_jwt_claims;
};

class WorkloadApiService final : public SpiffeWorkloadAPI::Service {
public:
  WorkloadApiService(WorkloadApiConfig config, WorkloadIdentitySource& source,
                     const PeerTracker& peers);

  void shutdown();

  grpc::Status FetchX509SVID(grpc::ServerContext* context, const X509SVIDRequest* request,
                             grpc::ServerWriter<X509SVIDResponse>* writer) override;
  grpc::Status FetchX509Bundles(grpc::ServerContext* context, const X509BundlesRequest* request,
                                grpc::ServerWriter<X509BundlesResponse>* writer) override;
  grpc::Status FetchJWTSVID(grpc::ServerContext* context, const JWTSVIDRequest* request,
                            JWTSVIDResponse* response) override;
  grpc::Status FetchJWTBundles(grpc::ServerContext* context, const JWTBundlesRequest* request,
                               grpc::ServerWriter<JWTBundlesResponse>* writer) override;
  grpc::Status ValidateJWTSVID(grpc::ServerContext* context, const ValidateJWTSVIDRequest* request,
                               ValidateJWTSVIDResponse* response) override;
  grpc::Status FetchWITSVID(grpc::ServerContext* context, const WITSVIDRequest* request,
                            grpc::ServerWriter<WITSVIDResponse>* writer) override;
  grpc::Status FetchWITBundles(grpc::ServerContext* context, const WITBundlesRequest* request,
                               grpc::ServerWriter<WITBundlesResponse>* writer) override;

private:
  // Peer credentials -> attestation -> the caller is still the same process. Any failure is
  // Unavailable "workload attestation failed" (Cancelled "context canceled" if the call is).
  Result<Selectors> attestCaller(grpc::ServerContext& context);

  // The loop shared by the three streams. `compose` turns a snapshot into the message to send;
  // with `dedup`, a message equal to the previous one is not resent (SPIRE's proto.Equal).
  template <class Response, class Compose>
  grpc::Status serveStream(grpc::ServerContext& context, grpc::ServerWriter<Response>& writer,
                           bool dedup, Compose compose);

  bool registerQueue(UpdateQueue& queue);
  void unregisterQueue(UpdateQueue& queue);

  const WorkloadApiConfig config_;
  WorkloadIdentitySource& source_;
  const PeerTracker& peers_;

  std::mutex mutex_;
  std::set<UpdateQueue*> open_streams_; // guarded by mutex_
  bool shutting_down_ = false;          // guarded by mutex_
};

} // namespace spire::agent::endpoints
