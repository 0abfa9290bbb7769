#pragma once
// spire.api.server.agent.v1.Agent as SPIRE serves it (pkg/server/api/agent/v1/service.go).
//
// AttestAgent (any caller, bidi stream): the first message carries the attestation data and the
// CSR. "join_token" is verified here against the datastore, consuming the token in the same
// transaction that reads it (single use even under concurrent attempts); every other type goes
// to the server NodeAttestor plugin of that name, whose challenges are relayed over the stream.
// Banned agents are refused; otherwise the node is created or updated with the new SVID's serial
// and expiry, its selectors are stored, and the SVID (signed for the CSR's key) is returned.
// RenewAgent / PostStatus serve the calling agent; the rest are admin operations.
//
// Writes go to the datastore first and, once committed, to the authorized-entries index
// (setNodeSelectors / removeNode / upsertEntry), so the index never shows what is not stored.
//
// THREADS: gRPC handler threads, concurrently; the service holds no mutable state.
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/server_context.h>
#include <grpcpp/support/sync_stream.h>

#include "server/api/authorizer.h"
#include "server/api/server_state.h"
#include "server/api/svid/svid_convert.h"
#include "spire/api/server/agent/v1/agent.grpc.pb.h"

namespace spire::server::api {

namespace agentv1 = ::spire::api::server::agent::v1;

class AgentService final : public agentv1::Agent::Service {
public:
  // LIFETIME: `state` and `authorizer` outlive the service.
  AgentService(ServerState& state, const Authorizer& authorizer)
      : state_(state), authorizer_(authorizer) {}

  grpc::Status CountAgents(grpc::ServerContext* context, const agentv1::CountAgentsRequest* request,
                           agentv1::CountAgentsResponse* response) override;
  grpc::Status ListAgents(grpc::ServerContext* context, const agentv1::ListAgentsRequest* request,
                          agentv1::ListAgentsResponse* response) override;
  grpc::Status GetAgent(grpc::ServerContext* context, const agentv1::GetAgentRequest* request,
                        types::Agent* response) override;
  grpc::Status DeleteAgent(grpc::ServerContext* context, const agentv1::DeleteAgentRequest* request,
                           google::protobuf::Empty* response) override;
  grpc::Status BanAgent(grpc::ServerContext* context, const agentv1::BanAgentRequest* request,
                        google::protobuf::Empty* response) override;
  grpc::Status AttestAgent(grpc::ServerContext* context,
                           grpc::ServerReaderWriter<agentv1::AttestAgentResponse,
                                                    agentv1::AttestAgentRequest>* stream) override;
  grpc::Status RenewAgent(grpc::ServerContext* context, const agentv1::RenewAgentRequest* request,
                          agentv1::RenewAgentResponse* response) override;
  grpc::Status CreateJoinToken(grpc::ServerContext* context,
                               const agentv1::CreateJoinTokenRequest* request,
                               types::JoinToken* response) override;
  grpc::Status PostStatus(grpc::ServerContext* context, const agentv1::PostStatusRequest* request,
                          agentv1::PostStatusResponse* response) override;

private:
  using AttestStream =
      grpc::ServerReaderWriter<agentv1::AttestAgentResponse, agentv1::AttestAgentRequest>;

  // What an attestation established (SPIRE's nodeattestor.AttestResult).
  struct AttestResult {
    std::string agent_id;
    std::vector<plugin_host::Selector> selectors;
    bool can_reattest = false;
  };

  Result<AttestResult> attestJoinToken(const std::string& token) const;
  Result<AttestResult> attestWithPlugin(AttestStream& stream,
                                        const agentv1::AttestAgentRequest::Params& params) const;
  // The rest of AttestAgent once the attestor has spoken: ban check, signing, storage.
  Result<agentv1::AttestAgentResponse> completeAttestation(const std::string& attestation_type,
                                                           AttestResult result,
                                                           const std::string& csr) const;
  // Parses the CSR, checks its signature and signs an agent SVID for its key.
  Result<std::vector<crypto::X509Shared>> signAgentSvid(const spiffe::SpiffeId& agent_id,
                                                        const std::string& csr) const;
  // UpdateAttestedNode with SPIRE's texts ("agent not found", "failed to update agent").
  Status updateAttestedNode(const plugin_host::AttestedNode& node, std::uint32_t mask) const;

  ServerState& state_;
  const Authorizer& authorizer_;
};

} // namespace spire::server::api
