// AgentService's admin RPCs (count, list, get, delete, ban, join tokens) and PostStatus.
// AttestAgent and RenewAgent are in agent_attest.cpp.
#include "server/api/agent/agent_service.h"

#include <chrono>

#include "server/api/agent/agent_convert.h"
#include "server/api/grpc_status.h"
#include "server/api/svid/api_error.h"

namespace spire::server::api {
namespace {

constexpr std::string_view kCountAgents = "/spire.api.server.agent.v1.Agent/CountAgents";
constexpr std::string_view kListAgents = "/spire.api.server.agent.v1.Agent/ListAgents";
constexpr std::string_view kGetAgent = "/spire.api.server.agent.v1.Agent/GetAgent";
constexpr std::string_view kDeleteAgent = "/spire.api.server.agent.v1.Agent/DeleteAgent";
constexpr std::string_view kBanAgent = "/spire.api.server.agent.v1.Agent/BanAgent";
constexpr std::string_view kCreateJoinToken = "/spire.api.server.agent.v1.Agent/CreateJoinToken";
constexpr std::string_view kPostStatus = "/spire.api.server.agent.v1.Agent/PostStatus";

// SPIRE's limit on the version string an agent reports.
constexpr std::size_t kMaxAgentVersionLength = 255;

// The agent a Get/Delete/Ban request names; InvalidArgument "invalid agent ID: <why>" (logged)
// when it is missing or not an agent of this trust domain.
template <class Request>
Result<spiffe::SpiffeId> requestedAgentId(spdlog::logger& log, const spiffe::TrustDomain& td,
                                          const Request& request) {
  Result<spiffe::SpiffeId> id = agentIdFromProto(td, request.has_id() ? &request.id() : nullptr);
  if (!id) {
    return makeError(log, StatusCode::kInvalidArgument, "invalid agent ID", id.status());
  }
  return id;
}

} // namespace

grpc::Status AgentService::CountAgents(grpc::ServerContext* context,
                                       const agentv1::CountAgentsRequest* request,
                                       agentv1::CountAgentsResponse* response) {
  Result<Caller> caller = authorizer_.authorize(*context, kCountAgents);
  if (!caller) {
    return toGrpcStatus(caller.status());
  }
  spdlog::logger& log = state_.log();
  std::optional<plugin_host::NodeFilter> filter;
  if (request->has_filter()) {
    Result<plugin_host::NodeFilter> parsed = nodeFilterFromProto(request->filter());
    if (!parsed) {
      return toGrpcStatus(makeError(log, StatusCode::kInvalidArgument, "failed to parse selectors",
                                    parsed.status()));
    }
    filter = std::move(*parsed);
  }
  Result<std::int64_t> count = state_.datastore->countAttestedNodes(filter ? &*filter : nullptr);
  if (!count) {
    return toGrpcStatus(
        makeError(log, StatusCode::kInternal, "failed to count agents", count.status()));
  }
  response->set_count(static_cast<std::int32_t>(*count));
  return grpc::Status::OK;
}

grpc::Status AgentService::ListAgents(grpc::ServerContext* context,
                                      const agentv1::ListAgentsRequest* request,
                                      agentv1::ListAgentsResponse* response) {
  Result<Caller> caller = authorizer_.authorize(*context, kListAgents);
  if (!caller) {
    return toGrpcStatus(caller.status());
  }
  spdlog::logger& log = state_.log();
  plugin_host::NodeFilter filter;
  if (request->has_filter()) {
    Result<plugin_host::NodeFilter> parsed = nodeFilterFromProto(request->filter());
    if (!parsed) {
      return toGrpcStatus(makeError(log, StatusCode::kInvalidArgument, "failed to parse selectors",
                                    parsed.status()));
    }
    filter = std::move(*parsed);
  }
  const types::AgentMask* mask = request->has_output_mask() ? &request->output_mask() : nullptr;
  filter.fetch_selectors = mask == nullptr || mask->selectors();

  plugin_host::Pagination page;
  if (request->page_size() > 0) {
    page.page_size = request->page_size();
    page.token = request->page_token();
  }
  Result<plugin_host::Page<plugin_host::AttestedNode>> nodes =
      state_.datastore->listAttestedNodes(&filter, page);
  if (!nodes) {
    return toGrpcStatus(
        makeError(log, StatusCode::kInternal, "failed to list agents", nodes.status()));
  }
  response->set_next_page_token(nodes->next_token);
  auto* agents = response->mutable_agents();
  agents->Reserve(static_cast<int>(nodes->items.size()));
  for (const plugin_host::AttestedNode& node : nodes->items) {
    Result<types::Agent> agent = protoFromAttestedNode(node);
    if (!agent) {
      log.warn("Failed to parse agent {}: {}", node.spiffe_id, agent.status().message());
      continue;
    }
    applyAgentMask(*agent, mask);
    *agents->Add() = std::move(*agent);
  }
  return grpc::Status::OK;
}

grpc::Status AgentService::GetAgent(grpc::ServerContext* context,
                                    const agentv1::GetAgentRequest* request,
                                    types::Agent* response) {
  Result<Caller> caller = authorizer_.authorize(*context, kGetAgent);
  if (!caller) {
    return toGrpcStatus(caller.status());
  }
  spdlog::logger& log = state_.log();
  Result<spiffe::SpiffeId> id = requestedAgentId(log, state_.trust_domain, *request);
  if (!id) {
    return toGrpcStatus(id.status());
  }
  const std::string agent_id = id->toString();
  auto node = state_.datastore->fetchAttestedNode(agent_id);
  if (!node) {
    return toGrpcStatus(
        makeError(log, StatusCode::kInternal, "failed to fetch agent", node.status()));
  }
  if (!node->has_value()) {
    return toGrpcStatus(makeError(log, StatusCode::kNotFound, "agent not found"));
  }
  auto selectors = state_.datastore->getNodeSelectors(agent_id);
  if (!selectors) {
    return toGrpcStatus(makeError(log, StatusCode::kInternal, "failed to get selectors from agent",
                                  selectors.status().withPrefix("failed to get node selectors")));
  }
  plugin_host::AttestedNode& record = **node;
  record.selectors = std::move(*selectors);
  Result<types::Agent> agent = protoFromAttestedNode(record);
  if (!agent) {
    return toGrpcStatus(makeError(log, StatusCode::kInternal,
                                  "failed to convert attested node to agent", agent.status()));
  }
  applyAgentMask(*agent, request->has_output_mask() ? &request->output_mask() : nullptr);
  *response = std::move(*agent);
  return grpc::Status::OK;
}

grpc::Status AgentService::DeleteAgent(grpc::ServerContext* context,
                                       const agentv1::DeleteAgentRequest* request,
                                       google::protobuf::Empty*) {
  Result<Caller> caller = authorizer_.authorize(*context, kDeleteAgent);
  if (!caller) {
    return toGrpcStatus(caller.status());
  }
  spdlog::logger& log = state_.log();
  Result<spiffe::SpiffeId> id = requestedAgentId(log, state_.trust_domain, *request);
  if (!id) {
    return toGrpcStatus(id.status());
  }
  const std::string agent_id = id->toString();
  // The datastore deletes the node's selectors with it; the index then forgets them too.
  auto deleted = state_.datastore->deleteAttestedNode(agent_id);
  if (!deleted) {
    if (deleted.status().code() == StatusCode::kNotFound) {
      return toGrpcStatus(makeError(log, StatusCode::kNotFound, "agent not found"));
    }
    return toGrpcStatus(
        makeError(log, StatusCode::kInternal, "failed to remove agent", deleted.status()));
  }
  if (state_.index != nullptr) {
    state_.index->removeNode(agent_id);
  }
  log.info("Agent deleted: {}", agent_id);
  return grpc::Status::OK;
}

grpc::Status AgentService::BanAgent(grpc::ServerContext* context,
                                    const agentv1::BanAgentRequest* request,
                                    google::protobuf::Empty*) {
  Result<Caller> caller = authorizer_.authorize(*context, kBanAgent);
  if (!caller) {
    return toGrpcStatus(caller.status());
  }
  spdlog::logger& log = state_.log();
  Result<spiffe::SpiffeId> id = requestedAgentId(log, state_.trust_domain, *request);
  if (!id) {
    return toGrpcStatus(id.status());
  }
  // Banned = both serial numbers empty: the agent's SVIDs stop authenticating and it may not
  // attest again until an admin deletes the node.
  plugin_host::AttestedNode banned;
  banned.spiffe_id = id->toString();
  auto updated = state_.datastore->updateAttestedNode(
      banned, SPIRE_NODE_MASK_CERT_SERIAL_NUMBER | SPIRE_NODE_MASK_NEW_CERT_SERIAL_NUMBER);
  if (!updated) {
    if (updated.status().code() == StatusCode::kNotFound) {
      return toGrpcStatus(makeError(log, StatusCode::kNotFound, "agent not found"));
    }
    return toGrpcStatus(
        makeError(log, StatusCode::kInternal, "failed to ban agent", updated.status()));
  }
  log.info("Agent banned: {}", banned.spiffe_id);
  return grpc::Status::OK;
}

grpc::Status AgentService::CreateJoinToken(grpc::ServerContext* context,
                                           const agentv1::CreateJoinTokenRequest* request,
                                           types::JoinToken* response) {
  Result<Caller> caller = authorizer_.authorize(*context, kCreateJoinToken);
  if (!caller) {
    return toGrpcStatus(caller.status());
  }
  spdlog::logger& log = state_.log();
  if (request->ttl() < 1) {
    return toGrpcStatus(
        makeError(log, StatusCode::kInvalidArgument, "ttl is required, you must provide one"));
  }
  // The optional alias ID is checked before anything is written, as SPIRE does.
  std::optional<spiffe::SpiffeId> alias_id;
  if (request->has_agent_id()) {
    Result<spiffe::SpiffeId> parsed =
        workloadIdFromProto(state_.trust_domain, &request->agent_id());
    if (!parsed) {
      return toGrpcStatus(
          makeError(log, StatusCode::kInvalidArgument, "invalid agent ID", parsed.status()));
    }
    alias_id = std::move(*parsed);
  }
  plugin_host::JoinToken token;
  token.token = request->token().empty() ? newUuidV4() : request->token();
  token.expires_at = unixSeconds(state_.now() + std::chrono::seconds(request->ttl()));
  if (Status st = state_.datastore->createJoinToken(token); !st.isOk()) {
    return toGrpcStatus(makeError(log, StatusCode::kInternal, "failed to create token", st));
  }
  if (alias_id) {
    // An entry that gives the agent attesting with this token the chosen ID as well: parent = the
    // token's agent ID, selector spiffe_id:<that ID>.
    Result<spiffe::SpiffeId> parent = joinTokenAgentId(state_.trust_domain, token.token);
    if (!parent) {
      return toGrpcStatus(makeError(log, StatusCode::kInternal,
                                    "failed to create join token registration entry",
                                    parent.status().withPrefix("failed to create join token ID")));
    }
    plugin_host::Entry entry;
    entry.parent_id = parent->toString();
    entry.spiffe_id = alias_id->toString();
    entry.selectors.push_back({"spiffe_id", entry.parent_id});
    Result<plugin_host::Entry> created = state_.datastore->createEntry(entry);
    if (!created) {
      return toGrpcStatus(makeError(log, StatusCode::kInternal,
                                    "failed to create join token registration entry",
                                    created.status()));
    }
    if (state_.index != nullptr) {
      state_.index->upsertEntry(std::move(*created));
    }
  }
  response->set_value(token.token);
  response->set_expires_at(token.expires_at);
  return grpc::Status::OK;
}

grpc::Status AgentService::PostStatus(grpc::ServerContext* context,
                                      const agentv1::PostStatusRequest* request,
                                      agentv1::PostStatusResponse*) {
  Result<Caller> caller = authorizer_.authorize(*context, kPostStatus);
  if (!caller) {
    return toGrpcStatus(caller.status());
  }
  spdlog::logger& log = state_.log();
  if (!caller->id) {
    return toGrpcStatus(
        makeError(log, StatusCode::kInternal, "caller ID missing from request context"));
  }
  if (request->agent_version().empty()) {
    return grpc::Status::OK;
  }
  if (request->agent_version().size() > kMaxAgentVersionLength) {
    return toGrpcStatus(makeError(log, StatusCode::kInvalidArgument,
                                  "agent version is too long (max 255 characters)"));
  }
  plugin_host::AttestedNode update;
  update.spiffe_id = caller->id->toString();
  update.agent_version = request->agent_version();
  return toGrpcStatus(updateAttestedNode(update, SPIRE_NODE_MASK_AGENT_VERSION));
}

Status AgentService::updateAttestedNode(const plugin_host::AttestedNode& node,
                                        std::uint32_t mask) const {
  auto updated = state_.datastore->updateAttestedNode(node, mask);
  if (updated) {
    return {};
  }
  if (updated.status().code() == StatusCode::kNotFound) {
    return makeError(state_.log(), StatusCode::kNotFound, "agent not found");
  }
  return makeError(state_.log(), StatusCode::kInternal, "failed to update agent", updated.status());
}

} // namespace spire::server::api
