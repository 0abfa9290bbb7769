#include <chrono>

#include <gtest/gtest.h>

#include "server/commands/command_fixture.h"

namespace spire::server::commands::testing {
namespace {

using AgentCommandsTest = CommandFixture;

types::Agent sampleAgent(const std::string& path, std::int64_t expires_at, bool banned = false) {
  types::Agent a;
  a.mutable_id()->set_trust_domain("example.org");
  a.mutable_id()->set_path(path);
  a.set_attestation_type("join_token");
  a.set_x509svid_serial_number(banned ? "" : "1234");
  a.set_x509svid_expires_at(expires_at);
  a.set_banned(banned);
  a.set_can_reattest(true);
  return a;
}

std::int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST_F(AgentCommandsTest, ListPrintsAgentsAndBuildsTheFilter) {
  agentv1::ListAgentsResponse page1;
  *page1.add_agents() = sampleAgent("/spire/agent/a1", 1552410266);
  page1.set_next_page_token("next");
  agentv1::ListAgentsResponse page2;
  *page2.add_agents() = sampleAgent("/spire/agent/a2", 1552410266, true);
  agent_.list.respond(page1);
  agent_.list.respond(page2);

  const auto r =
      run("agent list", {"-selector", "k8s:ns:default", "-matchSelectorsOn", "any",
                         "-attestationType", "join_token", "-banned", "false", "-canReattest",
                         "true", "-expiresBefore", "2030-01-02 15:04:05 -0700 -07"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Found 2 attested agents:\n\n"
                   "SPIFFE ID         : spiffe://example.org/spire/agent/a1\n"
                   "Attestation type  : join_token\n"
                   "Expiration time   : 2019-03-12 17:04:26 +0000 UTC\n"
                   "Serial number     : 1234\n"
                   "Can re-attest     : true\n"
                   "\n"
                   "SPIFFE ID         : spiffe://example.org/spire/agent/a2\n"
                   "Attestation type  : join_token\n"
                   "Expiration time   : 2019-03-12 17:04:26 +0000 UTC\n"
                   "Banned            : true\n"
                   "Can re-attest     : true\n"
                   "\n");
  const auto reqs = agent_.list.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].page_size(), 1000);
  EXPECT_EQ(reqs[1].page_token(), "next");
  const auto& f = reqs[0].filter();
  EXPECT_EQ(f.by_selector_match().match(), types::SelectorMatch::MATCH_ANY);
  EXPECT_EQ(f.by_selector_match().selectors(0).type(), "k8s");
  EXPECT_EQ(f.by_selector_match().selectors(0).value(), "ns:default");
  EXPECT_EQ(f.by_attestation_type(), "join_token");
  ASSERT_TRUE(f.has_by_banned());
  EXPECT_FALSE(f.by_banned().value());
  ASSERT_TRUE(f.has_by_can_reattest());
  EXPECT_TRUE(f.by_can_reattest().value());
  EXPECT_EQ(f.by_expires_before(), "2030-01-02 15:04:05 -0700 -07");
}

TEST_F(AgentCommandsTest, ListEmptyOtherTriStateAndJson) {
  agent_.list.respond(agentv1::ListAgentsResponse());
  auto r = run("agent list", {"-banned", "maybe"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "No attested agents found\n");
  EXPECT_FALSE(agent_.list.requests()[0].filter().has_by_banned());

  r = run("agent list", {"-output", "json"});
  EXPECT_EQ(r.out, "{\"agents\":[],\"next_page_token\":\"\"}\n");
}

TEST_F(AgentCommandsTest, ListFilterErrors) {
  auto r = run("agent list", {"-selector", "a:b", "-matchSelectorsOn", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: unsupported match behavior\n");
  r = run("agent list", {"-selector", "ab"});
  EXPECT_EQ(r.err, "Error: error parsing selector \"ab\": selector \"ab\" must be formatted as "
                   "type:value\n");
  r = run("agent count", {"-expiresBefore", "2030-01-02"});
  EXPECT_EQ(r.err, "Error: date is not valid: parsing time \"2030-01-02\" as \"2006-01-02 "
                   "15:04:05 -0700 -07\": cannot parse \"\" as \" \"\n");
  r = run("agent count", {"-expiresBefore", "2030-13-02 15:04:05 -0700 -07"});
  EXPECT_EQ(r.err, "Error: date is not valid: parsing time \"2030-13-02 15:04:05 -0700 -07\": "
                   "month out of range\n");
  r = run("agent count", {"-expiresBefore", "soon"});
  EXPECT_EQ(r.err, "Error: date is not valid: parsing time \"soon\" as \"2006-01-02 15:04:05 "
                   "-0700 -07\": cannot parse \"soon\" as \"2006\"\n");
  r = run("agent count", {"-expiresBefore", "2030-01-02 15:04:05 -0700 -07x"});
  EXPECT_EQ(r.err, "Error: date is not valid: parsing time \"2030-01-02 15:04:05 -0700 -07x\": "
                   "extra text: \"x\"\n");
  EXPECT_TRUE(agent_.list.requests().empty());
  EXPECT_TRUE(agent_.count.requests().empty());
}

TEST_F(AgentCommandsTest, Count) {
  agentv1::CountAgentsResponse one;
  one.set_count(1);
  agent_.count.respond(one);
  auto r = run("agent count", {"-canReattest", "false"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "1 attested agent\n");
  EXPECT_FALSE(agent_.count.requests()[0].filter().by_can_reattest().value());
  r = run("agent count", {"-output", "json"});
  EXPECT_EQ(r.out, "{\"count\":1}\n");
}

TEST_F(AgentCommandsTest, ShowPrintsTheAgentAndItsSelectors) {
  types::Agent a = sampleAgent("/spire/agent/agent1", 1552410266);
  auto* s = a.add_selectors();
  s->set_type("k8s_psat");
  s->set_value("cluster:demo");
  agent_.get.respond(a);
  auto r = run("agent show", {"-spiffeID", "spiffe://example.org/spire/agent/agent1"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Found an attested agent given its SPIFFE ID\n\n"
                   "SPIFFE ID         : spiffe://example.org/spire/agent/agent1\n"
                   "Attestation type  : join_token\n"
                   "Expiration time   : 2019-03-12 17:04:26 +0000 UTC\n"
                   "Serial number     : 1234\n"
                   "Can re-attest     : true\n"
                   "\n"
                   "Selectors         : k8s_psat:cluster:demo\n");
  EXPECT_EQ(agent_.get.requests()[0].id().path(), "/spire/agent/agent1");

  r = run("agent show",
          {"-spiffeID", "spiffe://example.org/spire/agent/agent1", "-output", "json"});
  EXPECT_EQ(r.out, R"({"id":{"trust_domain":"example.org","path":"/spire/agent/agent1"},)"
                   R"("attestation_type":"join_token","x509svid_serial_number":"1234",)"
                   R"("x509svid_expires_at":"1552410266","selectors":[{"type":"k8s_psat",)"
                   R"("value":"cluster:demo"}],"banned":false,"can_reattest":true,)"
                   R"("agent_version":""})"
                   "\n");
}

TEST_F(AgentCommandsTest, ShowBanEvictRequireAValidId) {
  for (const std::string cmd : {"agent show", "agent ban", "agent evict"}) {
    auto r = run(cmd, {});
    EXPECT_EQ(r.code, 1) << cmd;
    EXPECT_EQ(r.err, "Error: a SPIFFE ID is required\n") << cmd;
    r = run(cmd, {"-spiffeID", "spiffe://example.org/"});
    EXPECT_EQ(r.err, "Error: path cannot have a trailing slash\n") << cmd;
  }
  agent_.get.fail(grpc::StatusCode::NOT_FOUND, "agent not found");
  const auto r = run("agent show", {"-spiffeID", "spiffe://example.org/spire/agent/x"});
  EXPECT_EQ(r.err, "Error: rpc error: code = NotFound desc = agent not found\n");
}

TEST_F(AgentCommandsTest, BanAndEvict) {
  auto r = run("agent ban", {"-spiffeID", "spiffe://example.org/spire/agent/agent1"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Agent banned successfully\n");
  EXPECT_EQ(agent_.ban.requests()[0].id().path(), "/spire/agent/agent1");

  r = run("agent evict", {"-spiffeID", "spiffe://example.org/spire/agent/agent1"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Agent evicted successfully\n");
  EXPECT_EQ(agent_.remove.requests()[0].id().trust_domain(), "example.org");

  r = run("agent evict",
          {"-spiffeID", "spiffe://example.org/spire/agent/agent1", "-output", "json"});
  EXPECT_EQ(r.out, "{}\n");

  agent_.ban.fail(grpc::StatusCode::INTERNAL, "internal server error");
  r = run("agent ban", {"-spiffeID", "spiffe://example.org/spire/agent/agent1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: rpc error: code = Internal desc = internal server error\n");
}

TEST_F(AgentCommandsTest, PurgeDryRunListsOnlyLongExpiredAgents) {
  const std::int64_t now = nowSeconds();
  agentv1::ListAgentsResponse resp;
  *resp.add_agents() = sampleAgent("/old", now - 31 * 24 * 3600);
  *resp.add_agents() = sampleAgent("/recent", now - 3600);
  agent_.list.respond(resp);
  const auto r = run("agent purge", {"-dryRun"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Found 1 expired agent\n\n\nAgents that can be purged:\n"
                   "SPIFFE ID         : spiffe://example.org/old\n");
  EXPECT_TRUE(agent_.remove.requests().empty());
  const auto reqs = agent_.list.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_TRUE(reqs[0].filter().by_can_reattest().value());
  EXPECT_TRUE(reqs[0].output_mask().x509svid_expires_at());
}

TEST_F(AgentCommandsTest, PurgeDeletesAndReports) {
  const std::int64_t now = nowSeconds();
  agentv1::ListAgentsResponse resp;
  *resp.add_agents() = sampleAgent("/a", now - 7200);
  *resp.add_agents() = sampleAgent("/b", now - 7200);
  agent_.list.respond(resp);
  auto r = run("agent purge", {"-expiredFor", "1h"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Found 2 expired agents\n\nAgents purged:\n"
                   "SPIFFE ID         : spiffe://example.org/a\n"
                   "SPIFFE ID         : spiffe://example.org/b\n");
  EXPECT_EQ(agent_.remove.requests().size(), 2u);

  agent_.remove.fail(grpc::StatusCode::INTERNAL, "boom");
  r = run("agent purge", {"-expiredFor", "1h"});
  EXPECT_EQ(r.out, "Found 2 expired agents\n\nAgents not purged:\n"
                   "SPIFFE ID         : spiffe://example.org/a\n"
                   "Error             : rpc error: code = Internal desc = boom\n"
                   "SPIFFE ID         : spiffe://example.org/b\n"
                   "Error             : rpc error: code = Internal desc = boom\n");
  r = run("agent purge", {"-expiredFor", "1h", "-output", "json"});
  EXPECT_EQ(r.out, R"([{"expired_agents":[{"agent_id":"spiffe://example.org/a","deleted":false,)"
                   R"("error":"rpc error: code = Internal desc = boom"},)"
                   R"({"agent_id":"spiffe://example.org/b","deleted":false,)"
                   R"("error":"rpc error: code = Internal desc = boom"}]}])"
                   "\n");
}

TEST_F(AgentCommandsTest, PurgeNothingAndListFailure) {
  agent_.list.respond(agentv1::ListAgentsResponse());
  auto r = run("agent purge", {});
  EXPECT_EQ(r.out, "No agents to purge.\n");
  r = run("agent purge", {"-output", "json"});
  EXPECT_EQ(r.out, "[{\"expired_agents\":[]}]\n");
  agent_.list.fail(grpc::StatusCode::UNAVAILABLE, "down");
  r = run("agent purge", {});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: failed to list agents: rpc error: code = Unavailable desc = down\n");
}

} // namespace
} // namespace spire::server::commands::testing
