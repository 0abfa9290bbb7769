#include <gtest/gtest.h>

#include <thread>

#include "agent/cache/cache_fixture.h"
#include "agent/cache/workload_cache.h"

namespace spire::agent::cache {
namespace {

using namespace testing;
using std::chrono::seconds;

constexpr auto kWait = seconds(5);

class SubscriptionTest : public ::testing::Test, public CacheFixture {
protected:
  // "web" gets a and b (b federates with partner.org), "db" gets c.
  std::vector<AgentEntry> entries() const {
    auto a = makeEntry("a", "/a", {sel("k8s", "sa:web")});
    auto b = makeEntry("b", "/b", {sel("k8s", "sa:web"), sel("k8s", "ns:prod")});
    b.federates_with = {"partner.org", "unknown.org"};
    auto c = makeEntry("c", "/c", {sel("k8s", "sa:db")});
    return {a, b, c};
  }

  BundleMap bundlesWithPartner() const {
    BundleMap map = bundles();
    map.emplace("partner.org", bundle::SpiffeBundle::fromX509Bundle(partner_.bundle()));
    return map;
  }

  std::vector<Selector> web() const { return {sel("k8s", "ns:prod"), sel("k8s", "sa:web")}; }
  std::vector<Selector> db() const { return {sel("k8s", "sa:db")}; }

  void setUpSigned(WorkloadCache& cache) {
    cache.update(entries(), bundlesWithPartner());
    signStale(cache);
  }

  void resign(WorkloadCache& cache, const AgentEntry& entry) {
    std::vector<SignedSvid> svids;
    svids.push_back(signedFor(entry));
    cache.setSvids(std::move(svids));
  }

  TestCa partner_ = TestCa::createRoot("partner.org", {}, fixedNow());
};

TEST_F(SubscriptionTest, DeliversSnapshotAtOnceWhenSigned) {
  WorkloadCache cache(config());
  setUpSigned(cache);
  Subscription sub = cache.subscribe(web());
  const WorkloadUpdatePtr update = sub.next(kWait);
  ASSERT_NE(update, nullptr);
  ASSERT_EQ(update->identities.size(), 2u);
  EXPECT_EQ(update->identities[0].entry->entry_id, "a");
  EXPECT_EQ(update->identities[1].entry->entry_id, "b");
  EXPECT_EQ(update->identities[1].svid->id.toString(), "spiffe://example.org/b");
  ASSERT_NE(update->bundle, nullptr);
  EXPECT_EQ(update->bundle->trustDomain().name(), "example.org");
  // partner.org has a bundle, unknown.org has none and is skipped.
  ASSERT_EQ(update->federated_bundles.size(), 1u);
  EXPECT_EQ(update->federated_bundles[0]->trustDomain().name(), "partner.org");
  EXPECT_EQ(sub.tryNext(), nullptr);
}

TEST_F(SubscriptionTest, WaitsUntilEveryMatchingEntryIsSigned) {
  WorkloadCache cache(config());
  cache.update(entries(), bundlesWithPartner());
  Subscription sub = cache.subscribe(web());
  EXPECT_EQ(sub.tryNext(), nullptr);
  resign(cache, entries()[0]);
  EXPECT_EQ(sub.tryNext(), nullptr); // b still missing
  resign(cache, entries()[1]);
  const WorkloadUpdatePtr update = sub.next(kWait);
  ASSERT_NE(update, nullptr);
  EXPECT_EQ(update->identities.size(), 2u);
}

TEST_F(SubscriptionTest, WorkloadWithoutEntriesGetsBundleOnly) {
  WorkloadCache cache(config());
  setUpSigned(cache);
  Subscription sub = cache.subscribe({sel("k8s", "sa:nobody")});
  const WorkloadUpdatePtr update = sub.next(kWait);
  ASSERT_NE(update, nullptr);
  EXPECT_TRUE(update->identities.empty());
  EXPECT_NE(update->bundle, nullptr);
}

TEST_F(SubscriptionTest, RotatedSvidIsDelivered) {
  WorkloadCache cache(config());
  setUpSigned(cache);
  Subscription sub = cache.subscribe(web());
  const WorkloadUpdatePtr first = sub.next(kWait);
  ASSERT_NE(first, nullptr);
  resign(cache, entries()[0]);
  const WorkloadUpdatePtr second = sub.next(kWait);
  ASSERT_NE(second, nullptr);
  EXPECT_NE(second->identities[0].svid, first->identities[0].svid);
  EXPECT_EQ(second->identities[1].svid, first->identities[1].svid);
}

TEST_F(SubscriptionTest, AddedAndRemovedEntriesAreDelivered) {
  WorkloadCache cache(config());
  setUpSigned(cache);
  Subscription sub = cache.subscribe(web());
  ASSERT_NE(sub.next(kWait), nullptr);

  auto more = entries();
  more.push_back(makeEntry("a2", "/a2", {sel("k8s", "sa:web")}));
  cache.update(more, bundlesWithPartner());
  EXPECT_EQ(sub.tryNext(), nullptr); // a2 has no SVID yet: nothing visible changed
  signStale(cache);
  WorkloadUpdatePtr update = sub.next(kWait);
  ASSERT_NE(update, nullptr);
  ASSERT_EQ(update->identities.size(), 3u);
  EXPECT_EQ(update->identities[1].entry->entry_id, "a2");

  cache.update(entries(), bundlesWithPartner()); // a2 removed
  update = sub.next(kWait);
  ASSERT_NE(update, nullptr);
  EXPECT_EQ(update->identities.size(), 2u);
}

TEST_F(SubscriptionTest, RotationsFlowWhileANewEntryAwaitsItsSvid) {
  WorkloadCache cache(config());
  setUpSigned(cache);
  Subscription sub = cache.subscribe(web());
  ASSERT_NE(sub.next(kWait), nullptr);
  auto more = entries();
  more.push_back(makeEntry("a2", "/a2", {sel("k8s", "sa:web")}));
  cache.update(more, bundlesWithPartner()); // a2 never gets signed in this test
  resign(cache, entries()[0]);
  const WorkloadUpdatePtr update = sub.next(kWait);
  ASSERT_NE(update, nullptr);
  ASSERT_EQ(update->identities.size(), 2u);
  EXPECT_EQ(update->identities[0].entry->entry_id, "a");
  EXPECT_EQ(update->identities[1].entry->entry_id, "b");
}

TEST_F(SubscriptionTest, LateSubscriberWaitsForCompleteSetAlthoughGroupWasPrimed) {
  WorkloadCache cache(config());
  setUpSigned(cache);
  Subscription first = cache.subscribe(web());
  ASSERT_NE(first.next(kWait), nullptr);
  auto more = entries();
  more.push_back(makeEntry("a2", "/a2", {sel("k8s", "sa:web")}));
  cache.update(more, bundlesWithPartner());
  Subscription late = cache.subscribe(web());
  EXPECT_EQ(late.tryNext(), nullptr);
  signStale(cache);
  const WorkloadUpdatePtr update = late.next(kWait);
  ASSERT_NE(update, nullptr);
  EXPECT_EQ(update->identities.size(), 3u);
  EXPECT_EQ(first.next(kWait), update);
}

TEST_F(SubscriptionTest, BundleChangeIsDeliveredButEqualBundleIsNot) {
  WorkloadCache cache(config());
  setUpSigned(cache);
  Subscription sub = cache.subscribe(db());
  ASSERT_NE(sub.next(kWait), nullptr);
  // Same content in new objects: no delivery.
  cache.update(entries(), bundlesWithPartner());
  EXPECT_EQ(sub.tryNext(), nullptr);
  // A new authority in the own bundle.
  BundleMap changed = bundlesWithPartner();
  const TestCa other = TestCa::createRoot("example.org", {}, fixedNow());
  changed.at("example.org").addX509Authority(other.cert());
  cache.update(entries(), changed);
  const WorkloadUpdatePtr update = sub.next(kWait);
  ASSERT_NE(update, nullptr);
  EXPECT_EQ(update->bundle->x509Authorities().size(), 2u);
}

TEST_F(SubscriptionTest, FederatedBundleChangeReachesOnlyFederatingWorkloads) {
  WorkloadCache cache(config());
  setUpSigned(cache);
  Subscription web_sub = cache.subscribe(web());
  Subscription db_sub = cache.subscribe(db());
  ASSERT_NE(web_sub.next(kWait), nullptr);
  ASSERT_NE(db_sub.next(kWait), nullptr);
  BundleMap changed = bundlesWithPartner();
  const TestCa other = TestCa::createRoot("partner.org", {}, fixedNow());
  changed.at("partner.org").addX509Authority(other.cert());
  cache.update(entries(), changed);
  const WorkloadUpdatePtr update = web_sub.next(kWait);
  ASSERT_NE(update, nullptr);
  EXPECT_EQ(update->federated_bundles[0]->x509Authorities().size(), 2u);
  EXPECT_EQ(db_sub.tryNext(), nullptr);
  EXPECT_EQ(db_sub.postCount(), 1u);
}

TEST_F(SubscriptionTest, UnrelatedChangesAreNotDelivered) {
  WorkloadCache cache(config());
  setUpSigned(cache);
  Subscription sub = cache.subscribe(db());
  ASSERT_NE(sub.next(kWait), nullptr);
  resign(cache, entries()[0]); // web's SVID rotates
  auto changed = entries();
  changed[1].revision_number = 2; // web's entry changes
  changed.push_back(makeEntry("x", "/x", {sel("k8s", "sa:other")}));
  cache.update(changed, bundlesWithPartner());
  signStale(cache);
  EXPECT_EQ(sub.tryNext(), nullptr);
  EXPECT_EQ(sub.postCount(), 1u);
}

TEST_F(SubscriptionTest, SlowSubscriberGetsOnlyTheLatestSnapshot) {
  WorkloadCache cache(config());
  setUpSigned(cache);
  Subscription sub = cache.subscribe(db());
  // The consumer never reads while five rotations happen: none of them waits for it.
  for (int i = 0; i < 5; ++i) {
    resign(cache, entries()[2]);
  }
  EXPECT_EQ(sub.postCount(), 6u);
  const WorkloadUpdatePtr latest = sub.tryNext();
  ASSERT_NE(latest, nullptr);
  EXPECT_EQ(latest->identities[0].svid, cache.fetch(db()).identities[0].svid);
  EXPECT_EQ(sub.tryNext(), nullptr);
}

TEST_F(SubscriptionTest, SecondSubscriberOfSameSetGetsCurrentSnapshot) {
  WorkloadCache cache(config());
  setUpSigned(cache);
  Subscription first = cache.subscribe(web());
  Subscription second = cache.subscribe({web()[1], web()[0], web()[0]});
  const WorkloadUpdatePtr a = first.next(kWait);
  const WorkloadUpdatePtr b = second.next(kWait);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a, b); // one shared snapshot
  EXPECT_EQ(cache.subscriptionCount(), 2u);
  resign(cache, entries()[0]);
  EXPECT_NE(first.next(kWait), nullptr);
  EXPECT_NE(second.next(kWait), nullptr);
}

TEST_F(SubscriptionTest, DestructionAndCloseUnsubscribe) {
  WorkloadCache cache(config());
  setUpSigned(cache);
  {
    Subscription sub = cache.subscribe(web());
    EXPECT_EQ(cache.subscriptionCount(), 1u);
    Subscription moved = std::move(sub);
    EXPECT_FALSE(sub.valid());
    EXPECT_EQ(cache.subscriptionCount(), 1u);
  }
  EXPECT_EQ(cache.subscriptionCount(), 0u);
  Subscription sub = cache.subscribe(web());
  sub.close();
  sub.close();
  EXPECT_EQ(cache.subscriptionCount(), 0u);
}

TEST_F(SubscriptionTest, CloseWakesAWaitingConsumer) {
  WorkloadCache cache(config());
  cache.update(entries(), bundles()); // unsigned: nothing will be delivered
  Subscription sub = cache.subscribe(web());
  // next() and close() touch disjoint members, so another thread may close a waiting
  // subscription (how a stream is cancelled).
  WorkloadUpdatePtr got = std::make_shared<WorkloadUpdate>();
  std::thread waiter([&] { got = sub.next(std::chrono::steady_clock::now() + seconds(30)); });
  const auto start = std::chrono::steady_clock::now();
  // Closing may come before or after the waiter blocks: both orders must end the wait.
  sub.close();
  waiter.join();
  EXPECT_EQ(got, nullptr);
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(10));
}

TEST_F(SubscriptionTest, NextTimesOutAtDeadline) {
  WorkloadCache cache(config());
  cache.update(entries(), bundles());
  Subscription sub = cache.subscribe(web());
  EXPECT_EQ(sub.next(std::chrono::milliseconds(20)), nullptr);
}

} // namespace
} // namespace spire::agent::cache
