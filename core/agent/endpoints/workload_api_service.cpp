#include "agent/endpoints/workload_api_service.h"

#include <google/protobuf/util/message_differencer.h>

#include "agent/endpoints/security_header.h"
#include "agent/endpoints/workload_responses.h"
#include "jwt/jwt_svid.h"

namespace spire::agent::endpoints {

namespace {

grpc::Status toGrpc(const Status& status) {
  return {static_cast<grpc::StatusCode>(status.code()), status.message()};
}

grpc::Status contextCanceled() {
  return {grpc::StatusCode::CANCELLED, "context canceled"};
}

} // namespace

WorkloadApiService::WorkloadApiService(WorkloadApiConfig config, WorkloadIdentitySource& source,
                                       const PeerTracker& peers)
    : config_(std::move(config)), source_(source), peers_(peers) {}

void WorkloadApiService::shutdown() {
  std::lock_guard<std::mutex> lock(mutex_);
  shutting_down_ = true;
  for (UpdateQueue* queue : open_streams_) {
    queue->close();
  }
}

bool WorkloadApiService::registerQueue(UpdateQueue& queue) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (shutting_down_) {
    return false;
  }
  open_streams_.insert(&queue);
  return true;
}

void WorkloadApiService::unregisterQueue(UpdateQueue& queue) {
  std::lock_guard<std::mutex> lock(mutex_);
  open_streams_.erase(&queue);
}

Result<Selectors> WorkloadApiService::attestCaller(grpc::ServerContext& context) {
  const Status failed(StatusCode::kUnavailable, "workload attestation failed");
  Result<CallerCredentials> caller = peers_.lookup(context.peer());
  if (!caller) {
    return failed;
  }
  Result<Selectors> selectors = source_.attest(*caller);
  if (!selectors) {
    if (context.IsCancelled()) {
      return Status(StatusCode::kCancelled, "context canceled");
    }
    return failed;
  }
  // The attestor looked at whatever process had the PID at that moment; make sure it was still
  // the one that connected (SPIRE's watcher.IsAlive after Attest).
  if (!checkSameProcess(*caller).isOk()) {
    return failed;
  }
  return selectors;
}

template <class Response, class Compose>
grpc::Status WorkloadApiService::serveStream(grpc::ServerContext& context,
                                             grpc::ServerWriter<Response>& writer, bool dedup,
                                             Compose compose) {
  if (grpc::Status header = checkSecurityHeader(context); !header.ok()) {
    return header;
  }
  Result<Selectors> selectors = attestCaller(context);
  if (!selectors) {
    return toGrpc(selectors.status());
  }
  // Subscribe before taking the first snapshot, so that no change falls in between.
  auto queue = std::make_shared<UpdateQueue>();
  Result<SubscriptionPtr> subscription = source_.subscribe(
      *selectors, [queue](IdentitySnapshotPtr snapshot) { queue->push(std::move(snapshot)); });
  if (!subscription) {
    return {grpc::StatusCode::UNKNOWN, subscription.status().message()};
  }
  if (!registerQueue(*queue)) {
    return contextCanceled();
  }
  struct Unregister {
    WorkloadApiService& service;
    UpdateQueue& queue;
    ~Unregister() { service.unregisterQueue(queue); }
  } unregister{*this, *queue};

  std::optional<Response> previous;
  IdentitySnapshotPtr snapshot = source_.identitiesFor(*selectors);
  while (snapshot != nullptr) {
    Result<Response> response = compose(*snapshot);
    if (!response) {
      return toGrpc(response.status());
    }
    const bool repeat = dedup && previous.has_value() &&
                        google::protobuf::util::MessageDifferencer::Equals(*previous, *response);
    if (!repeat) {
      if (!writer.Write(*response)) {
        return contextCanceled();
      }
      previous = std::move(*response);
    }
    snapshot = queue->next(context);
  }
  return contextCanceled();
}

grpc::Status WorkloadApiService::FetchX509SVID(grpc::ServerContext* context,
                                               const X509SVIDRequest* /*request*/,
                                               grpc::ServerWriter<X509SVIDResponse>* writer) {
  return serveStream(*context, *writer, /*dedup=*/false, [](const IdentitySnapshot& snapshot) {
    return composeX509SvidResponse(snapshot);
  });
}

grpc::Status WorkloadApiService::FetchX509Bundles(grpc::ServerContext* context,
                                                  const X509BundlesRequest* /*request*/,
                                                  grpc::ServerWriter<X509BundlesResponse>* writer) {
  const bool allow = config_.allow_unauthenticated_verifiers;
  return serveStream(*context, *writer, /*dedup=*/true, [allow](const IdentitySnapshot& snapshot) {
    return composeX509BundlesResponse(snapshot, allow);
  });
}

grpc::Status WorkloadApiService::FetchJWTBundles(grpc::ServerContext* context,
                                                 const JWTBundlesRequest* /*request*/,
                                                 grpc::ServerWriter<JWTBundlesResponse>* writer) {
  const bool allow = config_.allow_unauthenticated_verifiers;
  return serveStream(*context, *writer, /*dedup=*/true, [allow](const IdentitySnapshot& snapshot) {
    return composeJwtBundlesResponse(snapshot, allow);
  });
}

grpc::Status WorkloadApiService::FetchJWTSVID(grpc::ServerContext* context,
                                              const JWTSVIDRequest* request,
                                              JWTSVIDResponse* response) {
  if (grpc::Status header = checkSecurityHeader(*context); !header.ok()) {
    return header;
  }
  if (request->audience_size() == 0) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "audience must be specified"};
  }
  std::optional<spiffe::SpiffeId> wanted;
  if (!request->spiffe_id().empty()) {
    Result<spiffe::SpiffeId> id = spiffe::SpiffeId::parse(request->spiffe_id());
    if (!id) {
      return {grpc::StatusCode::INVALID_ARGUMENT,
              "invalid requested SPIFFE ID: " + id.status().message()};
    }
    wanted = *id;
  }
  Result<Selectors> selectors = attestCaller(*context);
  if (!selectors) {
    return toGrpc(selectors.status());
  }
  const std::vector<std::string> audience(request->audience().begin(), request->audience().end());
  const IdentitySnapshotPtr snapshot = source_.identitiesFor(*selectors);
  for (const auto& svid : filterByHint(snapshot->svids)) {
    if (wanted.has_value() && svid->id != *wanted) {
      continue;
    }
    Result<std::string> token = source_.fetchJwtSvid(*selectors, svid->id, audience);
    if (!token) {
      return {grpc::StatusCode::UNAVAILABLE,
              "could not fetch JWT-SVID: " + token.status().message()};
    }
    JWTSVID* out = response->add_svids();
    out->set_spiffe_id(svid->id.toString());
    out->set_svid(std::move(*token));
    out->set_hint(svid->hint);
  }
  if (response->svids_size() == 0) {
    return {grpc::StatusCode::PERMISSION_DENIED, std::string(kNoIdentityIssued)};
  }
  return grpc::Status::OK;
}

grpc::Status WorkloadApiService::ValidateJWTSVID(grpc::ServerContext* context,
                                                 const ValidateJWTSVIDRequest* request,
                                                 ValidateJWTSVIDResponse* response) {
  if (grpc::Status header = checkSecurityHeader(*context); !header.ok()) {
    return header;
  }
  if (request->audience().empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "audience must be specified"};
  }
  if (request->svid().empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "svid must be specified"};
  }
  Result<Selectors> selectors = attestCaller(*context);
  if (!selectors) {
    return toGrpc(selectors.status());
  }
  // The keys of the own trust domain plus those the caller federates with.
  const IdentitySnapshotPtr snapshot = source_.identitiesFor(*selectors);
  jwt::JwtBundleSet keys;
  if (snapshot->jwt_bundle != nullptr) {
    keys.add(*snapshot->jwt_bundle);
  }
  for (const auto& bundle : snapshot->federated_jwt_bundles) {
    keys.add(*bundle);
  }
  Result<jwt::JwtSvid> svid = jwt::validateTokenSpire(request->svid(), keys, {request->audience()},
                                                      std::chrono::system_clock::now());
  if (!svid) {
    return {grpc::StatusCode::INVALID_ARGUMENT, svid.status().message()};
  }
  const bool foreign = svid->id.trustDomain() != config_.trust_domain;
  Result<google::protobuf::Struct> claims =
      claimsToStruct(svid->claims, foreign, config_.allowed_foreign_jwt_claims);
  if (!claims) {
    return toGrpc(claims.status());
  }
  response->set_spiffe_id(svid->id.toString());
  *response->mutable_claims() = std::move(*claims);
  return grpc::Status::OK;
}

grpc::Status WorkloadApiService::FetchWITSVID(grpc::ServerContext* context,
                                              const WITSVIDRequest* /*request*/,
                                              grpc::ServerWriter<WITSVIDResponse>* /*writer*/) {
  if (grpc::Status header = checkSecurityHeader(*context); !header.ok()) {
    return header;
  }
  return {grpc::StatusCode::UNIMPLEMENTED, "fetching WIT-SVIDs is not implemented"};
}

grpc::Status
WorkloadApiService::FetchWITBundles(grpc::ServerContext* context,
                                    const WITBundlesRequest* /*request*/,
                                    grpc::ServerWriter<WITBundlesResponse>* /*writer*/) {
  if (grpc::Status header = checkSecurityHeader(*context); !header.ok()) {
    return header;
  }
  return {grpc::StatusCode::UNIMPLEMENTED, "fetching WIT bundles is not implemented"};
}

} // namespace spire::agent::endpoints
