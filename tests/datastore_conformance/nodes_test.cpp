// Attested nodes and node selectors.

#include "datastore_conformance/datastore_fixture.h"

namespace spire::datastore_conformance {
namespace {

using plugin_host::AttestedNode;
using plugin_host::NodeFilter;
using plugin_host::Pagination;

class NodeTest : public DataStoreTest {
protected:
  AttestedNode node(const std::string& name, const std::string& type, const std::string& serial,
                    std::int64_t not_after, bool can_reattest) {
    AttestedNode n;
    n.spiffe_id = "spiffe://example.org/spire/agent/" + name;
    n.attestation_data_type = type;
    n.cert_serial_number = serial;
    n.cert_not_after = not_after;
    n.can_reattest = can_reattest;
    n.agent_version = "1.2.3";
    return n;
  }
  std::string id(const std::string& name) { return "spiffe://example.org/spire/agent/" + name; }

  std::vector<std::string> names(const NodeFilter& filter) {
    auto page = ds().listAttestedNodes(&filter, Pagination{});
    EXPECT_TRUE(page.isOk()) << page.status().message();
    std::vector<std::string> out;
    for (const auto& n : page->items) {
      out.push_back(n.spiffe_id.substr(id("").size()));
    }
    EXPECT_EQ(*ds().countAttestedNodes(&filter), static_cast<std::int64_t>(out.size()));
    return out;
  }
};

using Names = std::vector<std::string>;

TEST_P(NodeTest, CreateFetchRoundTripsEveryField) {
  AttestedNode n = node("a", "join_token", "1234", 1000, true);
  n.new_cert_serial_number = "5678";
  n.new_cert_not_after = 2000;
  auto created = ds().createAttestedNode(n);
  ASSERT_TRUE(created.isOk()) << created.status().message();
  auto fetched = ds().fetchAttestedNode(n.spiffe_id);
  ASSERT_TRUE(fetched.isOk());
  ASSERT_TRUE(fetched->has_value());
  const AttestedNode& got = **fetched;
  EXPECT_EQ(got.attestation_data_type, "join_token");
  EXPECT_EQ(got.cert_serial_number, "1234");
  EXPECT_EQ(got.cert_not_after, 1000);
  EXPECT_EQ(got.new_cert_serial_number, "5678");
  EXPECT_EQ(got.new_cert_not_after, 2000);
  EXPECT_TRUE(got.can_reattest);
  EXPECT_EQ(got.agent_version, "1.2.3");
  EXPECT_FALSE((*ds().fetchAttestedNode(id("zz"))).has_value());
}

TEST_P(NodeTest, CreateErrors) {
  ASSERT_TRUE(ds().createAttestedNode(node("a", "t", "1", 1, false)).isOk());
  expectError(ds().createAttestedNode(node("a", "t", "1", 1, false)).status(),
              StatusCode::kAlreadyExists, "attested node already exists");
  AttestedNode empty;
  expectError(ds().createAttestedNode(empty).status(), StatusCode::kInvalidArgument,
              "invalid attested node: missing SPIFFE ID");
}

TEST_P(NodeTest, ListFiltersAndPaging) {
  ASSERT_TRUE(ds().createAttestedNode(node("a", "join_token", "1", 100, false)).isOk());
  ASSERT_TRUE(ds().createAttestedNode(node("b", "x509pop", "", 200, true)).isOk()); // banned
  ASSERT_TRUE(ds().createAttestedNode(node("c", "x509pop", "3", 300, true)).isOk());
  ASSERT_TRUE(ds().setNodeSelectors(id("a"), {{"t", "1"}, {"t", "2"}}).isOk());
  ASSERT_TRUE(ds().setNodeSelectors(id("c"), {{"t", "1"}}).isOk());

  EXPECT_EQ(names(NodeFilter{}), (Names{"a", "b", "c"}));
  NodeFilter f;
  f.expires_before = 250;
  EXPECT_EQ(names(f), (Names{"a", "b"}));
  f = NodeFilter{};
  f.attestation_type = "x509pop";
  EXPECT_EQ(names(f), (Names{"b", "c"}));
  f = NodeFilter{};
  f.banned = true;
  EXPECT_EQ(names(f), (Names{"b"}));
  f.banned = false;
  EXPECT_EQ(names(f), (Names{"a", "c"}));
  f = NodeFilter{};
  f.can_reattest = false;
  EXPECT_EQ(names(f), (Names{"a"}));
  f = NodeFilter{};
  f.selectors = std::vector<Selector>{{"t", "1"}};
  f.selectors_match = SPIRE_MATCH_EXACT;
  EXPECT_EQ(names(f), (Names{"c"}));
  f.selectors_match = SPIRE_MATCH_SUPERSET;
  EXPECT_EQ(names(f), (Names{"a", "c"}));
  f.selectors = std::vector<Selector>{{"t", "1"}, {"t", "2"}, {"t", "3"}};
  f.selectors_match = SPIRE_MATCH_SUBSET;
  EXPECT_EQ(names(f), (Names{"a", "c"}));
  f.selectors = std::vector<Selector>{{"t", "2"}, {"t", "9"}};
  f.selectors_match = SPIRE_MATCH_ANY;
  EXPECT_EQ(names(f), (Names{"a"}));

  auto first = ds().listAttestedNodes(nullptr, Pagination{"", 2});
  ASSERT_TRUE(first.isOk());
  EXPECT_EQ(first->items.size(), 2u);
  EXPECT_EQ(first->next_token, id("b"));
  auto second = ds().listAttestedNodes(nullptr, Pagination{first->next_token, 2});
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].spiffe_id, id("c"));
  EXPECT_EQ(second->next_token, "");
}

TEST_P(NodeTest, ListEmitsSelectorsOnlyWhenAsked) {
  ASSERT_TRUE(ds().createAttestedNode(node("a", "t", "1", 100, false)).isOk());
  ASSERT_TRUE(ds().setNodeSelectors(id("a"), {{"t", "1"}, {"t", "2"}}).isOk());
  NodeFilter f;
  auto without = ds().listAttestedNodes(&f, Pagination{});
  ASSERT_EQ(without->items.size(), 1u);
  EXPECT_TRUE(without->items[0].selectors.empty());
  f.fetch_selectors = true;
  auto with = ds().listAttestedNodes(&f, Pagination{});
  ASSERT_EQ(with->items.size(), 1u);
  EXPECT_EQ(with->items[0].selectors, (std::vector<Selector>{{"t", "1"}, {"t", "2"}}));
}

TEST_P(NodeTest, UpdateWritesMaskedFields) {
  ASSERT_TRUE(ds().createAttestedNode(node("a", "t", "1", 100, false)).isOk());
  AttestedNode change = node("a", "other", "2", 200, true);
  change.new_cert_serial_number = "3";
  change.new_cert_not_after = 300;
  change.agent_version = "9.9.9";
  auto updated = ds().updateAttestedNode(change, SPIRE_NODE_MASK_NEW_CERT_SERIAL_NUMBER |
                                                     SPIRE_NODE_MASK_NEW_CERT_NOT_AFTER);
  ASSERT_TRUE(updated.isOk()) << updated.status().message();
  EXPECT_EQ(updated->cert_serial_number, "1");
  EXPECT_EQ(updated->new_cert_serial_number, "3");
  EXPECT_EQ(updated->new_cert_not_after, 300);
  updated = ds().updateAttestedNode(
      change, SPIRE_NODE_MASK_CERT_SERIAL_NUMBER | SPIRE_NODE_MASK_CERT_NOT_AFTER |
                  SPIRE_NODE_MASK_CAN_REATTEST | SPIRE_NODE_MASK_AGENT_VERSION);
  ASSERT_TRUE(updated.isOk());
  EXPECT_EQ(updated->cert_serial_number, "2");
  EXPECT_EQ(updated->cert_not_after, 200);
  EXPECT_TRUE(updated->can_reattest);
  EXPECT_EQ(updated->agent_version, "9.9.9");
  EXPECT_EQ(updated->attestation_data_type, "t"); // never updated
  expectError(
      ds().updateAttestedNode(node("zz", "t", "1", 1, false), SPIRE_NODE_MASK_CERT_SERIAL_NUMBER)
          .status(),
      StatusCode::kNotFound, "record not found");
}

TEST_P(NodeTest, BanIsAnEmptySerial) {
  ASSERT_TRUE(ds().createAttestedNode(node("a", "t", "1", 100, false)).isOk());
  AttestedNode ban = node("a", "t", "", 0, false);
  ASSERT_TRUE(ds().updateAttestedNode(ban, SPIRE_NODE_MASK_CERT_SERIAL_NUMBER |
                                               SPIRE_NODE_MASK_NEW_CERT_SERIAL_NUMBER)
                  .isOk());
  NodeFilter f;
  f.banned = true;
  EXPECT_EQ(names(f), (Names{"a"}));
}

TEST_P(NodeTest, DeleteRemovesTheNodeAndItsSelectors) {
  ASSERT_TRUE(ds().createAttestedNode(node("a", "t", "1", 100, false)).isOk());
  ASSERT_TRUE(ds().setNodeSelectors(id("a"), {{"t", "1"}}).isOk());
  auto deleted = ds().deleteAttestedNode(id("a"));
  ASSERT_TRUE(deleted.isOk());
  EXPECT_EQ(deleted->cert_serial_number, "1");
  EXPECT_FALSE((*ds().fetchAttestedNode(id("a"))).has_value());
  EXPECT_TRUE((*ds().getNodeSelectors(id("a"))).empty());
  expectError(ds().deleteAttestedNode(id("a")).status(), StatusCode::kNotFound, "record not found");
}

TEST_P(NodeTest, PruneExpiredNodes) {
  ASSERT_TRUE(ds().createAttestedNode(node("old-reattest", "t", "1", 100, true)).isOk());
  ASSERT_TRUE(ds().createAttestedNode(node("old-tofu", "t", "2", 100, false)).isOk());
  ASSERT_TRUE(ds().createAttestedNode(node("old-banned", "t", "", 100, true)).isOk());
  ASSERT_TRUE(ds().createAttestedNode(node("fresh", "t", "3", 10000, true)).isOk());
  ASSERT_TRUE(ds().setNodeSelectors(id("old-reattest"), {{"t", "1"}}).isOk());
  ASSERT_TRUE(ds().pruneAttestedExpiredNodes(500, false).isOk());
  EXPECT_EQ(names(NodeFilter{}), (Names{"fresh", "old-banned", "old-tofu"}));
  EXPECT_TRUE((*ds().getNodeSelectors(id("old-reattest"))).empty());
  ASSERT_TRUE(ds().pruneAttestedExpiredNodes(500, true).isOk());
  EXPECT_EQ(names(NodeFilter{}), (Names{"fresh", "old-banned"}));
}

TEST_P(NodeTest, SetNodeSelectorsReplacesAndListFiltersByValidity) {
  ASSERT_TRUE(ds().createAttestedNode(node("a", "t", "1", 100, false)).isOk());
  ASSERT_TRUE(ds().createAttestedNode(node("b", "t", "2", 1000, false)).isOk());
  ASSERT_TRUE(ds().setNodeSelectors(id("a"), {{"t", "1"}, {"t", "2"}}).isOk());
  ASSERT_TRUE(ds().setNodeSelectors(id("a"), {{"t", "3"}}).isOk());
  EXPECT_EQ(*ds().getNodeSelectors(id("a")), (std::vector<Selector>{{"t", "3"}}));
  ASSERT_TRUE(ds().setNodeSelectors(id("b"), {{"u", "1"}}).isOk());
  auto all = ds().listNodeSelectors(0);
  ASSERT_TRUE(all.isOk());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].spiffe_id, id("a"));
  EXPECT_EQ((*all)[0].selectors, (std::vector<Selector>{{"t", "3"}}));
  auto valid = ds().listNodeSelectors(500);
  ASSERT_TRUE(valid.isOk());
  ASSERT_EQ(valid->size(), 1u);
  EXPECT_EQ((*valid)[0].spiffe_id, id("b"));
  // Emptying works and an unknown node has no selectors.
  ASSERT_TRUE(ds().setNodeSelectors(id("a"), {}).isOk());
  EXPECT_TRUE((*ds().getNodeSelectors(id("a"))).empty());
  EXPECT_TRUE((*ds().getNodeSelectors(id("nobody"))).empty());
  expectError(ds().setNodeSelectors("", {{"t", "1"}}), StatusCode::kInvalidArgument,
              "missing SPIFFE ID");
}

SPIRE_DATASTORE_SUITE(NodeTest);

} // namespace
} // namespace spire::datastore_conformance
