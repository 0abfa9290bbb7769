#include "agent/manager/server_client.h"

#include <set>

#include "agent/manager/convert.h"

namespace spire::agent::manager {

namespace agentv1 = spire::api::server::agent::v1;
namespace entryv1 = spire::api::server::entry::v1;
namespace svidv1 = spire::api::server::svid::v1;
namespace bundlev1 = spire::api::server::bundle::v1;
namespace changesv1 = spirecpp::server::changes::v1;

Status fromGrpc(const grpc::Status& status) {
  if (status.ok()) {
    return Status::ok();
  }
  return {static_cast<StatusCode>(status.error_code()), status.error_message()};
}

ServerClient::ServerClient(std::shared_ptr<grpc::Channel> channel,
                           std::chrono::milliseconds timeout)
    : channel_(std::move(channel)), timeout_(timeout), agent_(agentv1::Agent::NewStub(channel_)),
      entry_(entryv1::Entry::NewStub(channel_)), svid_(svidv1::SVID::NewStub(channel_)),
      bundle_(bundlev1::Bundle::NewStub(channel_)),
      changes_(changesv1::EntryChanges::NewStub(channel_)) {}

void ServerClient::setDeadline(grpc::ClientContext& context) const {
  context.set_deadline(std::chrono::system_clock::now() + timeout_);
}

Result<AttestResult> ServerClient::attestAgent(const plugin_host::AgentNodeAttestorPlugin& attestor,
                                               const std::string& csr_der,
                                               const crypto::EvpPkeyPtr& key) {
  Result<std::unique_ptr<plugin_host::AgentAttestSession>> session = attestor.begin();
  if (!session) {
    return session.status().withPrefix("failed to get attestation data");
  }
  grpc::ClientContext context;
  setDeadline(context);
  auto stream = agent_->AttestAgent(&context);
  agentv1::AttestAgentRequest first;
  auto* params = first.mutable_params();
  params->mutable_data()->set_type(attestor.name());
  const plugin_host::Bytes& payload = (*session)->payload();
  params->mutable_data()->set_payload(std::string(payload.begin(), payload.end()));
  params->mutable_params()->set_csr(csr_der);
  if (!stream->Write(first)) {
    stream->WritesDone();
    return fromGrpc(stream->Finish()).withPrefix("failed to attest");
  }
  agentv1::AttestAgentResponse response;
  while (stream->Read(&response)) {
    if (response.has_result()) {
      stream->WritesDone();
      const grpc::Status finished = stream->Finish();
      if (!finished.ok()) {
        return fromGrpc(finished).withPrefix("failed to attest");
      }
      Result<x509::X509Svid> svid = svidFromProto(response.result().svid(), key);
      if (!svid) {
        return svid.status().withPrefix("failed to attest");
      }
      return AttestResult{std::move(*svid), response.result().reattestable()};
    }
    const std::string& challenge = response.challenge();
    Result<plugin_host::Bytes> answer =
        (*session)->answer(plugin_host::Bytes(challenge.begin(), challenge.end()));
    if (!answer) {
      context.TryCancel();
      stream->Finish();
      return answer.status().withPrefix("failed to attest");
    }
    agentv1::AttestAgentRequest reply;
    reply.set_challenge_response(std::string(answer->begin(), answer->end()));
    if (!stream->Write(reply)) {
      break;
    }
  }
  const grpc::Status finished = stream->Finish();
  if (finished.ok()) {
    return Status(StatusCode::kInternal, "failed to attest: stream ended without a result");
  }
  return fromGrpc(finished).withPrefix("failed to attest");
}

Result<x509::X509Svid> ServerClient::renewAgent(const std::string& csr_der,
                                                const crypto::EvpPkeyPtr& key) {
  grpc::ClientContext context;
  setDeadline(context);
  agentv1::RenewAgentRequest request;
  request.mutable_params()->set_csr(csr_der);
  agentv1::RenewAgentResponse response;
  const grpc::Status status = agent_->RenewAgent(&context, request, &response);
  if (!status.ok()) {
    return fromGrpc(status);
  }
  return svidFromProto(response.svid(), key);
}

namespace {

Result<std::vector<cache::AgentEntry>>
convertEntries(const google::protobuf::RepeatedPtrField<spire::api::types::Entry>& entries) {
  std::vector<cache::AgentEntry> out;
  out.reserve(static_cast<size_t>(entries.size()));
  for (const spire::api::types::Entry& entry : entries) {
    Result<cache::AgentEntry> converted = entryFromProto(entry);
    if (!converted) {
      return converted.status();
    }
    out.push_back(std::move(*converted));
  }
  return out;
}

} // namespace

Result<EntrySyncResult>
ServerClient::syncEntries(const std::map<std::string, cache::AgentEntry>& known, bool use_sync) {
  if (use_sync) {
    Result<EntrySyncResult> synced = syncEntriesStream(known);
    if (synced || synced.status().code() != StatusCode::kUnimplemented) {
      return synced;
    }
  }
  return getAuthorizedEntries();
}

Result<EntrySyncResult>
ServerClient::syncEntriesStream(const std::map<std::string, cache::AgentEntry>& known) {
  grpc::ClientContext context;
  setDeadline(context);
  auto stream = entry_->SyncAuthorizedEntries(&context);
  if (!stream->Write(entryv1::SyncAuthorizedEntriesRequest())) {
    stream->WritesDone();
    return fromGrpc(stream->Finish());
  }
  EntrySyncResult result;
  std::vector<entryv1::EntryRevision> revisions;
  bool full = false;
  entryv1::SyncAuthorizedEntriesResponse response;
  // The answer to the first request: all entries at once, or revisions over several pages.
  while (true) {
    if (!stream->Read(&response)) {
      return fromGrpc(stream->Finish());
    }
    if (!response.entries().empty() || response.entry_revisions().empty()) {
      Result<std::vector<cache::AgentEntry>> entries = convertEntries(response.entries());
      if (!entries) {
        context.TryCancel();
        stream->Finish();
        return entries.status();
      }
      for (cache::AgentEntry& entry : *entries) {
        result.entries.push_back(std::move(entry));
      }
      full = true;
    }
    for (const entryv1::EntryRevision& revision : response.entry_revisions()) {
      revisions.push_back(revision);
    }
    if (!response.more()) {
      break;
    }
  }
  if (full && revisions.empty()) {
    result.fetched_in_full = result.entries.size();
    stream->WritesDone();
    const grpc::Status finished = stream->Finish();
    if (!finished.ok()) {
      return fromGrpc(finished);
    }
    return result;
  }
  // Revisions: keep what is current, ask for the rest in full.
  result.entries.clear();
  entryv1::SyncAuthorizedEntriesRequest follow_up;
  for (const entryv1::EntryRevision& revision : revisions) {
    auto it = known.find(revision.id());
    if (it != known.end() && it->second.revision_number == revision.revision_number()) {
      result.entries.push_back(it->second);
    } else {
      follow_up.add_ids(revision.id());
    }
  }
  if (follow_up.ids_size() > 0) {
    const std::set<std::string> wanted(follow_up.ids().begin(), follow_up.ids().end());
    if (!stream->Write(follow_up)) {
      stream->WritesDone();
      return fromGrpc(stream->Finish());
    }
    while (true) {
      if (!stream->Read(&response)) {
        return fromGrpc(stream->Finish());
      }
      Result<std::vector<cache::AgentEntry>> entries = convertEntries(response.entries());
      if (!entries) {
        context.TryCancel();
        stream->Finish();
        return entries.status();
      }
      for (cache::AgentEntry& entry : *entries) {
        if (wanted.count(entry.entry_id) != 0) {
          result.entries.push_back(std::move(entry));
          ++result.fetched_in_full;
        }
      }
      if (!response.more()) {
        break;
      }
    }
  }
  stream->WritesDone();
  const grpc::Status finished = stream->Finish();
  if (!finished.ok()) {
    return fromGrpc(finished);
  }
  return result;
}

Result<EntrySyncResult> ServerClient::getAuthorizedEntries() {
  grpc::ClientContext context;
  setDeadline(context);
  entryv1::GetAuthorizedEntriesResponse response;
  const grpc::Status status =
      entry_->GetAuthorizedEntries(&context, entryv1::GetAuthorizedEntriesRequest(), &response);
  if (!status.ok()) {
    return fromGrpc(status);
  }
  Result<std::vector<cache::AgentEntry>> entries = convertEntries(response.entries());
  if (!entries) {
    return entries.status();
  }
  EntrySyncResult result;
  result.entries = std::move(*entries);
  result.used_fallback = true;
  result.fetched_in_full = result.entries.size();
  return result;
}

Result<bundle::SpiffeBundle> ServerClient::getBundle() {
  grpc::ClientContext context;
  setDeadline(context);
  spire::api::types::Bundle response;
  const grpc::Status status = bundle_->GetBundle(&context, bundlev1::GetBundleRequest(), &response);
  if (!status.ok()) {
    return fromGrpc(status);
  }
  return bundleFromProto(response);
}

Result<std::optional<bundle::SpiffeBundle>>
ServerClient::getFederatedBundle(const std::string& td) {
  grpc::ClientContext context;
  setDeadline(context);
  bundlev1::GetFederatedBundleRequest request;
  request.set_trust_domain(td);
  spire::api::types::Bundle response;
  const grpc::Status status = bundle_->GetFederatedBundle(&context, request, &response);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    return std::optional<bundle::SpiffeBundle>();
  }
  if (!status.ok()) {
    return fromGrpc(status);
  }
  Result<bundle::SpiffeBundle> parsed = bundleFromProto(response);
  if (!parsed) {
    return parsed.status();
  }
  return std::optional<bundle::SpiffeBundle>(std::move(*parsed));
}

Result<std::vector<SvidResult>>
ServerClient::batchNewX509Svid(const std::vector<SvidRequest>& requests) {
  grpc::ClientContext context;
  setDeadline(context);
  svidv1::BatchNewX509SVIDRequest request;
  for (const SvidRequest& one : requests) {
    auto* params = request.add_params();
    params->set_entry_id(one.entry_id);
    params->set_csr(one.csr_der);
  }
  svidv1::BatchNewX509SVIDResponse response;
  const grpc::Status status = svid_->BatchNewX509SVID(&context, request, &response);
  if (!status.ok()) {
    return fromGrpc(status);
  }
  if (static_cast<size_t>(response.results_size()) != requests.size()) {
    return internalError("BatchNewX509SVID returned " + std::to_string(response.results_size()) +
                         " results for " + std::to_string(requests.size()) + " requests");
  }
  std::vector<SvidResult> out;
  for (const auto& result : response.results()) {
    SvidResult one;
    if (result.status().code() != 0) {
      one.status =
          Status(static_cast<StatusCode>(result.status().code()), result.status().message());
    } else {
      one.chain_der.assign(result.svid().cert_chain().begin(), result.svid().cert_chain().end());
      one.hint = result.svid().hint();
    }
    out.push_back(std::move(one));
  }
  return out;
}

Result<JwtSvidResult> ServerClient::newJwtSvid(const std::string& entry_id,
                                               const std::vector<std::string>& audience) {
  grpc::ClientContext context;
  setDeadline(context);
  svidv1::NewJWTSVIDRequest request;
  request.set_entry_id(entry_id);
  for (const std::string& aud : audience) {
    request.add_audience(aud);
  }
  svidv1::NewJWTSVIDResponse response;
  const grpc::Status status = svid_->NewJWTSVID(&context, request, &response);
  if (!status.ok()) {
    return fromGrpc(status);
  }
  return JwtSvidResult{response.svid().token(), response.svid().issued_at(),
                       response.svid().expires_at()};
}

} // namespace spire::agent::manager
