#include <gtest/gtest.h>

#include <chrono>
#include <iostream>

#include "agent/cache/cache_fixture.h"
#include "agent/cache/workload_cache.h"

namespace spire::agent::cache {
namespace {

using namespace testing;

// Thousands of entries and hundreds of subscriptions: a rotation reaches only the one workload
// it concerns, and the selector index keeps matching cheap. Timings are printed, not asserted.
TEST(ScaleTest, FiveThousandEntriesFiveHundredSubscriptions) {
  constexpr int kEntries = 5000;
  constexpr int kSubscriptions = 500;
  CacheFixture fixture;
  std::vector<AgentEntry> entries;
  for (int i = 0; i < kEntries; ++i) {
    entries.push_back(makeEntry("e" + std::to_string(100000 + i), "/w" + std::to_string(i),
                                {sel("k8s", "ns:prod"), sel("k8s", "sa:" + std::to_string(i))}));
  }
  WorkloadCache cache(fixture.config(kEntries));
  const auto start = std::chrono::steady_clock::now();
  cache.update(entries, fixture.bundles());
  // One real SVID shared by every entry: the cache does not inspect whose ID it carries.
  const x509::X509Svid svid = fixture.svidFor(entries[0]);
  std::vector<SignedSvid> batch;
  for (const AgentEntry& entry : entries) {
    batch.push_back(SignedSvid{entry.entry_id, 1, svid.clone()});
  }
  ASSERT_EQ(cache.setSvids(std::move(batch)), static_cast<size_t>(kEntries));
  std::vector<Subscription> subs;
  for (int i = 0; i < kSubscriptions; ++i) {
    subs.push_back(cache.subscribe(
        {sel("k8s", "ns:prod"), sel("k8s", "sa:" + std::to_string(i)), sel("unix", "uid:1")}));
  }
  const auto subscribed = std::chrono::steady_clock::now();
  for (Subscription& sub : subs) {
    const WorkloadUpdatePtr update = sub.tryNext();
    ASSERT_NE(update, nullptr);
    ASSERT_EQ(update->identities.size(), 1u);
  }
  std::vector<SignedSvid> one;
  one.push_back(SignedSvid{entries[7].entry_id, 1, svid.clone()});
  cache.setSvids(std::move(one));
  cache.update(entries, fixture.bundles()); // nothing changed
  const auto done = std::chrono::steady_clock::now();
  for (int i = 0; i < kSubscriptions; ++i) {
    EXPECT_EQ(subs[i].postCount(), i == 7 ? 2u : 1u) << "subscription " << i;
  }
  EXPECT_EQ(cache.staleEntries(fixture.clock_.now()).size(), 0u);
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  std::cout << "[scale] load+sign+subscribe: "
            << duration_cast<milliseconds>(subscribed - start).count()
            << " ms; rotate one + full resync: "
            << duration_cast<milliseconds>(done - subscribed).count() << " ms\n";
}

} // namespace
} // namespace spire::agent::cache
