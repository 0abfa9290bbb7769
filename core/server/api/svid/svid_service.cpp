#include "server/api/svid/svid_service.h"

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include "crypto/csr.h"
#include "server/api/grpc_status.h"
#include "server/api/svid/api_error.h"
#include "server/registration/entry_validation.h"

namespace spire::server::api {
namespace {

constexpr std::string_view kMintX509Svid = "/spire.api.server.svid.v1.SVID/MintX509SVID";
constexpr std::string_view kMintJwtSvid = "/spire.api.server.svid.v1.SVID/MintJWTSVID";
constexpr std::string_view kBatchNewX509Svid = "/spire.api.server.svid.v1.SVID/BatchNewX509SVID";
constexpr std::string_view kNewJwtSvid = "/spire.api.server.svid.v1.SVID/NewJWTSVID";
constexpr std::string_view kNewDownstreamX509Ca =
    "/spire.api.server.svid.v1.SVID/NewDownstreamX509CA";

// Below this many parameters a linear scan of the authorized entries beats building a hash map
// (an agent renewing one or two SVIDs is the common case).
constexpr std::size_t kLinearLookupLimit = 4;

// SPIRE's TTLs are Go durations where <= 0 means "the default"; ours refuse negative values.
std::chrono::seconds ttlSeconds(std::int32_t ttl) {
  return std::chrono::seconds(std::max<std::int32_t>(ttl, 0));
}

// The authorized entries of one request, searchable by entry ID.
class EntryLookup {
public:
  EntryLookup(const std::vector<registration::EntryPtr>& entries, std::size_t queries)
      : entries_(entries) {
    if (queries > kLinearLookupLimit) {
      by_id_.reserve(entries.size());
      for (const registration::EntryPtr& entry : entries) {
        by_id_.emplace(entry->entry_id, entry.get());
      }
    }
  }

  const plugin_host::Entry* find(std::string_view id) const {
    if (!by_id_.empty()) {
      auto it = by_id_.find(id);
      return it == by_id_.end() ? nullptr : it->second;
    }
    for (const registration::EntryPtr& entry : entries_) {
      if (entry->entry_id == id) {
        return entry.get();
      }
    }
    return nullptr;
  }

private:
  const std::vector<registration::EntryPtr>& entries_;
  std::unordered_map<std::string_view, const plugin_host::Entry*> by_id_;
};

void setStatus(types::Status* out, const Status& status) {
  out->set_code(static_cast<std::int32_t>(status.code()));
  out->set_message(status.isOk() ? "OK" : status.message());
}

Result<spiffe::SpiffeId> workloadIdFromString(const spiffe::TrustDomain& td,
                                              std::string_view text) {
  Result<spiffe::SpiffeId> id = spiffe::SpiffeId::parse(text);
  if (!id) {
    return id;
  }
  if (Status st = registration::verifyTrustDomainWorkloadId(td, *id); !st.isOk()) {
    return st;
  }
  return id;
}

} // namespace

grpc::Status SvidService::MintX509SVID(grpc::ServerContext* context,
                                       const svidv1::MintX509SVIDRequest* request,
                                       svidv1::MintX509SVIDResponse* response) {
  Result<Caller> caller = authorizer_.authorize(*context, kMintX509Svid);
  if (!caller) {
    return toGrpcStatus(caller.status());
  }
  spdlog::logger& log = state_.log();
  constexpr auto kInvalid = StatusCode::kInvalidArgument;
  if (request->csr().empty()) {
    return toGrpcStatus(makeError(log, kInvalid, "missing CSR"));
  }
  Result<crypto::X509ReqPtr> csr = crypto::parseCsrDer(request->csr());
  if (!csr) {
    return toGrpcStatus(makeError(log, kInvalid, "malformed CSR", csr.status()));
  }
  if (Status st = crypto::checkCsrSignature(**csr); !st.isOk()) {
    return toGrpcStatus(makeError(log, kInvalid, "failed to verify CSR signature", st));
  }
  const std::vector<std::string> uris = crypto::csrUriSans(**csr);
  if (uris.empty()) {
    return toGrpcStatus(makeError(log, kInvalid, "CSR URI SAN is required"));
  }
  if (uris.size() > 1) {
    return toGrpcStatus(makeError(log, kInvalid, "only one URI SAN is expected"));
  }
  Result<spiffe::SpiffeId> id = workloadIdFromString(state_.trust_domain, uris.front());
  if (!id) {
    return toGrpcStatus(makeError(log, kInvalid, "CSR URI SAN is invalid", id.status()));
  }
  std::vector<std::string> dns_names = crypto::csrDnsSans(**csr);
  for (const std::string& name : dns_names) {
    if (Status st = registration::validateDnsName(name); !st.isOk()) {
      return toGrpcStatus(makeError(log, kInvalid, "CSR DNS name is invalid", st));
    }
  }
  crypto::EvpPkeyPtr key = crypto::csrPublicKey(**csr);
  auto chain =
      state_.ca->signWorkloadX509Svid(*id, key.get(), ttlSeconds(request->ttl()), dns_names);
  if (!chain) {
    return toGrpcStatus(
        makeError(log, StatusCode::kInternal, "failed to sign X509-SVID", chain.status()));
  }
  fillX509Svid(*id, *chain, response->mutable_svid());
  log.debug("Signed X509 SVID for {}", id->toString());
  return grpc::Status::OK;
}

grpc::Status SvidService::MintJWTSVID(grpc::ServerContext* context,
                                      const svidv1::MintJWTSVIDRequest* request,
                                      svidv1::MintJWTSVIDResponse* response) {
  Result<Caller> caller = authorizer_.authorize(*context, kMintJwtSvid);
  if (!caller) {
    return toGrpcStatus(caller.status());
  }
  const types::SPIFFEID* proto_id = request->has_id() ? &request->id() : nullptr;
  return toGrpcStatus(mintJwtSvid(workloadIdFromProto(state_.trust_domain, proto_id),
                                  request->audience(), request->ttl(), response->mutable_svid()));
}

Status SvidService::mintJwtSvid(Result<spiffe::SpiffeId> id,
                                const google::protobuf::RepeatedPtrField<std::string>& audience,
                                std::int32_t ttl, types::JWTSVID* out) const {
  spdlog::logger& log = state_.log();
  if (!id) {
    return makeError(log, StatusCode::kInvalidArgument, "invalid SPIFFE ID", id.status());
  }
  if (audience.empty()) {
    return makeError(log, StatusCode::kInvalidArgument, "at least one audience is required");
  }
  Result<std::string> token = state_.ca->signJwtSvid(
      *id, std::vector<std::string>(audience.begin(), audience.end()), ttlSeconds(ttl));
  if (!token) {
    return makeError(log, StatusCode::kInternal, "failed to sign JWT-SVID", token.status());
  }
  Result<JwtTimes> times = jwtTimes(*token);
  if (!times) {
    return makeError(log, StatusCode::kInternal, "failed to get JWT-SVID expiry", times.status());
  }
  fillProtoId(*id, out->mutable_id());
  out->set_token(std::move(*token));
  out->set_issued_at(times->issued_at);
  out->set_expires_at(times->expires_at);
  return {};
}

grpc::Status SvidService::BatchNewX509SVID(grpc::ServerContext* context,
                                           const svidv1::BatchNewX509SVIDRequest* request,
                                           svidv1::BatchNewX509SVIDResponse* response) {
  Result<Caller> caller = authorizer_.authorize(*context, kBatchNewX509Svid);
  if (!caller) {
    return toGrpcStatus(caller.status());
  }
  spdlog::logger& log = state_.log();
  if (request->params().empty()) {
    return toGrpcStatus(makeError(log, StatusCode::kInvalidArgument, "missing parameters"));
  }
  if (!caller->id) {
    return toGrpcStatus(
        makeError(log, StatusCode::kInternal, "caller ID missing from request context"));
  }
  if (state_.index == nullptr) {
    return toGrpcStatus(makeError(log, StatusCode::kInternal,
                                  "failed to fetch registration entries", "no entry index"));
  }
  // One walk of the index for the whole batch; the entries stay alive while `authorized` does.
  const registration::AuthorizedEntries authorized =
      state_.index->authorizedEntries(caller->id->toString());
  const EntryLookup lookup(authorized.entries, static_cast<std::size_t>(request->params_size()));

  auto* results = response->mutable_results();
  results->Reserve(request->params_size());
  for (const svidv1::NewX509SVIDParams& param : request->params()) {
    const plugin_host::Entry* entry =
        param.entry_id().empty() ? nullptr : lookup.find(param.entry_id());
    newX509Svid(param, entry, results->Add());
  }
  return grpc::Status::OK;
}

void SvidService::newX509Svid(const svidv1::NewX509SVIDParams& param,
                              const plugin_host::Entry* entry,
                              svidv1::BatchNewX509SVIDResponse::Result* result) const {
  spdlog::logger& log = state_.log();
  auto fail = [&](StatusCode code, std::string_view msg, const Status& cause = {}) {
    setStatus(result->mutable_status(), makeError(log, code, msg, cause));
  };
  if (param.entry_id().empty()) {
    return fail(StatusCode::kInvalidArgument, "missing entry ID");
  }
  if (param.csr().empty()) {
    return fail(StatusCode::kInvalidArgument, "missing CSR");
  }
  if (entry == nullptr) {
    return fail(StatusCode::kNotFound, "entry not found or not authorized");
  }
  // IssuanceCsr: the same checks as parseCsrDer + checkCsrSignature without OpenSSL 3's
  // per-call key decoder and encoder, which cost more than the signatures themselves.
  Result<crypto::IssuanceCsr> csr = crypto::IssuanceCsr::parse(param.csr());
  if (!csr) {
    return fail(StatusCode::kInvalidArgument, "malformed CSR", csr.status());
  }
  if (Status st = csr->checkSignature(); !st.isOk()) {
    return fail(StatusCode::kInvalidArgument, "invalid CSR signature", st);
  }
  Result<spiffe::SpiffeId> id = spiffe::SpiffeId::parse(entry->spiffe_id);
  if (id) {
    if (Status st = registration::verifyTrustDomainMemberId(state_.trust_domain, *id); !st.isOk()) {
      id = st;
    }
  }
  if (!id) {
    // Only bad data in the datastore gets here.
    return fail(StatusCode::kInternal, "entry has malformed SPIFFE ID", id.status());
  }
  auto chain = state_.ca->signWorkloadX509SvidForKeyInfo(
      *id, csr->subjectPublicKeyInfo(), ttlSeconds(entry->x509_svid_ttl), entry->dns_names);
  if (!chain) {
    return fail(StatusCode::kInternal, "failed to sign X509-SVID", chain.status());
  }
  fillX509Svid(*id, *chain, result->mutable_svid());
  setStatus(result->mutable_status(), Status());
}

grpc::Status SvidService::NewJWTSVID(grpc::ServerContext* context,
                                     const svidv1::NewJWTSVIDRequest* request,
                                     svidv1::NewJWTSVIDResponse* response) {
  Result<Caller> caller = authorizer_.authorize(*context, kNewJwtSvid);
  if (!caller) {
    return toGrpcStatus(caller.status());
  }
  spdlog::logger& log = state_.log();
  if (!caller->id) {
    return toGrpcStatus(
        makeError(log, StatusCode::kInternal, "caller ID missing from request context"));
  }
  if (state_.index == nullptr) {
    return toGrpcStatus(makeError(log, StatusCode::kInternal,
                                  "failed to fetch registration entries", "no entry index"));
  }
  const registration::AuthorizedEntries authorized =
      state_.index->authorizedEntries(caller->id->toString());
  const plugin_host::Entry* entry =
      request->entry_id().empty() ? nullptr
                                  : EntryLookup(authorized.entries, 1).find(request->entry_id());
  if (entry == nullptr) {
    return toGrpcStatus(makeError(log, StatusCode::kNotFound, "entry not found or not authorized"));
  }
  return toGrpcStatus(mintJwtSvid(workloadIdFromString(state_.trust_domain, entry->spiffe_id),
                                  request->audience(), entry->jwt_svid_ttl,
                                  response->mutable_svid()));
}

grpc::Status SvidService::NewDownstreamX509CA(grpc::ServerContext* context,
                                              const svidv1::NewDownstreamX509CARequest*,
                                              svidv1::NewDownstreamX509CAResponse*) {
  Result<Caller> caller = authorizer_.authorize(*context, kNewDownstreamX509Ca);
  if (!caller) {
    return toGrpcStatus(caller.status());
  }
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                      "NewDownstreamX509CA is not implemented by this server");
}

} // namespace spire::server::api
