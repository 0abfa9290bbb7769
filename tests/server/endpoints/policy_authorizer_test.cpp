// PolicyAuthorizer over the real datastore and CA: SPIRE's policy per caller class, the agent
// checks in SPIRE's order with their messages, serial promotion, and cache invalidation.
#include <gtest/gtest.h>

#include "endpoints_test_util.h"
#include "server/endpoints/policy_authorizer.h"

namespace spire::server::endpoints {
namespace {

using api::testing::ServerFixture;
using api::testing::ServerFixtureOptions;
using testing::agentSvid;
using testing::attest;
using testing::ClientSvid;
using testing::workloadSvid;

constexpr std::string_view kCountEntries = "/spire.api.server.entry.v1.Entry/CountEntries";
constexpr std::string_view kGetBundle = "/spire.api.server.bundle.v1.Bundle/GetBundle";
constexpr std::string_view kSyncEntries = "/spire.api.server.entry.v1.Entry/SyncAuthorizedEntries";
constexpr std::string_view kDownstreamCa = "/spire.api.server.svid.v1.SVID/NewDownstreamX509CA";
constexpr std::string_view kGetInfo = "/spire.api.server.debug.v1.Debug/GetInfo";
constexpr char kAgentId[] = "spiffe://example.org/spire/agent/join_token/abc";

std::string denied(std::string_view method) {
  return "authorization denied for method " + std::string(method);
}

PeerInfo local() {
  return {.address = "unix:/tmp/api.sock"};
}
PeerInfo anonymous() {
  return {.address = "ipv4:127.0.0.1:40000", .tls = true};
}
PeerInfo tcp(const ClientSvid& svid) {
  PeerInfo peer{.address = "ipv4:127.0.0.1:40000", .tls = true};
  peer.leaf_pem = crypto::certificateToPem(*svid.chain.front());
  return peer;
}

class PolicyAuthorizerTest : public ::testing::Test {
protected:
  void SetUp() override { makeFixture({}); }
  void makeFixture(ServerFixtureOptions options) {
    options.fake_clock = true;
    auto created = ServerFixture::create(options);
    ASSERT_TRUE(created.isOk()) << created.status().message();
    authorizer_.reset();
    fixture_ = std::move(*created);
  }
  PolicyAuthorizer& authorizer(PolicyAuthorizerOptions options = {}) {
    if (!authorizer_) {
      authorizer_ = std::make_unique<PolicyAuthorizer>(fixture_->state(), options);
    }
    return *authorizer_;
  }
  void createEntry(const std::string& spiffe_id, bool admin, bool downstream) {
    plugin_host::Entry entry;
    entry.spiffe_id = spiffe_id;
    entry.parent_id = kAgentId;
    entry.selectors = {{"unix", "uid:1000"}};
    entry.admin = admin;
    entry.downstream = downstream;
    auto created = fixture_->datastore().createEntry(entry);
    ASSERT_TRUE(created.isOk()) << created.status().message();
    fixture_->index().upsertEntry(*created);
  }
  plugin_host::AttestedNode node() {
    auto fetched = fixture_->datastore().fetchAttestedNode(kAgentId);
    EXPECT_TRUE(fetched.isOk() && fetched->has_value());
    return **fetched;
  }
  void expectDenied(const PeerInfo& peer, std::string_view method) {
    auto result = authorizer().authorizePeer(peer, method);
    ASSERT_FALSE(result.isOk());
    EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(result.status().message(), denied(method));
  }

  std::unique_ptr<ServerFixture> fixture_;
  std::unique_ptr<PolicyAuthorizer> authorizer_;
};

TEST_F(PolicyAuthorizerTest, LocalCallerMayCallLocalMethodsButNotAgentOnes) {
  auto caller = authorizer().authorizePeer(local(), kCountEntries);
  ASSERT_TRUE(caller.isOk()) << caller.status().message();
  EXPECT_TRUE(caller->local);
  EXPECT_FALSE(caller->id.has_value());
  ASSERT_TRUE(authorizer().authorizePeer(local(), kGetInfo).isOk());
  expectDenied(local(), kSyncEntries);
}

TEST_F(PolicyAuthorizerTest, AnonymousTcpCallerGetsOnlyAnyMethods) {
  auto caller = authorizer().authorizePeer(anonymous(), kGetBundle);
  ASSERT_TRUE(caller.isOk()) << caller.status().message();
  EXPECT_FALSE(caller->local);
  EXPECT_FALSE(caller->id.has_value());
  expectDenied(anonymous(), kCountEntries);
  expectDenied(anonymous(), kGetInfo);
  expectDenied(anonymous(), kSyncEntries); // "caller does not have an X509-SVID", logged
}

TEST_F(PolicyAuthorizerTest, UnknownMethodIsDeniedToEveryone) {
  expectDenied(local(), "/spire.api.server.entry.v1.Entry/NoSuchMethod");
  expectDenied(anonymous(), "/nope.Service/Method");
}

TEST_F(PolicyAuthorizerTest, AdminIdsFromConfigAreAdmins) {
  ServerFixtureOptions options;
  options.server_extra = "admin_ids = [\"spiffe://example.org/ops\"]";
  makeFixture(options);
  ClientSvid ops = workloadSvid(*fixture_, "spiffe://example.org/ops");
  auto caller = authorizer().authorizePeer(tcp(ops), kCountEntries);
  ASSERT_TRUE(caller.isOk()) << caller.status().message();
  EXPECT_TRUE(caller->admin);
  EXPECT_EQ(caller->id->toString(), "spiffe://example.org/ops");
  ASSERT_EQ(caller->chain.size(), 1u);

  ClientSvid other = workloadSvid(*fixture_, "spiffe://example.org/other");
  expectDenied(tcp(other), kCountEntries);
}

TEST_F(PolicyAuthorizerTest, AdminAndDownstreamEntriesClassifyTheCaller) {
  createEntry("spiffe://example.org/admin", true, false);
  createEntry("spiffe://example.org/nested", false, true);
  createEntry("spiffe://example.org/plain", false, false);
  ClientSvid admin = workloadSvid(*fixture_, "spiffe://example.org/admin");
  ClientSvid nested = workloadSvid(*fixture_, "spiffe://example.org/nested");
  ClientSvid plain = workloadSvid(*fixture_, "spiffe://example.org/plain");

  auto as_admin = authorizer().authorizePeer(tcp(admin), kCountEntries);
  ASSERT_TRUE(as_admin.isOk()) << as_admin.status().message();
  EXPECT_TRUE(as_admin->admin);
  expectDenied(tcp(admin), kDownstreamCa);

  auto as_downstream = authorizer().authorizePeer(tcp(nested), kDownstreamCa);
  ASSERT_TRUE(as_downstream.isOk()) << as_downstream.status().message();
  EXPECT_TRUE(as_downstream->downstream);
  EXPECT_FALSE(as_downstream->admin);
  expectDenied(tcp(nested), kCountEntries);

  expectDenied(tcp(plain), kCountEntries);
  expectDenied(tcp(plain), kDownstreamCa);
}

TEST_F(PolicyAuthorizerTest, RevokedAdminEntryTakesEffectOnTheIndexWrite) {
  createEntry("spiffe://example.org/admin", true, false);
  ClientSvid admin = workloadSvid(*fixture_, "spiffe://example.org/admin");
  ASSERT_TRUE(authorizer().authorizePeer(tcp(admin), kCountEntries).isOk());
  // As the entry service does: datastore first, then the index.
  auto listed = fixture_->datastore().listEntries(nullptr, {});
  ASSERT_TRUE(listed.isOk());
  plugin_host::Entry entry = listed->items.front();
  entry.admin = false;
  auto updated = fixture_->datastore().updateEntry(entry, SPIRE_ENTRY_MASK_ADMIN);
  ASSERT_TRUE(updated.isOk()) << updated.status().message();
  fixture_->index().upsertEntry(*updated);
  expectDenied(tcp(admin), kCountEntries);
}

TEST_F(PolicyAuthorizerTest, AttestedAgentIsAnAgent) {
  ClientSvid svid = agentSvid(*fixture_, kAgentId);
  attest(*fixture_, kAgentId, svid);
  auto caller = authorizer().authorizePeer(tcp(svid), kSyncEntries);
  ASSERT_TRUE(caller.isOk()) << caller.status().message();
  EXPECT_TRUE(caller->agent);
  EXPECT_FALSE(caller->admin);
  EXPECT_EQ(caller->id->toString(), kAgentId);
  // An agent is not an admin.
  expectDenied(tcp(svid), kCountEntries);
}

TEST_F(PolicyAuthorizerTest, AgentChecksInSpireOrderWithSpireMessages) {
  ClientSvid svid = agentSvid(*fixture_, kAgentId);
  auto id = *spiffe::SpiffeId::parse(kAgentId);

  // Not attested.
  Status st = authorizer().authorizeAgent(id, *svid.chain.front());
  EXPECT_EQ(st.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(st.message(), "agent \"" + std::string(kAgentId) + "\" is not attested");
  expectDenied(tcp(svid), kSyncEntries);

  // Attested with another serial: not active.
  plugin_host::AttestedNode node;
  node.spiffe_id = kAgentId;
  node.attestation_data_type = "join_token";
  node.cert_serial_number = "12345";
  ASSERT_TRUE(fixture_->datastore().createAttestedNode(node).isOk());
  st = authorizer().authorizeAgent(id, *svid.chain.front());
  EXPECT_EQ(st.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(st.message(), "agent \"" + std::string(kAgentId) +
                              "\" expected to have serial number \"12345\"; has \"" +
                              svid.serial() + "\"");
  expectDenied(tcp(svid), kSyncEntries);

  // Banned (serial "").
  node.cert_serial_number = "";
  ASSERT_TRUE(
      fixture_->datastore().updateAttestedNode(node, SPIRE_NODE_MASK_CERT_SERIAL_NUMBER).isOk());
  st = authorizer().authorizeAgent(id, *svid.chain.front());
  EXPECT_EQ(st.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(st.message(), "agent \"" + std::string(kAgentId) + "\" is banned");
  expectDenied(tcp(svid), kSyncEntries);

  // Expired comes first, even for a banned node.
  fixture_->advance(std::chrono::hours(2));
  st = authorizer().authorizeAgent(id, *svid.chain.front());
  EXPECT_EQ(st.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(st.message(), "agent \"" + std::string(kAgentId) + "\" SVID is expired");
}

TEST_F(PolicyAuthorizerTest, ExpiredSvidOnAnOpenConnectionIsNoIdentity) {
  ClientSvid svid = agentSvid(*fixture_, kAgentId);
  attest(*fixture_, kAgentId, svid);
  ASSERT_TRUE(authorizer().authorizePeer(tcp(svid), kSyncEntries).isOk());
  fixture_->advance(std::chrono::hours(2)); // past the agent SVID (1h), within the CA (24h)
  auto result = authorizer().authorizePeer(tcp(svid), kGetBundle);
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(result.status().message().find("x509svid: could not verify leaf certificate: x509: "
                                           "certificate has expired or is not yet valid"),
            std::string::npos)
      << result.status().message();
}

TEST_F(PolicyAuthorizerTest, NewSerialIsPromotedOnFirstUse) {
  ClientSvid old_svid = agentSvid(*fixture_, kAgentId);
  attest(*fixture_, kAgentId, old_svid);
  ClientSvid new_svid = agentSvid(*fixture_, kAgentId);
  plugin_host::AttestedNode renewed = node();
  renewed.new_cert_serial_number = new_svid.serial();
  renewed.new_cert_not_after = 4102444800;
  ASSERT_TRUE(fixture_->datastore()
                  .updateAttestedNode(renewed, SPIRE_NODE_MASK_NEW_CERT_SERIAL_NUMBER |
                                                   SPIRE_NODE_MASK_NEW_CERT_NOT_AFTER)
                  .isOk());
  // Until the new SVID is used, the old one is still current.
  ASSERT_TRUE(authorizer().authorizePeer(tcp(old_svid), kSyncEntries).isOk());
  EXPECT_EQ(node().cert_serial_number, old_svid.serial());

  auto caller = authorizer().authorizePeer(tcp(new_svid), kSyncEntries);
  ASSERT_TRUE(caller.isOk()) << caller.status().message();
  EXPECT_TRUE(caller->agent);
  plugin_host::AttestedNode promoted = node();
  EXPECT_EQ(promoted.cert_serial_number, new_svid.serial());
  EXPECT_EQ(promoted.cert_not_after, 4102444800);
  EXPECT_EQ(promoted.new_cert_serial_number, "");
  EXPECT_EQ(promoted.new_cert_not_after, 0);

  // The old SVID is no longer active.
  auto id = *spiffe::SpiffeId::parse(kAgentId);
  Status st = authorizer().authorizeAgent(id, *old_svid.chain.front());
  EXPECT_EQ(st.message(), "agent \"" + std::string(kAgentId) +
                              "\" expected to have serial number \"" + new_svid.serial() +
                              "\"; has \"" + old_svid.serial() + "\"");
}

TEST_F(PolicyAuthorizerTest, CachedNodeIsDroppedOnInvalidationAndIndexWrites) {
  ClientSvid svid = agentSvid(*fixture_, kAgentId);
  attest(*fixture_, kAgentId, svid);
  // A long TTL, so only invalidation can end the cached answer within the test.
  // As AttestAgent does: the node's selectors go to the index.
  fixture_->index().setNodeSelectors(kAgentId, {{"join_token", "abc"}});
  PolicyAuthorizer& authz =
      authorizer(PolicyAuthorizerOptions{.node_cache_ttl = std::chrono::hours(1)});
  ASSERT_TRUE(authz.authorizePeer(tcp(svid), kSyncEntries).isOk());

  // Ban in the datastore only: the cached record still answers...
  plugin_host::AttestedNode banned = node();
  banned.cert_serial_number = "";
  ASSERT_TRUE(
      fixture_->datastore().updateAttestedNode(banned, SPIRE_NODE_MASK_CERT_SERIAL_NUMBER).isOk());
  ASSERT_TRUE(authz.authorizePeer(tcp(svid), kSyncEntries).isOk());
  // ... until the agent is invalidated.
  authz.invalidateAgent(kAgentId);
  expectDenied(tcp(svid), kSyncEntries);

  // Re-activate, cache again, then evict as the agent service does (datastore, then index).
  banned.cert_serial_number = svid.serial();
  ASSERT_TRUE(
      fixture_->datastore().updateAttestedNode(banned, SPIRE_NODE_MASK_CERT_SERIAL_NUMBER).isOk());
  ASSERT_TRUE(authz.authorizePeer(tcp(svid), kSyncEntries).isOk());
  ASSERT_TRUE(fixture_->datastore().deleteAttestedNode(kAgentId).isOk());
  fixture_->index().removeNode(kAgentId);
  expectDenied(tcp(svid), kSyncEntries);
}

// Steady state costs no datastore read: entry writes leave the node cache alone, while a node
// write of any server (here: a ban written to the datastore and delivered by its node event)
// ends it at once.
TEST_F(PolicyAuthorizerTest, NodeCacheSurvivesEntryWritesAndEndsOnNodeEvents) {
  ClientSvid svid = agentSvid(*fixture_, kAgentId);
  attest(*fixture_, kAgentId, svid);
  fixture_->index().setNodeSelectors(kAgentId, {{"join_token", "abc"}});
  ASSERT_TRUE(fixture_->bootstrap().events().positionAtNewest().isOk());
  PolicyAuthorizer& authz = authorizer();
  ASSERT_TRUE(authz.authorizePeer(tcp(svid), kSyncEntries).isOk());

  plugin_host::AttestedNode banned = node();
  banned.cert_serial_number = "";
  ASSERT_TRUE(
      fixture_->datastore().updateAttestedNode(banned, SPIRE_NODE_MASK_CERT_SERIAL_NUMBER).isOk());
  plugin_host::Entry entry;
  entry.entry_id = "unrelated";
  entry.spiffe_id = "spiffe://example.org/other";
  entry.parent_id = "spiffe://example.org/spire/agent/other";
  entry.selectors = {{"unix", "uid:1"}};
  fixture_->index().upsertEntry(entry);
  // Served from the cache: the ban has not reached the index yet.
  ASSERT_TRUE(authz.authorizePeer(tcp(svid), kSyncEntries).isOk());

  auto applied = fixture_->bootstrap().events().pollOnce();
  ASSERT_TRUE(applied.isOk()) << applied.status().message();
  expectDenied(tcp(svid), kSyncEntries);
}

TEST_F(PolicyAuthorizerTest, NodeCacheTtlFollowsConfig) {
  EXPECT_EQ(authorizer().nodeCacheTtl(), kDefaultNodeCacheTtl);
  ServerFixtureOptions options;
  options.server_extra = "max_attested_node_info_staleness = \"3s\"";
  makeFixture(options);
  EXPECT_EQ(authorizer().nodeCacheTtl(), std::chrono::milliseconds(3000));
}

TEST_F(PolicyAuthorizerTest, ZeroTtlReadsTheDatastoreEveryCall) {
  ClientSvid svid = agentSvid(*fixture_, kAgentId);
  attest(*fixture_, kAgentId, svid);
  PolicyAuthorizer& authz =
      authorizer(PolicyAuthorizerOptions{.node_cache_ttl = std::chrono::milliseconds(0)});
  ASSERT_TRUE(authz.authorizePeer(tcp(svid), kSyncEntries).isOk());
  plugin_host::AttestedNode banned = node();
  banned.cert_serial_number = "";
  ASSERT_TRUE(
      fixture_->datastore().updateAttestedNode(banned, SPIRE_NODE_MASK_CERT_SERIAL_NUMBER).isOk());
  expectDenied(tcp(svid), kSyncEntries);
}

} // namespace
} // namespace spire::server::endpoints
