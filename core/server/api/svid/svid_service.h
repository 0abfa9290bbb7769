#pragma once
// spire.api.server.svid.v1.SVID as SPIRE serves it (pkg/server/api/svid/v1/service.go):
//   MintX509SVID / MintJWTSVID   local and admin callers mint for any workload ID of the trust
//                                domain (the X.509 ID comes from the CSR's single URI SAN)
//   BatchNewX509SVID / NewJWTSVID  an agent gets SVIDs for the entries it is authorized for
//   NewDownstreamX509CA          UNIMPLEMENTED (CaManager has no downstream CA template yet)
//
// Issuance is the hot path of a running server: the entries an agent may use come from the
// in-memory AuthorizedEntriesIndex (one walk per request, no DataStore call), and signing reads
// CaManager's immutable snapshot without a lock.
//
// THREADS: gRPC handler threads, concurrently; the service holds no mutable state.
#include <grpcpp/server_context.h>

#include "server/api/authorizer.h"
#include "server/api/server_state.h"
#include "server/api/svid/svid_convert.h"
#include "spire/api/server/svid/v1/svid.grpc.pb.h"

namespace spire::server::api {

namespace svidv1 = ::spire::api::server::svid::v1;

class SvidService final : public svidv1::SVID::Service {
public:
  // LIFETIME: `state` and `authorizer` outlive the service.
  SvidService(ServerState& state, const Authorizer& authorizer)
      : state_(state), authorizer_(authorizer) {}

  grpc::Status MintX509SVID(grpc::ServerContext* context,
                            const svidv1::MintX509SVIDRequest* request,
                            svidv1::MintX509SVIDResponse* response) override;
  grpc::Status MintJWTSVID(grpc::ServerContext* context, const svidv1::MintJWTSVIDRequest* request,
                           svidv1::MintJWTSVIDResponse* response) override;
  grpc::Status BatchNewX509SVID(grpc::ServerContext* context,
                                const svidv1::BatchNewX509SVIDRequest* request,
                                svidv1::BatchNewX509SVIDResponse* response) override;
  grpc::Status NewJWTSVID(grpc::ServerContext* context, const svidv1::NewJWTSVIDRequest* request,
                          svidv1::NewJWTSVIDResponse* response) override;
  grpc::Status NewDownstreamX509CA(grpc::ServerContext* context,
                                   const svidv1::NewDownstreamX509CARequest* request,
                                   svidv1::NewDownstreamX509CAResponse* response) override;

private:
  // One BatchNewX509SVID result; `entry` is null when the caller is not authorized for the ID.
  void newX509Svid(const svidv1::NewX509SVIDParams& param, const plugin_host::Entry* entry,
                   svidv1::BatchNewX509SVIDResponse::Result* result) const;
  // SPIRE's mintJWTSVID: checks the ID and the audience, signs, reads back iat/exp.
  Status mintJwtSvid(Result<spiffe::SpiffeId> id,
                     const google::protobuf::RepeatedPtrField<std::string>& audience,
                     std::int32_t ttl, types::JWTSVID* out) const;

  ServerState& state_;
  const Authorizer& authorizer_;
};

} // namespace spire::server::api
