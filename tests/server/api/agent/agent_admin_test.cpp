// The agent service's admin RPCs (list/count with every filter, paging and masks; get, ban,
// delete; join tokens) and PostStatus, over the real datastore.
#include <regex>

#include "agent_test_fixture.h"

namespace spire::server::api::testing {
namespace {

using grpc::StatusCode;

constexpr char kA[] = "spiffe://example.org/spire/agent/join_token/a";
constexpr char kB[] = "spiffe://example.org/spire/agent/x509pop/b";
constexpr char kC[] = "spiffe://example.org/spire/agent/x509pop/c";

class AgentAdminTest : public AgentServiceTest {
protected:
  void SetUp() override {
    AgentServiceTest::SetUp();
    if (HasFatalFailure()) {
      return;
    }
    addNode(kA, "join_token", "10", 1000, false, {{"join_token", "x"}});
    addNode(kB, "x509pop", "20", 2000, true,
            {{"x509pop", "subject:cn:b"}, {"x509pop", "ca:fingerprint:f"}});
    addNode(kC, "x509pop", "", 3000, true, {{"x509pop", "subject:cn:c"}}); // banned
  }

  std::vector<std::string> list(const agentv1::ListAgentsRequest& request,
                                std::string* next = nullptr) {
    agentv1::ListAgentsResponse response;
    grpc::ClientContext ctx;
    grpc::Status status = stub_->ListAgents(&ctx, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> ids;
    for (const types::Agent& agent : response.agents()) {
      ids.push_back("spiffe://" + agent.id().trust_domain() + agent.id().path());
    }
    if (next != nullptr) {
      *next = response.next_page_token();
    }
    return ids;
  }

  std::int32_t count(const agentv1::CountAgentsRequest& request) {
    agentv1::CountAgentsResponse response;
    grpc::ClientContext ctx;
    grpc::Status status = stub_->CountAgents(&ctx, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.count();
  }

  grpc::Status get(const std::string& id, types::Agent* out,
                   const types::AgentMask* mask = nullptr) {
    agentv1::GetAgentRequest request;
    *request.mutable_id() = protoId(id);
    if (mask != nullptr) {
      *request.mutable_output_mask() = *mask;
    }
    grpc::ClientContext ctx;
    return stub_->GetAgent(&ctx, request, out);
  }
};

using Ids = std::vector<std::string>;

TEST_F(AgentAdminTest, ListAgentsWithoutFilterReturnsEverythingWithSelectors) {
  agentv1::ListAgentsRequest request;
  agentv1::ListAgentsResponse response;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->ListAgents(&ctx, request, &response).ok());
  ASSERT_EQ(response.agents_size(), 3);
  EXPECT_TRUE(response.next_page_token().empty());
  const types::Agent& b = response.agents(1);
  EXPECT_EQ(b.id().path(), "/spire/agent/x509pop/b");
  EXPECT_EQ(b.attestation_type(), "x509pop");
  EXPECT_EQ(b.x509svid_serial_number(), "20");
  EXPECT_EQ(b.x509svid_expires_at(), 2000);
  EXPECT_EQ(b.selectors_size(), 2);
  EXPECT_FALSE(b.banned());
  EXPECT_TRUE(b.can_reattest());
  EXPECT_TRUE(response.agents(2).banned());
  EXPECT_EQ(authorizer_.methods().back(), "/spire.api.server.agent.v1.Agent/ListAgents");
}

TEST_F(AgentAdminTest, ListAgentsFilters) {
  {
    agentv1::ListAgentsRequest r;
    r.mutable_filter()->set_by_attestation_type("x509pop");
    EXPECT_EQ(list(r), (Ids{kB, kC}));
  }
  {
    agentv1::ListAgentsRequest r;
    r.mutable_filter()->mutable_by_banned()->set_value(true);
    EXPECT_EQ(list(r), (Ids{kC}));
    r.mutable_filter()->mutable_by_banned()->set_value(false);
    EXPECT_EQ(list(r), (Ids{kA, kB}));
  }
  {
    agentv1::ListAgentsRequest r;
    r.mutable_filter()->mutable_by_can_reattest()->set_value(false);
    EXPECT_EQ(list(r), (Ids{kA}));
  }
  {
    // 1970-01-01 00:25:00 UTC = 1500.
    agentv1::ListAgentsRequest r;
    r.mutable_filter()->set_by_expires_before("1970-01-01 00:25:00 +0000 +00");
    EXPECT_EQ(list(r), (Ids{kA}));
    // Unparseable: ignored, as SPIRE ignores the time.Parse error.
    r.mutable_filter()->set_by_expires_before("yesterday");
    EXPECT_EQ(list(r), (Ids{kA, kB, kC}));
  }
  {
    agentv1::ListAgentsRequest r;
    auto* match = r.mutable_filter()->mutable_by_selector_match();
    auto* s = match->add_selectors();
    s->set_type("x509pop");
    s->set_value("subject:cn:b");
    match->set_match(types::SelectorMatch::MATCH_ANY);
    EXPECT_EQ(list(r), (Ids{kB}));
    match->set_match(types::SelectorMatch::MATCH_EXACT);
    EXPECT_EQ(list(r), (Ids{}));
    match->set_match(types::SelectorMatch::MATCH_SUPERSET);
    EXPECT_EQ(list(r), (Ids{kB}));
  }
  {
    // Filters combine.
    agentv1::ListAgentsRequest r;
    r.mutable_filter()->set_by_attestation_type("x509pop");
    r.mutable_filter()->mutable_by_banned()->set_value(false);
    EXPECT_EQ(list(r), (Ids{kB}));
  }
}

TEST_F(AgentAdminTest, ListAgentsPages) {
  agentv1::ListAgentsRequest r;
  r.set_page_size(2);
  std::string next;
  EXPECT_EQ(list(r, &next), (Ids{kA, kB}));
  ASSERT_FALSE(next.empty());
  r.set_page_token(next);
  Ids rest = list(r, &next);
  EXPECT_EQ(rest, (Ids{kC}));
  if (!next.empty()) {
    r.set_page_token(next);
    EXPECT_EQ(list(r, &next), (Ids{}));
  }
  // A page token without a page size is ignored (SPIRE only pages when page_size > 0).
  agentv1::ListAgentsRequest all;
  all.set_page_token("garbage");
  EXPECT_EQ(list(all), (Ids{kA, kB, kC}));
}

TEST_F(AgentAdminTest, ListAgentsAppliesTheOutputMask) {
  agentv1::ListAgentsRequest r;
  r.mutable_output_mask()->set_attestation_type(true);
  agentv1::ListAgentsResponse response;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->ListAgents(&ctx, r, &response).ok());
  ASSERT_EQ(response.agents_size(), 3);
  const types::Agent& b = response.agents(1);
  EXPECT_EQ(b.id().path(), "/spire/agent/x509pop/b");
  EXPECT_EQ(b.attestation_type(), "x509pop");
  EXPECT_TRUE(b.x509svid_serial_number().empty());
  EXPECT_EQ(b.x509svid_expires_at(), 0);
  EXPECT_EQ(b.selectors_size(), 0);
  EXPECT_FALSE(b.can_reattest());
  EXPECT_FALSE(response.agents(2).banned());
}

TEST_F(AgentAdminTest, BadSelectorFilterIsAnInvalidArgument) {
  agentv1::ListAgentsRequest list_request;
  list_request.mutable_filter()->mutable_by_selector_match()->add_selectors()->set_value("v");
  agentv1::ListAgentsResponse list_response;
  grpc::ClientContext list_ctx;
  EXPECT_STATUS(stub_->ListAgents(&list_ctx, list_request, &list_response),
                StatusCode::INVALID_ARGUMENT, "failed to parse selectors: missing selector type");

  agentv1::CountAgentsRequest count_request;
  auto* s = count_request.mutable_filter()->mutable_by_selector_match()->add_selectors();
  s->set_type("a:b");
  s->set_value("v");
  agentv1::CountAgentsResponse count_response;
  grpc::ClientContext count_ctx;
  EXPECT_STATUS(stub_->CountAgents(&count_ctx, count_request, &count_response),
                StatusCode::INVALID_ARGUMENT,
                "failed to parse selectors: selector type contains ':'");
}

TEST_F(AgentAdminTest, CountAgentsWithFilters) {
  EXPECT_EQ(count({}), 3);
  agentv1::CountAgentsRequest r;
  r.mutable_filter()->set_by_attestation_type("x509pop");
  EXPECT_EQ(count(r), 2);
  r.mutable_filter()->mutable_by_banned()->set_value(true);
  EXPECT_EQ(count(r), 1);
  agentv1::CountAgentsRequest by_selector;
  auto* match = by_selector.mutable_filter()->mutable_by_selector_match();
  auto* s = match->add_selectors();
  s->set_type("join_token");
  s->set_value("x");
  match->set_match(types::SelectorMatch::MATCH_ANY);
  EXPECT_EQ(count(by_selector), 1);
}

TEST_F(AgentAdminTest, GetAgentReturnsTheNodeWithSelectorsAndMask) {
  types::Agent agent;
  ASSERT_TRUE(get(kB, &agent).ok());
  EXPECT_EQ(agent.attestation_type(), "x509pop");
  EXPECT_EQ(agent.x509svid_serial_number(), "20");
  ASSERT_EQ(agent.selectors_size(), 2);
  EXPECT_TRUE(agent.can_reattest());

  types::AgentMask mask;
  mask.set_selectors(true);
  types::Agent masked;
  ASSERT_TRUE(get(kB, &masked, &mask).ok());
  EXPECT_EQ(masked.selectors_size(), 2);
  EXPECT_TRUE(masked.attestation_type().empty());
  EXPECT_FALSE(masked.can_reattest());
}

TEST_F(AgentAdminTest, GetAgentErrors) {
  types::Agent agent;
  EXPECT_STATUS(get("spiffe://example.org/spire/agent/none/x", &agent), StatusCode::NOT_FOUND,
                "agent not found");
  EXPECT_STATUS(get("spiffe://example.org/workload", &agent), StatusCode::INVALID_ARGUMENT,
                "invalid agent ID: \"spiffe://example.org/workload\" is not an agent in trust "
                "domain \"example.org\"; path is not in the agent namespace");
  EXPECT_STATUS(get("spiffe://other.org/spire/agent/x/y", &agent), StatusCode::INVALID_ARGUMENT,
                "invalid agent ID: \"spiffe://other.org/spire/agent/x/y\" is not a member of trust "
                "domain \"example.org\"");
  agentv1::GetAgentRequest no_id;
  grpc::ClientContext ctx;
  EXPECT_STATUS(stub_->GetAgent(&ctx, no_id, &agent), StatusCode::INVALID_ARGUMENT,
                "invalid agent ID: request must specify SPIFFE ID");
}

TEST_F(AgentAdminTest, BanAgentClearsBothSerials) {
  plugin_host::AttestedNode pending;
  pending.spiffe_id = kA;
  pending.new_cert_serial_number = "11";
  ASSERT_TRUE(fixture_->datastore()
                  .updateAttestedNode(pending, SPIRE_NODE_MASK_NEW_CERT_SERIAL_NUMBER)
                  .isOk());
  agentv1::BanAgentRequest request;
  *request.mutable_id() = protoId(kA);
  google::protobuf::Empty empty;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->BanAgent(&ctx, request, &empty).ok());
  auto stored = node(kA);
  ASSERT_TRUE(stored.has_value());
  EXPECT_TRUE(stored->cert_serial_number.empty());
  EXPECT_TRUE(stored->new_cert_serial_number.empty());
  EXPECT_EQ(stored->cert_not_after, 1000); // untouched
  types::Agent agent;
  ASSERT_TRUE(get(kA, &agent).ok());
  EXPECT_TRUE(agent.banned());

  agentv1::BanAgentRequest unknown;
  *unknown.mutable_id() = protoId("spiffe://example.org/spire/agent/none/x");
  grpc::ClientContext ctx2;
  EXPECT_STATUS(stub_->BanAgent(&ctx2, unknown, &empty), StatusCode::NOT_FOUND, "agent not found");
  agentv1::BanAgentRequest bad;
  *bad.mutable_id() = protoId("spiffe://example.org/spire/server");
  grpc::ClientContext ctx3;
  EXPECT_STATUS(stub_->BanAgent(&ctx3, bad, &empty), StatusCode::INVALID_ARGUMENT,
                "invalid agent ID: \"spiffe://example.org/spire/server\" is not an agent in trust "
                "domain \"example.org\"; path is not in the agent namespace");
}

TEST_F(AgentAdminTest, DeleteAgentRemovesNodeSelectorsAndIndexRecord) {
  EXPECT_EQ(fixture_->index().nodeCount(), 3u);
  agentv1::DeleteAgentRequest request;
  *request.mutable_id() = protoId(kB);
  google::protobuf::Empty empty;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->DeleteAgent(&ctx, request, &empty).ok());
  EXPECT_FALSE(node(kB).has_value());
  auto selectors = fixture_->datastore().getNodeSelectors(kB);
  ASSERT_TRUE(selectors.isOk());
  EXPECT_TRUE(selectors->empty());
  EXPECT_EQ(fixture_->index().nodeCount(), 2u);

  grpc::ClientContext ctx2;
  EXPECT_STATUS(stub_->DeleteAgent(&ctx2, request, &empty), StatusCode::NOT_FOUND,
                "agent not found");
  agentv1::DeleteAgentRequest no_id;
  grpc::ClientContext ctx3;
  EXPECT_STATUS(stub_->DeleteAgent(&ctx3, no_id, &empty), StatusCode::INVALID_ARGUMENT,
                "invalid agent ID: request must specify SPIFFE ID");
}

TEST_F(AgentAdminTest, CreateJoinTokenGeneratesAUuidWithTheTtl) {
  const types::JoinToken token = createToken(600);
  EXPECT_TRUE(std::regex_match(
      token.value(),
      std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << token.value();
  EXPECT_EQ(token.expires_at(), unixSeconds(fixture_->now()) + 600);
  auto stored = fixture_->datastore().fetchJoinToken(token.value());
  ASSERT_TRUE(stored.isOk());
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->expires_at, token.expires_at());
  EXPECT_NE(createToken(600).value(), token.value());
}

TEST_F(AgentAdminTest, CreateJoinTokenKeepsAGivenValueAndRefusesBadRequests) {
  EXPECT_EQ(createToken(60, "my-token").value(), "my-token");
  auto create = [&](const agentv1::CreateJoinTokenRequest& request) {
    types::JoinToken token;
    grpc::ClientContext ctx;
    return stub_->CreateJoinToken(&ctx, request, &token);
  };
  agentv1::CreateJoinTokenRequest no_ttl;
  EXPECT_STATUS(create(no_ttl), StatusCode::INVALID_ARGUMENT,
                "ttl is required, you must provide one");
  agentv1::CreateJoinTokenRequest negative;
  negative.set_ttl(-5);
  EXPECT_STATUS(create(negative), StatusCode::INVALID_ARGUMENT,
                "ttl is required, you must provide one");
  agentv1::CreateJoinTokenRequest reserved;
  reserved.set_ttl(60);
  *reserved.mutable_agent_id() = protoId("spiffe://example.org/spire/agent/x/y");
  EXPECT_STATUS(create(reserved), StatusCode::INVALID_ARGUMENT,
                "invalid agent ID: \"spiffe://example.org/spire/agent/x/y\" is not a workload in "
                "trust domain \"example.org\"; path is in the reserved namespace");
  agentv1::CreateJoinTokenRequest duplicate;
  duplicate.set_ttl(60);
  duplicate.set_token("my-token");
  EXPECT_STATUS(create(duplicate), StatusCode::INTERNAL,
                "failed to create token: DataStore \"sql\": join token already exists");
}

TEST_F(AgentAdminTest, CreateJoinTokenWithAgentIdCreatesTheAliasEntry) {
  agentv1::CreateJoinTokenRequest request;
  request.set_ttl(60);
  request.set_token("aliased");
  *request.mutable_agent_id() = protoId("spiffe://example.org/host/web-1");
  types::JoinToken token;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->CreateJoinToken(&ctx, request, &token).ok());
  const std::string parent = "spiffe://example.org/spire/agent/join_token/aliased";
  auto entries = fixture_->datastore().listEntries(nullptr, {});
  ASSERT_TRUE(entries.isOk());
  ASSERT_EQ(entries->items.size(), 1u);
  const plugin_host::Entry& entry = entries->items[0];
  EXPECT_EQ(entry.parent_id, parent);
  EXPECT_EQ(entry.spiffe_id, "spiffe://example.org/host/web-1");
  EXPECT_EQ(entry.selectors, (std::vector<plugin_host::Selector>{{"spiffe_id", parent}}));
  // The index has it too: the agent that attests with the token is authorized for it.
  auto authorized = fixture_->index().authorizedEntries(parent);
  ASSERT_EQ(authorized.entries.size(), 1u);
  EXPECT_EQ(authorized.entries[0]->entry_id, entry.entry_id);
}

TEST_F(AgentAdminTest, PostStatusRecordsTheAgentVersion) {
  authorizer_.setCaller(agentCaller(kA));
  agentv1::PostStatusRequest request;
  request.set_agent_version("1.2.3");
  agentv1::PostStatusResponse response;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->PostStatus(&ctx, request, &response).ok());
  }
  EXPECT_EQ(node(kA)->agent_version, "1.2.3");
  types::Agent agent;
  authorizer_.setCaller(Caller{.local = true});
  ASSERT_TRUE(get(kA, &agent).ok());
  EXPECT_EQ(agent.agent_version(), "1.2.3");

  authorizer_.setCaller(agentCaller(kA));
  request.set_agent_version(std::string(256, 'v'));
  grpc::ClientContext ctx;
  EXPECT_STATUS(stub_->PostStatus(&ctx, request, &response), StatusCode::INVALID_ARGUMENT,
                "agent version is too long (max 255 characters)");
  authorizer_.setCaller(agentCaller("spiffe://example.org/spire/agent/none/x"));
  request.set_agent_version("1");
  grpc::ClientContext ctx2;
  EXPECT_STATUS(stub_->PostStatus(&ctx2, request, &response), StatusCode::NOT_FOUND,
                "agent not found");
}

TEST_F(AgentAdminTest, EveryMethodAuthorizesFirst) {
  authorizer_.deny(Status(spire::StatusCode::kPermissionDenied, "denied"));
  google::protobuf::Empty empty;
  auto expectDenied = [](const grpc::Status& status) {
    EXPECT_STATUS(status, StatusCode::PERMISSION_DENIED, "denied");
  };
  {
    grpc::ClientContext ctx;
    agentv1::CountAgentsResponse r;
    expectDenied(stub_->CountAgents(&ctx, {}, &r));
  }
  {
    grpc::ClientContext ctx;
    agentv1::ListAgentsResponse r;
    expectDenied(stub_->ListAgents(&ctx, {}, &r));
  }
  {
    grpc::ClientContext ctx;
    types::Agent r;
    expectDenied(stub_->GetAgent(&ctx, {}, &r));
  }
  {
    grpc::ClientContext ctx;
    expectDenied(stub_->DeleteAgent(&ctx, {}, &empty));
  }
  {
    grpc::ClientContext ctx;
    expectDenied(stub_->BanAgent(&ctx, {}, &empty));
  }
  {
    grpc::ClientContext ctx;
    agentv1::RenewAgentResponse r;
    expectDenied(stub_->RenewAgent(&ctx, {}, &r));
  }
  {
    grpc::ClientContext ctx;
    types::JoinToken r;
    expectDenied(stub_->CreateJoinToken(&ctx, {}, &r));
  }
  {
    grpc::ClientContext ctx;
    agentv1::PostStatusResponse r;
    expectDenied(stub_->PostStatus(&ctx, {}, &r));
  }
  const std::string p = "/spire.api.server.agent.v1.Agent/";
  EXPECT_EQ(authorizer_.methods(),
            (std::vector<std::string>{p + "CountAgents", p + "ListAgents", p + "GetAgent",
                                      p + "DeleteAgent", p + "BanAgent", p + "RenewAgent",
                                      p + "CreateJoinToken", p + "PostStatus"}));
  // Nothing was written.
  EXPECT_EQ(node(kA)->cert_serial_number, "10");
}

} // namespace
} // namespace spire::server::api::testing
