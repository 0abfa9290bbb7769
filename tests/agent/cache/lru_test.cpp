#include <gtest/gtest.h>

#include "agent/cache/cache_fixture.h"
#include "agent/cache/workload_cache.h"

namespace spire::agent::cache {
namespace {

using namespace testing;
using std::chrono::seconds;

class LruTest : public ::testing::Test, public CacheFixture {
protected:
  // Entry "e<i>" for selector unix:uid:<i>.
  std::vector<AgentEntry> entries(int n) const {
    std::vector<AgentEntry> out;
    for (int i = 0; i < n; ++i) {
      out.push_back(makeEntry("e" + std::to_string(i), "/e" + std::to_string(i),
                              {sel("unix", "uid:" + std::to_string(i))}));
    }
    return out;
  }
  std::vector<Selector> uid(int i) const { return {sel("unix", "uid:" + std::to_string(i))}; }

  void signAll(WorkloadCache& cache, const std::vector<AgentEntry>& list) const {
    std::vector<SignedSvid> svids;
    for (const AgentEntry& entry : list) {
      svids.push_back(signedFor(entry));
    }
    cache.setSvids(std::move(svids));
  }

  std::vector<std::string> cachedIds(const WorkloadCache& cache, int n) const {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) {
      if (cache.hasSvid("e" + std::to_string(i))) {
        out.push_back("e" + std::to_string(i));
      }
    }
    return out;
  }
};

TEST_F(LruTest, PrefetchStopsAtTheLimit) {
  WorkloadCache cache(config(3));
  cache.update(entries(5), bundles());
  EXPECT_EQ(cache.staleEntries(clock_.now()).size(), 3u);
  EXPECT_EQ(signStale(cache), 3u);
  EXPECT_TRUE(cache.staleEntries(clock_.now()).empty());
  EXPECT_EQ(cache.svidCount(), 3u);
}

TEST_F(LruTest, EvictsLeastRecentlyAccessedFirst) {
  WorkloadCache cache(config(3));
  const auto list = entries(5);
  cache.update(list, bundles()); // all stamped at t0
  signAll(cache, list);          // setSvids does not enforce the limit
  EXPECT_EQ(cache.svidCount(), 5u);
  // Access order: e3, e0, e4 (most recent), e1/e2 untouched since t0 - e1 stamped before e2.
  for (int i : {3, 0, 4}) {
    clock_.advance(seconds(1));
    cache.fetch(uid(i));
  }
  const UpdateResult result = cache.update(list, bundles());
  EXPECT_EQ(result.evicted, 2u);
  EXPECT_EQ(cachedIds(cache, 5), (std::vector<std::string>{"e0", "e3", "e4"}));
  // The evicted ones are not re-signed while the cache is full.
  EXPECT_TRUE(cache.staleEntries(clock_.now()).empty());
}

TEST_F(LruTest, TiesInOneClockTickFollowAccessOrder) {
  WorkloadCache cache(config(1));
  const auto list = entries(3);
  cache.update(list, bundles());
  signAll(cache, list);
  cache.fetch(uid(2));
  cache.fetch(uid(0));
  cache.update(list, bundles());
  EXPECT_EQ(cachedIds(cache, 3), std::vector<std::string>{"e0"});
}

TEST_F(LruTest, SvidsWithSubscribersAreNeverEvicted) {
  WorkloadCache cache(config(1));
  const auto list = entries(3);
  cache.update(list, bundles());
  signAll(cache, list);
  clock_.advance(seconds(10));
  cache.fetch(uid(2)); // e2 is the most recent, but has no subscriber
  Subscription s0 = cache.subscribe(uid(0));
  Subscription s1 = cache.subscribe(uid(1));
  clock_.advance(seconds(10));
  cache.fetch(uid(2));
  const UpdateResult result = cache.update(list, bundles());
  EXPECT_EQ(result.evicted, 1u);
  // Soft limit: two subscribed SVIDs stay although the limit is one.
  EXPECT_EQ(cachedIds(cache, 3), (std::vector<std::string>{"e0", "e1"}));
  EXPECT_EQ(cache.svidCount(), 2u);
}

TEST_F(LruTest, SubscribedEntriesAreSignedBeyondTheLimit) {
  WorkloadCache cache(config(1));
  const auto list = entries(3);
  cache.update(list, bundles());
  signStale(cache); // e0 only
  EXPECT_EQ(cachedIds(cache, 3), std::vector<std::string>{"e0"});
  Subscription s2 = cache.subscribe(uid(2));
  const auto stale = cache.staleEntries(clock_.now());
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].entry->entry_id, "e2");
  signStale(cache);
  EXPECT_NE(s2.next(seconds(5)), nullptr);
}

TEST_F(LruTest, UnsubscribedSvidBecomesEvictable) {
  WorkloadCache cache(config(1));
  const auto list = entries(2);
  cache.update(list, bundles());
  signAll(cache, list);
  {
    Subscription s0 = cache.subscribe(uid(0));
    clock_.advance(seconds(1));
    cache.fetch(uid(1));
    cache.update(list, bundles());
    EXPECT_EQ(cachedIds(cache, 2), std::vector<std::string>{"e0"});
  }
  // e0 lost its subscriber; e1 gets signed again and e0 (older access) goes.
  signAll(cache, {list[1]});
  clock_.advance(seconds(1));
  cache.fetch(uid(1));
  cache.update(list, bundles());
  EXPECT_EQ(cachedIds(cache, 2), std::vector<std::string>{"e1"});
}

TEST_F(LruTest, ZeroMaxSizeMeansDefault) {
  WorkloadCache cache(config(0));
  cache.update(entries(5), bundles());
  EXPECT_EQ(cache.staleEntries(clock_.now()).size(), 5u);
}

} // namespace
} // namespace spire::agent::cache
