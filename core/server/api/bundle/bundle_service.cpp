#include "server/api/bundle/bundle_service.h"

#include <string>
#include <utility>
#include <vector>

#include "server/api/bundle/bundle_convert.h"
#include "server/api/grpc_status.h"

namespace spire::server::api::bundle {
namespace {

constexpr std::string_view kCountBundles = "/spire.api.server.bundle.v1.Bundle/CountBundles";
constexpr std::string_view kGetBundle = "/spire.api.server.bundle.v1.Bundle/GetBundle";
constexpr std::string_view kAppendBundle = "/spire.api.server.bundle.v1.Bundle/AppendBundle";
constexpr std::string_view kPublishJwtAuthority =
    "/spire.api.server.bundle.v1.Bundle/PublishJWTAuthority";
constexpr std::string_view kListFederatedBundles =
    "/spire.api.server.bundle.v1.Bundle/ListFederatedBundles";
constexpr std::string_view kGetFederatedBundle =
    "/spire.api.server.bundle.v1.Bundle/GetFederatedBundle";
constexpr std::string_view kBatchCreate =
    "/spire.api.server.bundle.v1.Bundle/BatchCreateFederatedBundle";
constexpr std::string_view kBatchUpdate =
    "/spire.api.server.bundle.v1.Bundle/BatchUpdateFederatedBundle";
constexpr std::string_view kBatchSet = "/spire.api.server.bundle.v1.Bundle/BatchSetFederatedBundle";
constexpr std::string_view kBatchDelete =
    "/spire.api.server.bundle.v1.Bundle/BatchDeleteFederatedBundle";

// SPIRE's api.MakeErr / MakeStatus: "<msg>" or "<msg>: <cause>".
Status makeError(StatusCode code, std::string_view message, const Status& cause = {}) {
  if (cause.isOk()) {
    return {code, std::string(message)};
  }
  return {code, std::string(message) + ": " + cause.message()};
}

void setStatus(types::Status* out, const Status& status) {
  out->set_code(static_cast<int>(status.code()));
  out->set_message(status.isOk() ? "" : status.message());
}

const types::BundleMask* maskOrNull(bool present, const types::BundleMask& mask) {
  return present ? &mask : nullptr;
}

// Converts a stored bundle into a batch result (status OK + masked bundle, or the error).
template <class BatchResult>
void fillResult(const plugin_host::Bundle& stored, const types::BundleMask* mask,
                BatchResult* result) {
  Result<types::Bundle> out = bundleToProto(stored, mask);
  if (!out) {
    setStatus(result->mutable_status(),
              makeError(StatusCode::kInternal, "failed to convert bundle", out.status()));
    return;
  }
  setStatus(result->mutable_status(), Status::ok());
  *result->mutable_bundle() = std::move(*out);
}

// What batch create, update and set do first for each bundle: the trust domain must be a
// federated one (checked by the caller into `td`) and the bundle must convert to a record.
Result<plugin_host::Bundle> federatedRecord(const Result<spiffe::TrustDomain>& td,
                                            const types::Bundle& in) {
  if (!td) {
    return td.status();
  }
  auto record = bundleFromProto(in);
  if (!record) {
    return makeError(StatusCode::kInvalidArgument, "failed to convert bundle", record.status());
  }
  return record;
}

} // namespace

BundleService::BundleService(ServerState& state, const Authorizer& authorizer)
    : state_(state), authorizer_(authorizer) {}

Result<spiffe::TrustDomain>
BundleService::federatedTrustDomain(const std::string& text,
                                    std::string_view own_td_message) const {
  Result<spiffe::TrustDomain> td = spiffe::TrustDomain::parse(text);
  if (!td) {
    return td.status().withPrefix("trust domain argument is not valid");
  }
  if (*td == state_.trust_domain) {
    return invalidArgument(std::string(own_td_message));
  }
  return td;
}

grpc::Status BundleService::CountBundles(grpc::ServerContext* context,
                                         const bundlev1::CountBundlesRequest*,
                                         bundlev1::CountBundlesResponse* resp) {
  auto caller = authorizer_.authorize(*context, kCountBundles);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  Result<std::int64_t> count = state_.datastore->countBundles();
  if (!count) {
    return toGrpcStatus(
        makeError(StatusCode::kInternal, "failed to count bundles", count.status()));
  }
  resp->set_count(static_cast<std::int32_t>(*count));
  return grpc::Status::OK;
}

grpc::Status BundleService::GetBundle(grpc::ServerContext* context,
                                      const bundlev1::GetBundleRequest* req, types::Bundle* resp) {
  auto caller = authorizer_.authorize(*context, kGetBundle);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  // The datastore, not the CA snapshot: only the stored bundle carries the sequence number,
  // refresh hint, tainted flags and appended authorities that SPIRE returns.
  auto fetched = state_.datastore->fetchBundle(state_.trust_domain.name());
  if (!fetched) {
    return toGrpcStatus(
        makeError(StatusCode::kInternal, "failed to fetch bundle", fetched.status()));
  }
  if (!fetched->has_value()) {
    return toGrpcStatus(notFound("bundle not found"));
  }
  Result<types::Bundle> out =
      bundleToProto(**fetched, maskOrNull(req->has_output_mask(), req->output_mask()));
  if (!out) {
    return toGrpcStatus(makeError(StatusCode::kInternal, "failed to convert bundle", out.status()));
  }
  *resp = std::move(*out);
  return grpc::Status::OK;
}

grpc::Status BundleService::AppendBundle(grpc::ServerContext* context,
                                         const bundlev1::AppendBundleRequest* req,
                                         types::Bundle* resp) {
  auto caller = authorizer_.authorize(*context, kAppendBundle);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  if (req->jwt_authorities().empty() && req->x509_authorities().empty()) {
    return toGrpcStatus(invalidArgument("no authorities to append"));
  }
  auto jwt = parseJwtAuthorities(req->jwt_authorities());
  if (!jwt) {
    return toGrpcStatus(
        makeError(StatusCode::kInvalidArgument, "failed to convert JWT authority", jwt.status()));
  }
  auto x509 = parseX509Authorities(req->x509_authorities());
  if (!x509) {
    return toGrpcStatus(makeError(StatusCode::kInvalidArgument, "failed to convert X.509 authority",
                                  x509.status()));
  }
  plugin_host::Bundle addition;
  addition.trust_domain = state_.trust_domain.name();
  addition.jwt_authorities = std::move(*jwt);
  addition.x509_authorities = std::move(*x509);
  auto appended = state_.datastore->appendBundle(addition);
  if (!appended) {
    return toGrpcStatus(
        makeError(StatusCode::kInternal, "failed to append bundle", appended.status()));
  }
  Result<types::Bundle> out =
      bundleToProto(*appended, maskOrNull(req->has_output_mask(), req->output_mask()));
  if (!out) {
    return toGrpcStatus(makeError(StatusCode::kInternal, "failed to convert bundle", out.status()));
  }
  *resp = std::move(*out);
  return grpc::Status::OK;
}

grpc::Status BundleService::PublishJWTAuthority(grpc::ServerContext* context,
                                                const bundlev1::PublishJWTAuthorityRequest* req,
                                                bundlev1::PublishJWTAuthorityResponse* resp) {
  auto caller = authorizer_.authorize(*context, kPublishJwtAuthority);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  if (!req->has_jwt_authority()) {
    return toGrpcStatus(invalidArgument("missing JWT authority"));
  }
  google::protobuf::RepeatedPtrField<types::JWTKey> one;
  *one.Add() = req->jwt_authority();
  auto keys = parseJwtAuthorities(one);
  if (!keys) {
    return toGrpcStatus(
        makeError(StatusCode::kInvalidArgument, "invalid JWT authority", keys.status()));
  }
  std::vector<plugin_host::JwtKey> to_append = *keys;
  const plugin_host::UpstreamAuthorityPlugin* upstream =
      state_.catalog != nullptr ? state_.catalog->upstreamAuthority() : nullptr;
  if (upstream != nullptr) {
    // Only the first answer is used: the update stream is closed at once (the CA manager's
    // upstream client is what follows the upstream bundle over time).
    auto published = upstream->publishJwtKey(keys->front(), plugin_host::UpstreamHandlers{});
    if (published) {
      to_append = std::move(published->upstream_jwt_keys);
    } else if (published.status().code() != StatusCode::kUnimplemented) {
      return toGrpcStatus(
          makeError(StatusCode::kInternal, "failed to publish JWT key", published.status()));
    }
    // UNIMPLEMENTED: the plugin does not publish JWT keys; keep the key local, as SPIRE does.
  }
  plugin_host::Bundle addition;
  addition.trust_domain = state_.trust_domain.name();
  addition.jwt_authorities = std::move(to_append);
  auto appended = state_.datastore->appendBundle(addition);
  if (!appended) {
    return toGrpcStatus(
        makeError(StatusCode::kInternal, "failed to publish JWT key", appended.status()));
  }
  for (const plugin_host::JwtKey& key : appended->jwt_authorities) {
    jwtKeyToProto(key, resp->add_jwt_authorities());
  }
  return grpc::Status::OK;
}

grpc::Status BundleService::ListFederatedBundles(grpc::ServerContext* context,
                                                 const bundlev1::ListFederatedBundlesRequest* req,
                                                 bundlev1::ListFederatedBundlesResponse* resp) {
  auto caller = authorizer_.authorize(*context, kListFederatedBundles);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  plugin_host::Pagination page;
  if (req->page_size() > 0) {
    page.page_size = req->page_size();
    page.token = req->page_token();
  }
  auto listed = state_.datastore->listBundles(page);
  if (!listed) {
    return toGrpcStatus(
        makeError(StatusCode::kInternal, "failed to list bundles", listed.status()));
  }
  const types::BundleMask* mask = maskOrNull(req->has_output_mask(), req->output_mask());
  for (const plugin_host::Bundle& stored : listed->items) {
    Result<spiffe::TrustDomain> td = spiffe::TrustDomain::parse(stored.trust_domain);
    if (!td) {
      return toGrpcStatus(
          makeError(StatusCode::kInternal, "bundle has an invalid trust domain ID", td.status()));
    }
    // The server's own bundle is not federated; like SPIRE, a page may therefore hold one
    // bundle fewer than page_size.
    if (*td == state_.trust_domain) {
      continue;
    }
    Result<types::Bundle> out = bundleToProto(stored, mask);
    if (!out) {
      return toGrpcStatus(
          makeError(StatusCode::kInternal, "failed to convert bundle", out.status()));
    }
    *resp->add_bundles() = std::move(*out);
  }
  resp->set_next_page_token(listed->next_token);
  return grpc::Status::OK;
}

grpc::Status BundleService::GetFederatedBundle(grpc::ServerContext* context,
                                               const bundlev1::GetFederatedBundleRequest* req,
                                               types::Bundle* resp) {
  auto caller = authorizer_.authorize(*context, kGetFederatedBundle);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  auto td = federatedTrustDomain(
      req->trust_domain(),
      "getting a federated bundle for the server's own trust domain is not allowed");
  if (!td) {
    return toGrpcStatus(td.status());
  }
  auto fetched = state_.datastore->fetchBundle(td->name());
  if (!fetched) {
    return toGrpcStatus(
        makeError(StatusCode::kInternal, "failed to fetch bundle", fetched.status()));
  }
  if (!fetched->has_value()) {
    return toGrpcStatus(notFound("bundle not found"));
  }
  Result<types::Bundle> out =
      bundleToProto(**fetched, maskOrNull(req->has_output_mask(), req->output_mask()));
  if (!out) {
    return toGrpcStatus(makeError(StatusCode::kInternal, "failed to convert bundle", out.status()));
  }
  *resp = std::move(*out);
  return grpc::Status::OK;
}

grpc::Status
BundleService::BatchCreateFederatedBundle(grpc::ServerContext* context,
                                          const bundlev1::BatchCreateFederatedBundleRequest* req,
                                          bundlev1::BatchCreateFederatedBundleResponse* resp) {
  auto caller = authorizer_.authorize(*context, kBatchCreate);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  const types::BundleMask* mask = maskOrNull(req->has_output_mask(), req->output_mask());
  for (const types::Bundle& in : req->bundle()) {
    auto* result = resp->add_results();
    auto record = federatedRecord(
        federatedTrustDomain(
            in.trust_domain(),
            "creating a federated bundle for the server's own trust domain is not allowed"),
        in);
    if (!record) {
      setStatus(result->mutable_status(), record.status());
      continue;
    }
    auto created = state_.datastore->createBundle(*record);
    if (!created) {
      setStatus(
          result->mutable_status(),
          created.status().code() == StatusCode::kAlreadyExists
              ? Status(StatusCode::kAlreadyExists, "bundle already exists")
              : makeError(StatusCode::kInternal, "unable to create bundle", created.status()));
      continue;
    }
    fillResult(*created, mask, result);
  }
  return grpc::Status::OK;
}

grpc::Status
BundleService::BatchUpdateFederatedBundle(grpc::ServerContext* context,
                                          const bundlev1::BatchUpdateFederatedBundleRequest* req,
                                          bundlev1::BatchUpdateFederatedBundleResponse* resp) {
  auto caller = authorizer_.authorize(*context, kBatchUpdate);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  const types::BundleMask* input = maskOrNull(req->has_input_mask(), req->input_mask());
  const types::BundleMask* output = maskOrNull(req->has_output_mask(), req->output_mask());
  for (const types::Bundle& in : req->bundle()) {
    auto* result = resp->add_results();
    auto record = federatedRecord(
        federatedTrustDomain(
            in.trust_domain(),
            "updating a federated bundle for the server's own trust domain is not allowed"),
        in);
    if (!record) {
      setStatus(result->mutable_status(), record.status());
      continue;
    }
    auto updated = state_.datastore->updateBundle(*record, datastoreBundleMask(input));
    if (!updated) {
      const bool missing = updated.status().code() == StatusCode::kNotFound;
      setStatus(
          result->mutable_status(),
          missing ? makeError(StatusCode::kNotFound, "bundle not found", updated.status())
                  : makeError(StatusCode::kInternal, "failed to update bundle", updated.status()));
      continue;
    }
    fillResult(*updated, output, result);
  }
  return grpc::Status::OK;
}

grpc::Status
BundleService::BatchSetFederatedBundle(grpc::ServerContext* context,
                                       const bundlev1::BatchSetFederatedBundleRequest* req,
                                       bundlev1::BatchSetFederatedBundleResponse* resp) {
  auto caller = authorizer_.authorize(*context, kBatchSet);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  const types::BundleMask* mask = maskOrNull(req->has_output_mask(), req->output_mask());
  for (const types::Bundle& in : req->bundle()) {
    auto* result = resp->add_results();
    auto record = federatedRecord(
        federatedTrustDomain(
            in.trust_domain(),
            "setting a federated bundle for the server's own trust domain is not allowed"),
        in);
    if (!record) {
      setStatus(result->mutable_status(), record.status());
      continue;
    }
    auto stored = state_.datastore->setBundle(*record);
    if (!stored) {
      setStatus(result->mutable_status(),
                makeError(StatusCode::kInternal, "failed to set bundle", stored.status()));
      continue;
    }
    fillResult(*stored, mask, result);
  }
  return grpc::Status::OK;
}

grpc::Status
BundleService::BatchDeleteFederatedBundle(grpc::ServerContext* context,
                                          const bundlev1::BatchDeleteFederatedBundleRequest* req,
                                          bundlev1::BatchDeleteFederatedBundleResponse* resp) {
  auto caller = authorizer_.authorize(*context, kBatchDelete);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  spire_delete_mode mode = SPIRE_DELETE_RESTRICT;
  switch (req->mode()) {
  case bundlev1::BatchDeleteFederatedBundleRequest::RESTRICT:
    mode = SPIRE_DELETE_RESTRICT;
    break;
  case bundlev1::BatchDeleteFederatedBundleRequest::DELETE:
    mode = SPIRE_DELETE_DELETE;
    break;
  case bundlev1::BatchDeleteFederatedBundleRequest::DISSOCIATE:
    mode = SPIRE_DELETE_DISSOCIATE;
    break;
  default:
    // Go's %q of an unknown enum value quotes its number.
    return toGrpcStatus(invalidArgument("failed to parse deletion mode: unhandled delete mode \"" +
                                        std::to_string(static_cast<int>(req->mode())) + "\""));
  }
  for (const std::string& text : req->trust_domains()) {
    auto* result = resp->add_results();
    result->set_trust_domain(text);
    auto td = federatedTrustDomain(
        text, "removing the bundle for the server trust domain is not allowed");
    if (!td) {
      setStatus(result->mutable_status(), td.status());
      continue;
    }
    setStatus(result->mutable_status(), deleteFederatedBundle(*td, mode));
  }
  return grpc::Status::OK;
}

Status BundleService::deleteFederatedBundle(const spiffe::TrustDomain& td,
                                            spire_delete_mode mode) const {
  // DELETE and DISSOCIATE rewrite the entries that federate with the bundle; note them first so
  // the index can follow once the datastore committed. (An entry linked to the bundle between
  // this read and the delete is picked up by the index's next full rebuild.)
  std::vector<std::string> affected;
  if (mode != SPIRE_DELETE_RESTRICT && state_.index != nullptr) {
    plugin_host::EntryFilter filter;
    filter.federates_with = std::vector<std::string>{td.name()};
    filter.federates_with_match = SPIRE_MATCH_ANY;
    auto listed = state_.datastore->listEntries(&filter, plugin_host::Pagination{});
    if (!listed) {
      return makeError(StatusCode::kInternal, "failed to delete federated bundle", listed.status());
    }
    for (const plugin_host::Entry& entry : listed->items) {
      affected.push_back(entry.entry_id);
    }
  }
  Status deleted = state_.datastore->deleteBundle(td.name(), mode);
  if (!deleted.isOk()) {
    if (deleted.code() == StatusCode::kNotFound) {
      return makeError(StatusCode::kNotFound, "bundle not found", deleted);
    }
    return makeError(deleted.code() == StatusCode::kUnknown ? StatusCode::kInternal
                                                            : deleted.code(),
                     "failed to delete federated bundle", deleted);
  }
  if (affected.empty()) {
    return Status::ok();
  }
  if (mode == SPIRE_DELETE_DELETE) {
    for (const std::string& id : affected) {
      state_.index->removeEntry(id);
    }
    return Status::ok();
  }
  auto refreshed = state_.datastore->fetchEntries(affected);
  if (!refreshed) {
    // The bundle is gone either way; the index catches up at its next rebuild.
    state_.log().error("Failed to reload entries dissociated from {}: {}", td.name(),
                       refreshed.status().message());
    return Status::ok();
  }
  for (plugin_host::Entry& entry : *refreshed) {
    state_.index->upsertEntry(std::move(entry));
  }
  return Status::ok();
}

} // namespace spire::server::api::bundle
