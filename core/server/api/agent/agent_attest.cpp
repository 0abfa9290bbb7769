// AgentService::AttestAgent and RenewAgent: how an agent gets (and renews) its X509-SVID.
#include <chrono>

#include "common/go_quote.h"
#include "crypto/certificate.h"
#include "crypto/csr.h"
#include "google/rpc/status.pb.h"
#include "server/api/agent/agent_convert.h"
#include "server/api/agent/agent_service.h"
#include "server/api/grpc_status.h"
#include "server/api/svid/api_error.h"
#include "spire/api/types/status.pb.h"

namespace spire::server::api {
namespace {

constexpr std::string_view kAttestAgent = "/spire.api.server.agent.v1.Agent/AttestAgent";
constexpr std::string_view kRenewAgent = "/spire.api.server.agent.v1.Agent/RenewAgent";

constexpr std::string_view kJoinTokenType = "join_token";
constexpr std::string_view kServerIdPath = "/spire/server";

// SPIRE's validateAttestAgentParams, in its order; "" when the parameters are complete.
std::string_view missingAttestParam(const agentv1::AttestAgentRequest& request) {
  if (!request.has_params()) {
    return "missing params";
  }
  const auto& params = request.params();
  if (!params.has_data()) {
    return "missing attestation data";
  }
  if (!params.has_params()) {
    return "missing X509-SVID parameters";
  }
  if (params.params().csr().empty()) {
    return "missing CSR";
  }
  if (params.data().type().empty()) {
    return "missing attestation data type";
  }
  if (params.data().payload().empty()) {
    return "missing attestation data payload";
  }
  return {};
}

// A PermissionDenied status carrying types.PermissionDeniedDetails in its details, as SPIRE's
// errorutil.PermissionDenied does, so agents can tell why (e.g. AGENT_MUST_REATTEST).
grpc::Status permissionDenied(types::PermissionDeniedDetails::Reason reason,
                              const std::string& message) {
  google::rpc::Status details;
  details.set_code(static_cast<std::int32_t>(grpc::StatusCode::PERMISSION_DENIED));
  details.set_message(message);
  types::PermissionDeniedDetails reason_details;
  reason_details.set_reason(reason);
  details.add_details()->PackFrom(reason_details);
  return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, message, details.SerializeAsString());
}

} // namespace

grpc::Status AgentService::AttestAgent(grpc::ServerContext* context, AttestStream* stream) {
  Result<Caller> caller = authorizer_.authorize(*context, kAttestAgent);
  if (!caller) {
    return toGrpcStatus(caller.status());
  }
  spdlog::logger& log = state_.log();
  agentv1::AttestAgentRequest request;
  if (!stream->Read(&request)) {
    return toGrpcStatus(makeError(log, StatusCode::kInvalidArgument,
                                  "failed to receive request from stream", "EOF"));
  }
  if (std::string_view missing = missingAttestParam(request); !missing.empty()) {
    return toGrpcStatus(makeError(log, StatusCode::kInvalidArgument, "malformed param", missing));
  }
  const auto& params = request.params();
  Result<AttestResult> attested = params.data().type() == kJoinTokenType
                                      ? attestJoinToken(params.data().payload())
                                      : attestWithPlugin(*stream, params);
  if (!attested) {
    return toGrpcStatus(attested.status());
  }
  Result<agentv1::AttestAgentResponse> response =
      completeAttestation(params.data().type(), std::move(*attested), params.params().csr());
  if (!response) {
    return toGrpcStatus(response.status());
  }
  log.info("Agent attestation request completed: {} ({}) from {}",
           response->result().svid().id().path(), params.data().type(), caller->address);
  if (!stream->Write(*response)) {
    return toGrpcStatus(
        makeError(log, StatusCode::kInternal, "failed to send response over stream"));
  }
  return grpc::Status::OK;
}

Result<AgentService::AttestResult> AgentService::attestJoinToken(const std::string& token) const {
  spdlog::logger& log = state_.log();
  // Read and delete in one transaction: of two agents racing with one token, one wins. As SPIRE,
  // an expired token is consumed too (it could never be used again anyway).
  Result<plugin_host::JoinToken> consumed = state_.datastore->consumeJoinToken(token);
  if (!consumed) {
    if (consumed.status().code() == StatusCode::kNotFound) {
      return makeError(log, StatusCode::kInvalidArgument,
                       "failed to attest: join token does not exist or has already been used");
    }
    return makeError(log, StatusCode::kInternal, "failed to fetch join token", consumed.status());
  }
  const auto expiry =
      std::chrono::system_clock::time_point(std::chrono::seconds(consumed->expires_at));
  if (expiry < state_.now()) {
    return makeError(log, StatusCode::kInvalidArgument, "join token expired");
  }
  Result<spiffe::SpiffeId> agent_id = joinTokenAgentId(state_.trust_domain, token);
  if (!agent_id) {
    return makeError(log, StatusCode::kInternal, "failed to create join token ID",
                     agent_id.status());
  }
  AttestResult result;
  result.agent_id = agent_id->toString();
  return result;
}

Result<AgentService::AttestResult>
AgentService::attestWithPlugin(AttestStream& stream,
                               const agentv1::AttestAgentRequest::Params& params) const {
  spdlog::logger& log = state_.log();
  const std::string& type = params.data().type();
  const plugin_host::ServerNodeAttestorPlugin* attestor =
      state_.catalog == nullptr ? nullptr : state_.catalog->serverNodeAttestor(type);
  if (attestor == nullptr) {
    return makeError(log, StatusCode::kFailedPrecondition, "error getting node attestor",
                     "could not find node attestor type " + goQuote(type));
  }
  const std::string& payload = params.data().payload();
  auto relay = [&](const plugin_host::Bytes& challenge) -> Result<plugin_host::Bytes> {
    agentv1::AttestAgentResponse out;
    out.set_challenge(challenge.data(), challenge.size());
    if (!stream.Write(out)) {
      return makeError(log, StatusCode::kInternal, "failed to send challenge to agent");
    }
    agentv1::AttestAgentRequest in;
    if (!stream.Read(&in)) {
      return makeError(log, StatusCode::kInternal, "failed to receive challenge from agent", "EOF");
    }
    const std::string& answer = in.challenge_response();
    return plugin_host::Bytes(answer.begin(), answer.end());
  };
  Result<plugin_host::ServerAttestStep> step =
      attestor->attest(plugin_host::Bytes(payload.begin(), payload.end()), relay);
  if (!step) {
    // The plugin's (or the relay's) code and message reach the agent unchanged.
    log.error("{}", step.status().message());
    return step.status();
  }
  AttestResult result;
  result.agent_id = std::move(step->attributes.spiffe_id);
  result.selectors = std::move(step->selectors);
  result.can_reattest = step->attributes.can_reattest;
  return result;
}

Result<agentv1::AttestAgentResponse>
AgentService::completeAttestation(const std::string& attestation_type, AttestResult attested,
                                  const std::string& csr) const {
  spdlog::logger& log = state_.log();
  if (state_.config.experimental.agent_spiffe_id_as_selector && !attested.agent_id.empty()) {
    attested.selectors.push_back({"spiffe_id", attested.agent_id});
  }
  Result<spiffe::SpiffeId> agent_id = spiffe::SpiffeId::parse(attested.agent_id);
  if (!agent_id) {
    return makeError(log, StatusCode::kInternal, "invalid agent ID", agent_id.status());
  }
  if (agent_id->path() == kServerIdPath) {
    return makeError(log, StatusCode::kInternal, "agent ID cannot collide with the server ID");
  }
  // SPIRE only warns (deployments exist whose attestors emit IDs elsewhere).
  if (!agent_id->memberOf(state_.trust_domain) ||
      !agent_id->path().starts_with("/spire/agent/" + attestation_type + "/")) {
    log.warn("The node attestor produced an invalid agent ID {}; future releases will enforce "
             "that agent IDs are within the reserved agent namespace for the node attestor",
             attested.agent_id);
  }
  const std::string& id = attested.agent_id;
  auto existing = state_.datastore->fetchAttestedNode(id);
  if (!existing) {
    return makeError(log, StatusCode::kInternal, "failed to fetch agent", existing.status());
  }
  // nodeutil.IsAgentBanned: both serial numbers cleared.
  if (existing->has_value() && (*existing)->cert_serial_number.empty() &&
      (*existing)->new_cert_serial_number.empty()) {
    return makeError(log, StatusCode::kPermissionDenied, "failed to attest: agent is banned");
  }
  Result<std::vector<crypto::X509Shared>> svid = signAgentSvid(*agent_id, csr);
  if (!svid) {
    return svid.status();
  }
  std::vector<plugin_host::Selector> selectors = dedupeSelectors(std::move(attested.selectors));
  if (Status st = state_.datastore->setNodeSelectors(id, selectors); !st.isOk()) {
    return makeError(log, StatusCode::kInternal, "failed to update selectors", st);
  }
  plugin_host::AttestedNode node;
  node.spiffe_id = id;
  node.cert_serial_number = crypto::serialNumberDecimal(*svid->front());
  node.cert_not_after = unixSeconds(crypto::notAfter(*svid->front()));
  node.can_reattest = attested.can_reattest;
  if (!existing->has_value()) {
    node.attestation_data_type = attestation_type;
    if (auto created = state_.datastore->createAttestedNode(node); !created) {
      return makeError(log, StatusCode::kInternal, "failed to create attested agent",
                       created.status());
    }
  } else {
    // Re-attestation: the new SVID becomes current and any pending renewal is dropped.
    constexpr std::uint32_t kCertificateMask =
        SPIRE_NODE_MASK_CERT_SERIAL_NUMBER | SPIRE_NODE_MASK_CERT_NOT_AFTER |
        SPIRE_NODE_MASK_NEW_CERT_SERIAL_NUMBER | SPIRE_NODE_MASK_NEW_CERT_NOT_AFTER |
        SPIRE_NODE_MASK_CAN_REATTEST;
    if (auto updated = state_.datastore->updateAttestedNode(node, kCertificateMask); !updated) {
      return makeError(log, StatusCode::kInternal, "failed to update attested agent",
                       updated.status());
    }
  }
  if (state_.index != nullptr) {
    state_.index->setNodeSelectors(id, std::move(selectors));
  }
  agentv1::AttestAgentResponse response;
  auto* result = response.mutable_result();
  fillX509Svid(*agent_id, *svid, result->mutable_svid());
  result->set_reattestable(attested.can_reattest);
  return response;
}

Result<std::vector<crypto::X509Shared>>
AgentService::signAgentSvid(const spiffe::SpiffeId& agent_id, const std::string& csr_der) const {
  spdlog::logger& log = state_.log();
  Result<crypto::X509ReqPtr> csr = crypto::parseCsrDer(csr_der);
  if (!csr) {
    return makeError(log, StatusCode::kInvalidArgument, "failed to parse CSR", csr.status());
  }
  // Go's ParseCertificateRequest does not check the self-signature; we do, so that nobody gets
  // an SVID for a key they cannot prove they hold.
  if (Status st = crypto::checkCsrSignature(**csr); !st.isOk()) {
    return makeError(log, StatusCode::kInvalidArgument, "failed to parse CSR", st);
  }
  crypto::EvpPkeyPtr key = crypto::csrPublicKey(**csr);
  auto svid = state_.ca->signAgentX509Svid(agent_id, key.get());
  if (!svid) {
    return makeError(log, StatusCode::kInternal, "failed to sign X509 SVID", svid.status());
  }
  return svid;
}

grpc::Status AgentService::RenewAgent(grpc::ServerContext* context,
                                      const agentv1::RenewAgentRequest* request,
                                      agentv1::RenewAgentResponse* response) {
  Result<Caller> caller = authorizer_.authorize(*context, kRenewAgent);
  if (!caller) {
    return toGrpcStatus(caller.status());
  }
  spdlog::logger& log = state_.log();
  if (!caller->id) {
    return toGrpcStatus(
        makeError(log, StatusCode::kInternal, "caller ID missing from request context"));
  }
  const std::string agent_id = caller->id->toString();
  auto node = state_.datastore->fetchAttestedNode(agent_id);
  if (!node) {
    return toGrpcStatus(
        makeError(log, StatusCode::kInternal, "failed to fetch agent", node.status()));
  }
  if (!node->has_value()) {
    return toGrpcStatus(makeError(log, StatusCode::kNotFound, "agent not found"));
  }
  if ((*node)->can_reattest) {
    return permissionDenied(types::PermissionDeniedDetails::AGENT_MUST_REATTEST,
                            "agent must reattest instead of renew");
  }
  log.info("Renewing agent SVID for {}", agent_id);
  if (!request->has_params()) {
    return toGrpcStatus(makeError(log, StatusCode::kInvalidArgument, "params cannot be nil"));
  }
  if (request->params().csr().empty()) {
    return toGrpcStatus(makeError(log, StatusCode::kInvalidArgument, "missing CSR"));
  }
  Result<std::vector<crypto::X509Shared>> svid =
      signAgentSvid(*caller->id, request->params().csr());
  if (!svid) {
    return toGrpcStatus(svid.status());
  }
  // Stored as the pending SVID; the endpoints' agent authorizer promotes it to current the first
  // time the agent authenticates with it.
  plugin_host::AttestedNode update;
  update.spiffe_id = agent_id;
  update.new_cert_serial_number = crypto::serialNumberDecimal(*svid->front());
  update.new_cert_not_after = unixSeconds(crypto::notAfter(*svid->front()));
  if (Status st = updateAttestedNode(update, SPIRE_NODE_MASK_NEW_CERT_SERIAL_NUMBER |
                                                 SPIRE_NODE_MASK_NEW_CERT_NOT_AFTER);
      !st.isOk()) {
    return toGrpcStatus(st);
  }
  fillX509Svid(*caller->id, *svid, response->mutable_svid());
  return grpc::Status::OK;
}

} // namespace spire::server::api
