#pragma once
// spire.api.server.bundle.v1.Bundle: the server's own trust bundle and federated bundles, backed
// by the datastore (records keyed by trust domain name, as the CA manager writes the own bundle).
// Codes and messages follow SPIRE's pkg/server/api/bundle/v1/service.go.
//
// Deleting a federated bundle in DELETE or DISSOCIATE mode changes registration entries too; the
// index is updated after the datastore commit, as for every entry write.
//
// THREADS: gRPC handler threads, concurrently; no mutable state of its own.
#include "server/api/authorizer.h"
#include "server/api/server_state.h"
#include "spire/api/server/bundle/v1/bundle.grpc.pb.h"

namespace spire::server::api::bundle {

namespace bundlev1 = ::spire::api::server::bundle::v1;

class BundleService final : public bundlev1::Bundle::Service {
public:
  // LIFETIME: `state` and `authorizer` outlive the service.
  BundleService(ServerState& state, const Authorizer& authorizer);

  grpc::Status CountBundles(grpc::ServerContext* context, const bundlev1::CountBundlesRequest* req,
                            bundlev1::CountBundlesResponse* resp) override;
  grpc::Status GetBundle(grpc::ServerContext* context, const bundlev1::GetBundleRequest* req,
                         ::spire::api::types::Bundle* resp) override;
  grpc::Status AppendBundle(grpc::ServerContext* context, const bundlev1::AppendBundleRequest* req,
                            ::spire::api::types::Bundle* resp) override;
  // As SPIRE's CA manager: with an UpstreamAuthority that publishes JWT keys the key goes
  // upstream and the upstream's keys are returned (and added to the local bundle); without one,
  // or when the plugin answers UNIMPLEMENTED, the key is appended to the local bundle.
  grpc::Status PublishJWTAuthority(grpc::ServerContext* context,
                                   const bundlev1::PublishJWTAuthorityRequest* req,
                                   bundlev1::PublishJWTAuthorityResponse* resp) override;
  grpc::Status ListFederatedBundles(grpc::ServerContext* context,
                                    const bundlev1::ListFederatedBundlesRequest* req,
                                    bundlev1::ListFederatedBundlesResponse* resp) override;
  grpc::Status GetFederatedBundle(grpc::ServerContext* context,
                                  const bundlev1::GetFederatedBundleRequest* req,
                                  ::spire::api::types::Bundle* resp) override;
  grpc::Status
  BatchCreateFederatedBundle(grpc::ServerContext* context,
                             const bundlev1::BatchCreateFederatedBundleRequest* req,
                             bundlev1::BatchCreateFederatedBundleResponse* resp) override;
  grpc::Status
  BatchUpdateFederatedBundle(grpc::ServerContext* context,
                             const bundlev1::BatchUpdateFederatedBundleRequest* req,
                             bundlev1::BatchUpdateFederatedBundleResponse* resp) override;
  grpc::Status BatchSetFederatedBundle(grpc::ServerContext* context,
                                       const bundlev1::BatchSetFederatedBundleRequest* req,
                                       bundlev1::BatchSetFederatedBundleResponse* resp) override;
  grpc::Status
  BatchDeleteFederatedBundle(grpc::ServerContext* context,
                             const bundlev1::BatchDeleteFederatedBundleRequest* req,
                             bundlev1::BatchDeleteFederatedBundleResponse* resp) override;

private:
  // A federated trust domain argument: parsed, and not the server's own (`own_td_message` is
  // SPIRE's per-RPC refusal text).
  Result<spiffe::TrustDomain> federatedTrustDomain(const std::string& text,
                                                   std::string_view own_td_message) const;
  Status deleteFederatedBundle(const spiffe::TrustDomain& td, spire_delete_mode mode) const;

  ServerState& state_;
  const Authorizer& authorizer_;
};

} // namespace spire::server::api::bundle
