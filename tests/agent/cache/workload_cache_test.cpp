#include "agent/cache/workload_cache.h"

#include <gtest/gtest.h>

#include "agent/cache/cache_fixture.h"

namespace spire::agent::cache {
namespace {

using namespace testing;
using std::chrono::hours;
using std::chrono::minutes;

std::vector<std::string> ids(const std::vector<StaleEntry>& stale) {
  std::vector<std::string> out;
  for (const StaleEntry& s : stale) {
    out.push_back(s.entry->entry_id);
  }
  return out;
}

class WorkloadCacheTest : public ::testing::Test, public CacheFixture {
protected:
  std::vector<AgentEntry> threeEntries() const {
    return {makeEntry("a", "/a", {sel("unix", "uid:1")}),
            makeEntry("b", "/b", {sel("unix", "uid:1"), sel("unix", "gid:1")}),
            makeEntry("c", "/c", {sel("unix", "uid:2")})};
  }
};

TEST_F(WorkloadCacheTest, UpdateAddsEntries) {
  WorkloadCache cache(config());
  const UpdateResult result = cache.update(threeEntries(), bundles());
  EXPECT_EQ(result.added, 3u);
  EXPECT_EQ(result.changed, 0u);
  EXPECT_EQ(result.removed, 0u);
  EXPECT_EQ(result.bundles_changed, 1u);
  EXPECT_EQ(cache.entryCount(), 3u);
}

TEST_F(WorkloadCacheTest, UpdateChangesByRevisionAndRemovesMissing) {
  WorkloadCache cache(config());
  cache.update(threeEntries(), bundles());
  auto entries = threeEntries();
  entries[0].revision_number = 2;
  entries[0].selectors = {sel("unix", "uid:9")};
  entries[1].hint = "same revision, ignored";
  entries.pop_back(); // "c" removed
  entries.push_back(makeEntry("d", "/d", {sel("unix", "uid:3")}));
  const UpdateResult result = cache.update(entries, bundles());
  EXPECT_EQ(result.added, 1u);
  EXPECT_EQ(result.changed, 1u);
  EXPECT_EQ(result.removed, 1u);
  EXPECT_EQ(result.bundles_changed, 0u);
  // The changed selectors are re-indexed; the same-revision change is not applied.
  EXPECT_TRUE(cache.matchingEntries({sel("unix", "uid:1")}).empty());
  ASSERT_EQ(cache.matchingEntries({sel("unix", "uid:9")}).size(), 1u);
  const auto b = cache.matchingEntries({sel("unix", "uid:1"), sel("unix", "gid:1")});
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0]->hint, "");
  EXPECT_TRUE(cache.matchingEntries({sel("unix", "uid:2")}).empty());
}

TEST_F(WorkloadCacheTest, UpdateIgnoresEmptyIdAndLastDuplicateWins) {
  WorkloadCache cache(config());
  auto first = makeEntry("a", "/first", {sel("unix", "uid:1")});
  auto second = makeEntry("a", "/second", {sel("unix", "uid:1")});
  auto no_id = makeEntry("", "/none", {sel("unix", "uid:1")});
  const UpdateResult result = cache.update({first, second, no_id}, {});
  EXPECT_EQ(result.added, 1u);
  const auto matched = cache.matchingEntries({sel("unix", "uid:1")});
  ASSERT_EQ(matched.size(), 1u);
  EXPECT_EQ(matched[0]->spiffe_id, "spiffe://example.org/second");
}

TEST_F(WorkloadCacheTest, NewEntriesAreStaleAsMissing) {
  WorkloadCache cache(config());
  cache.update(threeEntries(), bundles());
  const auto stale = cache.staleEntries(clock_.now());
  EXPECT_EQ(ids(stale), (std::vector<std::string>{"a", "b", "c"}));
  for (const StaleEntry& s : stale) {
    EXPECT_EQ(s.reason, StaleReason::kMissing);
    EXPECT_FALSE(s.svid_expires_at.has_value());
  }
}

TEST_F(WorkloadCacheTest, SetSvidsClearsStaleAndDropsUnknownEntries) {
  WorkloadCache cache(config());
  cache.update(threeEntries(), bundles());
  EXPECT_EQ(signStale(cache), 3u);
  EXPECT_TRUE(cache.staleEntries(clock_.now()).empty());
  EXPECT_EQ(cache.svidCount(), 3u);
  std::vector<SignedSvid> unknown;
  unknown.push_back(signedFor(makeEntry("zzz", "/zzz", {sel("unix", "uid:1")})));
  EXPECT_EQ(cache.setSvids(std::move(unknown)), 0u);
  EXPECT_EQ(cache.svidCount(), 3u);
}

TEST_F(WorkloadCacheTest, ChangedEntryIsStaleUntilSignedForNewRevision) {
  WorkloadCache cache(config());
  cache.update(threeEntries(), bundles());
  signStale(cache);
  auto entries = threeEntries();
  entries[2].revision_number = 7;
  entries[2].dns_names = {"c.example.org"};
  cache.update(entries, bundles());
  auto stale = cache.staleEntries(clock_.now());
  ASSERT_EQ(ids(stale), std::vector<std::string>{"c"});
  EXPECT_EQ(stale[0].reason, StaleReason::kEntryChanged);
  EXPECT_TRUE(stale[0].svid_expires_at.has_value());
  // An SVID signed for the old revision (a CSR raced the change) keeps it stale.
  std::vector<SignedSvid> old_revision;
  old_revision.push_back(SignedSvid{"c", 1, svidFor(entries[2])});
  cache.setSvids(std::move(old_revision));
  EXPECT_EQ(ids(cache.staleEntries(clock_.now())), std::vector<std::string>{"c"});
  std::vector<SignedSvid> new_revision;
  new_revision.push_back(signedFor(entries[2]));
  cache.setSvids(std::move(new_revision));
  EXPECT_TRUE(cache.staleEntries(clock_.now()).empty());
}

TEST_F(WorkloadCacheTest, RotationDueAtJitteredHalfLife) {
  WorkloadCache cache(config());
  const auto entry = makeEntry("a", "/a", {sel("unix", "uid:1")});
  cache.update({entry}, bundles());
  const TimePoint t0 = clock_.now();
  std::vector<SignedSvid> svids;
  svids.push_back(SignedSvid{"a", 1, svidFor(entry, t0, t0 + hours(1))});
  cache.setSvids(std::move(svids));
  // Low jitter: rotate with 27 min left, not a second earlier.
  EXPECT_TRUE(cache.staleEntries(t0 + minutes(33) - std::chrono::seconds(1)).empty());
  const auto stale = cache.staleEntries(t0 + minutes(33));
  ASSERT_EQ(ids(stale), std::vector<std::string>{"a"});
  EXPECT_EQ(stale[0].reason, StaleReason::kRotationDue);
  EXPECT_EQ(stale[0].svid_expires_at, t0 + hours(1));
}

TEST_F(WorkloadCacheTest, AvailabilityTargetDrivesRotation) {
  CacheConfig cfg = config();
  cfg.availability_target = hours(24);
  WorkloadCache cache(cfg);
  const auto entry = makeEntry("a", "/a", {sel("unix", "uid:1")});
  cache.update({entry}, bundles());
  const TimePoint t0 = clock_.now();
  std::vector<SignedSvid> svids;
  svids.push_back(SignedSvid{"a", 1, svidFor(entry, t0, t0 + hours(40))});
  cache.setSvids(std::move(svids));
  EXPECT_TRUE(cache.staleEntries(t0 + hours(15)).empty());
  EXPECT_EQ(ids(cache.staleEntries(t0 + hours(16))), std::vector<std::string>{"a"});
}

TEST_F(WorkloadCacheTest, DisabledPrefetchSignsOnlyOnceSubscribed) {
  WorkloadCache cache(config());
  auto lazy = makeEntry("lazy", "/lazy", {sel("unix", "uid:5")});
  lazy.disable_x509_svid_prefetch = true;
  cache.update({lazy}, bundles());
  EXPECT_TRUE(cache.staleEntries(clock_.now()).empty());
  Subscription sub = cache.subscribe({sel("unix", "uid:5"), sel("unix", "gid:5")});
  EXPECT_EQ(sub.tryNext(), nullptr); // nothing to deliver until signed
  EXPECT_EQ(ids(cache.staleEntries(clock_.now())), std::vector<std::string>{"lazy"});
  signStale(cache);
  const WorkloadUpdatePtr update = sub.next(std::chrono::seconds(5));
  ASSERT_NE(update, nullptr);
  ASSERT_EQ(update->identities.size(), 1u);
  EXPECT_EQ(update->identities[0].entry->entry_id, "lazy");
}

TEST_F(WorkloadCacheTest, FetchReturnsIdentitiesThatHaveSvids) {
  WorkloadCache cache(config());
  cache.update(threeEntries(), bundles());
  std::vector<SignedSvid> svids;
  svids.push_back(signedFor(threeEntries()[1]));
  cache.setSvids(std::move(svids));
  const WorkloadUpdate update = cache.fetch({sel("unix", "gid:1"), sel("unix", "uid:1")});
  ASSERT_EQ(update.identities.size(), 1u);
  EXPECT_EQ(update.identities[0].entry->entry_id, "b");
  EXPECT_EQ(update.identities[0].svid->id.toString(), "spiffe://example.org/b");
  ASSERT_NE(update.bundle, nullptr);
  EXPECT_EQ(update.bundle->trustDomain().name(), "example.org");
}

TEST_F(WorkloadCacheTest, OwnBundleIsKeptWhenSyncLacksItButFederatedOnesGo) {
  WorkloadCache cache(config());
  auto entries = threeEntries();
  entries[0].federates_with = {"partner.org"};
  BundleMap with_partner = bundles();
  const TestCa partner = TestCa::createRoot("partner.org", {}, fixedNow());
  with_partner.emplace("partner.org", bundle::SpiffeBundle::fromX509Bundle(partner.bundle()));
  cache.update(entries, with_partner);
  signStale(cache);
  EXPECT_EQ(cache.fetch({sel("unix", "uid:1")}).federated_bundles.size(), 1u);
  EXPECT_EQ(cache.update(entries, {}).bundles_changed, 1u);
  const WorkloadUpdate update = cache.fetch({sel("unix", "uid:1")});
  ASSERT_NE(update.bundle, nullptr);
  EXPECT_EQ(update.bundle->trustDomain().name(), "example.org");
  EXPECT_TRUE(update.federated_bundles.empty());
}

TEST_F(WorkloadCacheTest, ChainsShareEqualIntermediates) {
  WorkloadCache cache(config());
  const TestCa intermediate = ca_.createIntermediate();
  auto entries = threeEntries();
  std::vector<SignedSvid> svids;
  for (const AgentEntry& entry : entries) {
    spire::testing::LeafOptions options;
    options.uri_sans = std::vector<std::string>{entry.spiffe_id};
    const auto leaf = intermediate.issueLeaf(options);
    // Parsed from DER one by one, as from the server: separate X509 objects at first.
    auto svid = x509::X509Svid::parseDer(leaf.certsDer(), leaf.keyDer());
    ASSERT_TRUE(svid.isOk()) << svid.status().message();
    svids.push_back(SignedSvid{entry.entry_id, entry.revision_number, std::move(*svid)});
  }
  cache.update(entries, bundles());
  cache.setSvids(std::move(svids));
  EXPECT_EQ(cache.sharedCertificateCount(), 1u);
  const WorkloadUpdate update = cache.fetch({sel("unix", "uid:1"), sel("unix", "gid:1")});
  ASSERT_EQ(update.identities.size(), 2u);
  ASSERT_EQ(update.identities[0].svid->certificates.size(), 2u);
  EXPECT_EQ(update.identities[0].svid->certificates[1].get(),
            update.identities[1].svid->certificates[1].get());
  EXPECT_NE(update.identities[0].svid->certificates[0].get(),
            update.identities[1].svid->certificates[0].get());
}

TEST_F(WorkloadCacheTest, InternerForgetsCertificatesNoChainUses) {
  WorkloadCache cache(config());
  const TestCa intermediate = ca_.createIntermediate();
  const auto entry = makeEntry("a", "/a", {sel("unix", "uid:1")});
  spire::testing::LeafOptions options;
  options.uri_sans = std::vector<std::string>{entry.spiffe_id};
  std::vector<SignedSvid> svids;
  svids.push_back(SignedSvid{"a", 1, intermediate.issueLeaf(options).svid()});
  cache.update({entry}, bundles());
  cache.setSvids(std::move(svids));
  EXPECT_EQ(cache.sharedCertificateCount(), 1u);
  {
    // A snapshot a workload still holds keeps the chain alive past the entry's removal.
    const WorkloadUpdate held = cache.fetch({sel("unix", "uid:1")});
    cache.update({}, bundles());
    EXPECT_EQ(cache.sharedCertificateCount(), 1u);
  }
  cache.update({}, bundles());
  EXPECT_EQ(cache.sharedCertificateCount(), 0u);
}

} // namespace
} // namespace spire::agent::cache
