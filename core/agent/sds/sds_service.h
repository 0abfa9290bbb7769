#pragma once

// envoy.service.secret.v3.SecretDiscoveryService as the SPIRE agent serves it on its public
// socket (spiffe-standards.md §7), over the same WorkloadIdentitySource as the Workload API.
// Register it with Endpoints::addService before start(). Unlike the Workload API it does not
// require the workload.spiffe.io header (Envoy does not send it).
//
// THREADS: handlers run on gRPC threads, concurrently. Each StreamSecrets call uses its gRPC
// thread plus one reader thread (the sync API cannot wait on "request or update" otherwise).
// shutdown() ends every open stream (Cancelled "context canceled").

#include <mutex>
#include <set>

#include "agent/endpoints/peer_tracker.h"
#include "agent/endpoints/workload_identity_source.h"
#include "agent/sds/sds_config.h"
#include "agent/sds/stream_events.h"
#include "envoy/service/secret/v3/sds.grpc.pb.h"

namespace spire::agent::sds {

class SdsService final : public envoy::service::secret::v3::SecretDiscoveryService::Service {
public:
  SdsService(SdsConfig config, endpoints::WorkloadIdentitySource& source,
             const endpoints::PeerTracker& peers);

  void shutdown();

  grpc::Status
  DeltaSecrets(grpc::ServerContext* context,
               grpc::ServerReaderWriter<envoy::service::discovery::v3::DeltaDiscoveryResponse,
                                        envoy::service::discovery::v3::DeltaDiscoveryRequest>*
                   stream) override;
  grpc::Status StreamSecrets(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<envoy::service::discovery::v3::DiscoveryResponse,
                               envoy::service::discovery::v3::DiscoveryRequest>* stream) override;
  grpc::Status FetchSecrets(grpc::ServerContext* context,
                            const envoy::service::discovery::v3::DiscoveryRequest* request,
                            envoy::service::discovery::v3::DiscoveryResponse* response) override;

private:
  Result<endpoints::Selectors> attestCaller(grpc::ServerContext& context);
  void log(std::string_view line) const;
  bool registerStream(StreamEvents& events);
  void unregisterStream(StreamEvents& events);

  const SdsConfig config_;
  endpoints::WorkloadIdentitySource& source_;
  const endpoints::PeerTracker& peers_;

  std::mutex mutex_;
  std::set<StreamEvents*> open_streams_; // guarded by mutex_
  bool shutting_down_ = false;           // guarded by mutex_
};

} // namespace spire::agent::sds
