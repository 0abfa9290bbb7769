// The sync: entries and bundles into the cache, SVIDs signed and verifiable, paging, the
// GetAuthorizedEntries fallback, federated bundles, rotation and renewal at half-life, attesting
// again when the server no longer knows the agent.

#include <algorithm>

#include "agent/manager/fake_server.h"
#include "agent/manager/manager_fixture.h"
#include "crypto/certificate.h"
#include "crypto/key.h"
#include "x509/x509_verify.h"

namespace spire::testing {
namespace {

using agent::endpoints::IdentitySnapshotPtr;

std::string uid() {
  return std::to_string(::getuid());
}

class SyncTest : public ManagerTest {
protected:
  std::string addWorkload(const std::string& path, const std::string& uid_value, int32_t ttl = 0,
                          std::vector<std::string> federates_with = {}) {
    return server_.addEntry("spiffe://example.org" + path, agentId(),
                            {{"unix", "uid:" + uid_value}}, ttl, std::move(federates_with));
  }
};

TEST_F(SyncTest, SyncFillsTheCacheWithSvidsThatVerifyAgainstTheBundle) {
  addWorkload("/web", uid());
  addWorkload("/db", "99999");
  auto catalog = loadCatalog();
  ASSERT_NE(catalog, nullptr);
  auto manager = startManager(config(), *catalog);
  ASSERT_TRUE(manager) << manager.status().toString();

  const agent::manager::ManagerStatus status = (*manager)->status();
  EXPECT_EQ(status.entries, 2u);
  EXPECT_EQ(status.cached_x509_svids, 2u);
  EXPECT_EQ(status.sync_count, 1u);
  EXPECT_EQ(server_.counters().svids_signed, 2);

  IdentitySnapshotPtr snapshot = (*manager)->identitiesFor(uidSelectors(uid()));
  ASSERT_EQ(snapshot->svids.size(), 1u);
  EXPECT_EQ(snapshot->svids[0]->id.toString(), "spiffe://example.org/web");
  ASSERT_NE(snapshot->bundle, nullptr);
  ASSERT_NE(snapshot->jwt_bundle, nullptr);
  EXPECT_EQ(snapshot->jwt_bundle->authorities().size(), 1u);
  x509::X509BundleSet bundles({*snapshot->bundle});
  Result<x509::VerifiedX509Svid> verified = x509::verifyX509Svid(
      snapshot->svids[0]->certificates, &bundles, std::chrono::system_clock::now());
  ASSERT_TRUE(verified) << verified.status().toString();
  EXPECT_TRUE(crypto::publicKeysEqual(*snapshot->svids[0]->private_key,
                                      *crypto::publicKeyOf(snapshot->svids[0]->leaf())));

  // A caller whose selectors match nothing gets the bundle and no SVID.
  IdentitySnapshotPtr other = (*manager)->identitiesFor(uidSelectors("12345"));
  EXPECT_TRUE(other->svids.empty());
  EXPECT_NE(other->bundle, nullptr);
  // Snapshots share one converted bundle until the bundle changes.
  EXPECT_EQ(other->bundle, snapshot->bundle);
  EXPECT_EQ(other->jwt_bundle, snapshot->jwt_bundle);
}

TEST_F(SyncTest, UnchangedSvidsAreNotSignedAgain) {
  addWorkload("/web", uid());
  auto catalog = loadCatalog();
  auto manager = startManager(config(), *catalog);
  ASSERT_TRUE(manager) << manager.status().toString();
  const auto first = (*manager)->identitiesFor(uidSelectors(uid()))->svids.at(0);
  ASSERT_TRUE((*manager)->syncNow().isOk());
  EXPECT_EQ(server_.counters().svids_signed, 1);
  EXPECT_EQ((*manager)->identitiesFor(uidSelectors(uid()))->svids.at(0), first);
}

TEST_F(SyncTest, PagedSyncFetchesOnlyNewOrChangedEntriesInFull) {
  server_.setPageSize(2);
  for (int i = 0; i < 5; ++i) {
    addWorkload("/w" + std::to_string(i), uid());
  }
  auto catalog = loadCatalog();
  auto manager = startManager(config(), *catalog);
  ASSERT_TRUE(manager) << manager.status().toString();
  EXPECT_EQ((*manager)->status().entries, 5u);
  EXPECT_EQ(server_.counters().full_entries_sent, 5);

  addWorkload("/w5", uid());
  ASSERT_TRUE((*manager)->syncNow().isOk());
  EXPECT_EQ((*manager)->status().entries, 6u);
  EXPECT_EQ(server_.counters().full_entries_sent, 6); // only the new one
  EXPECT_EQ((*manager)->identitiesFor(uidSelectors(uid()))->svids.size(), 6u);
}

TEST_F(SyncTest, ChangedEntriesGetANewSvid) {
  server_.setPageSize(1); // revisions are compared, only the changed entry comes in full
  const std::string web = addWorkload("/web", uid());
  addWorkload("/api", uid());
  auto catalog = loadCatalog();
  auto manager = startManager(config(), *catalog);
  ASSERT_TRUE(manager) << manager.status().toString();
  EXPECT_EQ(server_.counters().full_entries_sent, 2);
  server_.updateEntry(
      web, [](spire::api::types::Entry& entry) { entry.mutable_spiffe_id()->set_path("/web2"); });
  ASSERT_TRUE((*manager)->syncNow().isOk());
  EXPECT_EQ(server_.counters().full_entries_sent, 3);
  EXPECT_EQ(server_.counters().svids_signed, 3);
  std::vector<std::string> ids;
  const IdentitySnapshotPtr snapshot = (*manager)->identitiesFor(uidSelectors(uid()));
  for (const auto& svid : snapshot->svids) {
    ids.push_back(svid->id.toString());
  }
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids,
            (std::vector<std::string>{"spiffe://example.org/api", "spiffe://example.org/web2"}));
}

TEST_F(SyncTest, RemovedEntriesLeaveTheCache) {
  const std::string web = addWorkload("/web", uid());
  addWorkload("/api", uid());
  auto catalog = loadCatalog();
  auto manager = startManager(config(), *catalog);
  ASSERT_TRUE(manager) << manager.status().toString();
  ASSERT_EQ((*manager)->identitiesFor(uidSelectors(uid()))->svids.size(), 2u);
  server_.removeEntry(web);
  ASSERT_TRUE((*manager)->syncNow().isOk());
  auto svids = (*manager)->identitiesFor(uidSelectors(uid()))->svids;
  ASSERT_EQ(svids.size(), 1u);
  EXPECT_EQ(svids[0]->id.toString(), "spiffe://example.org/api");
}

TEST_F(SyncTest, FallsBackToGetAuthorizedEntriesWhenSyncIsUnimplemented) {
  server_.setSyncUnimplemented(true);
  addWorkload("/web", uid());
  auto catalog = loadCatalog();
  auto manager = startManager(config(), *catalog);
  ASSERT_TRUE(manager) << manager.status().toString();
  EXPECT_EQ(server_.counters().get_authorized, 1);
  EXPECT_EQ(server_.counters().sync, 0);
  EXPECT_EQ((*manager)->identitiesFor(uidSelectors(uid()))->svids.size(), 1u);
}

TEST_F(SyncTest, FederatedBundlesReachWorkloadsThatFederate) {
  TestCa other = TestCa::createRoot("other.org");
  server_.setFederatedBundle("other.org", other);
  addWorkload("/web", uid(), 0, {"other.org", "unknown.org"});
  auto catalog = loadCatalog();
  auto manager = startManager(config(), *catalog);
  ASSERT_TRUE(manager) << manager.status().toString();
  IdentitySnapshotPtr snapshot = (*manager)->identitiesFor(uidSelectors(uid()));
  ASSERT_EQ(snapshot->federated_bundles.size(), 1u); // unknown.org has no bundle: skipped
  EXPECT_EQ(snapshot->federated_bundles[0]->trustDomain().name(), "other.org");
  ASSERT_EQ(snapshot->federated_bundles[0]->authorities().size(), 1u);
  EXPECT_TRUE(
      crypto::certificatesEqual(*snapshot->federated_bundles[0]->authorities()[0], *other.root()));
  EXPECT_TRUE((*manager)->identitiesFor(uidSelectors("4242"))->federated_bundles.empty());
}

TEST_F(SyncTest, X509SvidsRotateAtHalfLife) {
  server_.setAgentTtl(24 * 3600);
  addWorkload("/web", uid(), 3600);
  auto catalog = loadCatalog();
  auto manager = startManager(config(), *catalog);
  ASSERT_TRUE(manager) << manager.status().toString();
  const auto first = (*manager)->identitiesFor(uidSelectors(uid()))->svids.at(0);

  // Lifetime 1 h + the 10 s NotBefore cushion: half-life is ~30 min after issuance.
  clock_.advance(std::chrono::minutes(29));
  ASSERT_TRUE((*manager)->syncNow().isOk());
  EXPECT_EQ((*manager)->identitiesFor(uidSelectors(uid()))->svids.at(0), first);
  EXPECT_EQ(server_.counters().svids_signed, 1);

  clock_.advance(std::chrono::minutes(2));
  ASSERT_TRUE((*manager)->syncNow().isOk());
  const auto second = (*manager)->identitiesFor(uidSelectors(uid()))->svids.at(0);
  EXPECT_NE(second, first);
  EXPECT_EQ(server_.counters().svids_signed, 2);
  EXPECT_GT(second->expiresAt(), first->expiresAt());
  EXPECT_EQ(server_.counters().renew, 0); // the agent SVID (24 h) is not due
}

TEST_F(SyncTest, AgentSvidIsRenewedAtHalfLifeAndStored) {
  auto catalog = loadCatalog("disk");
  auto manager = startManager(config(), *catalog);
  ASSERT_TRUE(manager) << manager.status().toString();
  const auto before = (*manager)->status();
  clock_.advance(std::chrono::minutes(29));
  ASSERT_TRUE((*manager)->syncNow().isOk());
  EXPECT_EQ(server_.counters().renew, 0);
  clock_.advance(std::chrono::minutes(2));
  ASSERT_TRUE((*manager)->syncNow().isOk());
  EXPECT_EQ(server_.counters().renew, 1);
  const auto after = (*manager)->status();
  EXPECT_EQ(after.agent_id, before.agent_id);
  EXPECT_GT(after.agent_svid_expires_at, before.agent_svid_expires_at);
  EXPECT_NE(after.agent_svid_chain_der, before.agent_svid_chain_der);
  // The next calls present the renewed SVID: the channel was rebuilt with it.
  ASSERT_TRUE((*manager)->syncNow().isOk());
  const auto renewed = crypto::parseCertificateDer(after.agent_svid_chain_der.at(0)).value();
  EXPECT_EQ(server_.counters().last_agent_serial, crypto::serialNumberHex(*renewed));
  // The renewed SVID is what a restart resumes with.
  (*manager)->stop();
  manager->reset();
  auto restarted = startManager(config(), *catalog);
  ASSERT_TRUE(restarted) << restarted.status().toString();
  EXPECT_EQ((*restarted)->status().agent_svid_chain_der, after.agent_svid_chain_der);
  EXPECT_EQ(server_.counters().attest, 1);
}

TEST_F(SyncTest, ReattestsWhenTheServerNoLongerKnowsTheAgent) {
  addWorkload("/web", uid());
  auto catalog = loadCatalog();
  auto manager = startManager(config(), *catalog);
  ASSERT_TRUE(manager) << manager.status().toString();
  server_.evictAgent(agentId());
  // Without a token the node cannot attest again: the sync fails with the server's reason.
  Status failed = (*manager)->syncNow();
  EXPECT_EQ(failed.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(failed.message(),
            "failed to attest: join token does not exist or has already been used");
  EXPECT_EQ((*manager)->status().sync_failures, 1u);
  // Cached SVIDs are still served meanwhile.
  EXPECT_EQ((*manager)->identitiesFor(uidSelectors(uid()))->svids.size(), 1u);

  server_.addJoinToken(kToken);
  ASSERT_TRUE((*manager)->syncNow().isOk());
  EXPECT_EQ(server_.counters().attest, 3);
  EXPECT_EQ((*manager)->status().sync_failures, 0u);
  EXPECT_TRUE((*manager)->status().attested_this_run);
}

} // namespace
} // namespace spire::testing

namespace spire::testing {
namespace {

TEST_F(ManagerTest, ChallengeResponseAttestationAndReattestationInsteadOfRenewal) {
  server_.setReattestable(true);
  auto catalog = loadCatalog("memory", /*challenge_response=*/true);
  ASSERT_NE(catalog, nullptr);
  auto manager = startManager(config(), *catalog);
  ASSERT_TRUE(manager) << manager.status().toString();
  EXPECT_EQ((*manager)->agentId(), "spiffe://example.org/spire/agent/fx_node/n1");
  EXPECT_EQ(server_.counters().attest, 1);
  // A reattestable node renews its SVID by attesting again (SPIRE's rotator), not RenewAgent.
  clock_.advance(std::chrono::minutes(31));
  ASSERT_TRUE((*manager)->syncNow().isOk());
  EXPECT_EQ(server_.counters().attest, 2);
  EXPECT_EQ(server_.counters().renew, 0);
}

} // namespace
} // namespace spire::testing
