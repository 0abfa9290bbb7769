// Agent conversions without a server: node -> types.Agent, masks, filters, the Go time layout of
// by_expires_before, selector dedupe, join token IDs and UUIDs.
#include "server/api/agent/agent_convert.h"

#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "spire/api/server/agent/v1/agent.pb.h"

namespace spire::server::api {
namespace {

plugin_host::AttestedNode sampleNode() {
  plugin_host::AttestedNode node;
  node.spiffe_id = "spiffe://example.org/spire/agent/x509pop/abc";
  node.attestation_data_type = "x509pop";
  node.cert_serial_number = "123";
  node.cert_not_after = 1700000000;
  node.new_cert_serial_number = "456";
  node.can_reattest = true;
  node.agent_version = "1.9.0";
  node.selectors = {{"x509pop", "subject:cn:a"}};
  return node;
}

TEST(AgentConvertTest, ProtoFromAttestedNodeCopiesEveryField) {
  auto agent = protoFromAttestedNode(sampleNode());
  ASSERT_TRUE(agent.isOk()) << agent.status().message();
  EXPECT_EQ(agent->id().trust_domain(), "example.org");
  EXPECT_EQ(agent->id().path(), "/spire/agent/x509pop/abc");
  EXPECT_EQ(agent->attestation_type(), "x509pop");
  EXPECT_EQ(agent->x509svid_serial_number(), "123");
  EXPECT_EQ(agent->x509svid_expires_at(), 1700000000);
  ASSERT_EQ(agent->selectors_size(), 1);
  EXPECT_EQ(agent->selectors(0).type(), "x509pop");
  EXPECT_EQ(agent->selectors(0).value(), "subject:cn:a");
  EXPECT_FALSE(agent->banned());
  EXPECT_TRUE(agent->can_reattest());
  EXPECT_EQ(agent->agent_version(), "1.9.0");
}

TEST(AgentConvertTest, EmptySerialMeansBanned) {
  auto node = sampleNode();
  node.cert_serial_number.clear();
  auto agent = protoFromAttestedNode(node);
  ASSERT_TRUE(agent.isOk());
  EXPECT_TRUE(agent->banned());
}

TEST(AgentConvertTest, MalformedStoredIdIsReported) {
  auto node = sampleNode();
  node.spiffe_id = "not-an-id";
  auto agent = protoFromAttestedNode(node);
  ASSERT_FALSE(agent.isOk());
  EXPECT_EQ(agent.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(agent.status().message(), "node has malformed SPIFFE ID: scheme is missing or invalid");
}

TEST(AgentConvertTest, MaskClearsUnselectedFieldsButKeepsTheId) {
  auto agent = *protoFromAttestedNode(sampleNode());
  auto unmasked = agent;
  applyAgentMask(unmasked, nullptr);
  EXPECT_EQ(unmasked.SerializeAsString(), agent.SerializeAsString());

  types::AgentMask mask;
  mask.set_x509svid_expires_at(true);
  mask.set_agent_version(true);
  applyAgentMask(agent, &mask);
  EXPECT_EQ(agent.id().path(), "/spire/agent/x509pop/abc");
  EXPECT_EQ(agent.x509svid_expires_at(), 1700000000);
  EXPECT_EQ(agent.agent_version(), "1.9.0");
  EXPECT_TRUE(agent.attestation_type().empty());
  EXPECT_TRUE(agent.x509svid_serial_number().empty());
  EXPECT_EQ(agent.selectors_size(), 0);
  EXPECT_FALSE(agent.can_reattest());
}

TEST(AgentConvertTest, ParseExpiresBeforeFollowsTheGoLayout) {
  EXPECT_EQ(parseExpiresBefore("1970-01-01 00:00:10 +0000 +00"), 10);
  EXPECT_EQ(parseExpiresBefore("2023-11-14 22:13:20 +0000 +00"), 1700000000);
  // The last zone field ("-07") gives the offset, as Go applies fields in order.
  EXPECT_EQ(parseExpiresBefore("2023-11-14 23:13:20 +0100 +01"), 1700000000);
  EXPECT_EQ(parseExpiresBefore("2023-11-14 17:13:20 -0500 -05"), 1700000000);
  // Go's "15" takes a one-digit hour.
  EXPECT_EQ(parseExpiresBefore("1970-01-01 1:00:00 +0000 +00"), 3600);
  for (const char* bad : {"", "2023-11-14", "2023-11-14 22:13:20", "2023-11-14 22:13:20 +0000",
                          "2023-13-01 00:00:00 +0000 +00", "2023-02-30 00:00:00 +0000 +00",
                          "2023-11-14 24:00:00 +0000 +00", "2023-11-14 22:13:20 +0000 +00 ",
                          "2023-11-14T22:13:20 +0000 +00", "2023-11-14 22:13:20 0000 +00"}) {
    EXPECT_EQ(parseExpiresBefore(bad), 0) << bad;
  }
}

TEST(AgentConvertTest, NodeFilterFromProtoMapsEveryField) {
  spire::api::server::agent::v1::ListAgentsRequest::Filter filter;
  filter.set_by_attestation_type("x509pop");
  filter.mutable_by_banned()->set_value(false);
  filter.mutable_by_can_reattest()->set_value(true);
  filter.set_by_expires_before("1970-01-01 00:00:10 +0000 +00");
  auto* s = filter.mutable_by_selector_match()->add_selectors();
  s->set_type("t");
  s->set_value("v");
  filter.mutable_by_selector_match()->set_match(types::SelectorMatch::MATCH_SUPERSET);
  auto out = nodeFilterFromProto(filter);
  ASSERT_TRUE(out.isOk());
  EXPECT_EQ(out->attestation_type, "x509pop");
  EXPECT_EQ(out->banned, false);
  EXPECT_EQ(out->can_reattest, true);
  EXPECT_EQ(out->expires_before, 10);
  ASSERT_TRUE(out->selectors.has_value());
  EXPECT_EQ(*out->selectors, (std::vector<plugin_host::Selector>{{"t", "v"}}));
  EXPECT_EQ(out->selectors_match, SPIRE_MATCH_SUPERSET);

  auto empty = nodeFilterFromProto(spire::api::server::agent::v1::CountAgentsRequest::Filter{});
  ASSERT_TRUE(empty.isOk());
  EXPECT_FALSE(empty->attestation_type.has_value());
  EXPECT_FALSE(empty->banned.has_value());
  EXPECT_FALSE(empty->can_reattest.has_value());
  EXPECT_FALSE(empty->selectors.has_value());
  EXPECT_EQ(empty->expires_before, 0);

  spire::api::server::agent::v1::CountAgentsRequest::Filter bad;
  bad.mutable_by_selector_match()->add_selectors()->set_type("t");
  auto refused = nodeFilterFromProto(bad);
  ASSERT_FALSE(refused.isOk());
  EXPECT_EQ(refused.status().message(), "missing selector value");
}

TEST(AgentConvertTest, DedupeSelectorsSortsAndDropsDuplicates) {
  EXPECT_EQ(dedupeSelectors({{"b", "1"}, {"a", "2"}, {"b", "1"}, {"a", "1"}}),
            (std::vector<plugin_host::Selector>{{"a", "1"}, {"a", "2"}, {"b", "1"}}));
  EXPECT_TRUE(dedupeSelectors({}).empty());
}

TEST(AgentConvertTest, JoinTokenAgentId) {
  auto td = *spiffe::TrustDomain::parse("example.org");
  auto id = joinTokenAgentId(td, "abc-123");
  ASSERT_TRUE(id.isOk());
  EXPECT_EQ(id->toString(), "spiffe://example.org/spire/agent/join_token/abc-123");
  auto bad = joinTokenAgentId(td, "a/b");
  ASSERT_FALSE(bad.isOk());
  EXPECT_EQ(bad.status().message(),
            "path segment characters are limited to letters, numbers, dots, dashes, and "
            "underscores");
}

TEST(AgentConvertTest, NewUuidV4IsCanonicalAndRandom) {
  const std::regex form("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string uuid = newUuidV4();
    EXPECT_TRUE(std::regex_match(uuid, form)) << uuid;
    seen.insert(uuid);
  }
  EXPECT_EQ(seen.size(), 100u);
}

} // namespace
} // namespace spire::server::api
