#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "agent/cache/cache_fixture.h"
#include "agent/cache/jwt_svid_cache.h"
#include "agent/cache/workload_cache.h"

namespace spire::agent::cache {
namespace {

using namespace testing;

// Several writers, subscribers and readers at once; the checks are the snapshot invariants and,
// under -DSPIRE_SANITIZE=ON, the absence of races, leaks and use-after-free.
class ConcurrencyTest : public ::testing::Test, public CacheFixture {};

void checkSnapshot(const WorkloadUpdate& update) {
  for (size_t i = 0; i < update.identities.size(); ++i) {
    const Identity& identity = update.identities[i];
    ASSERT_NE(identity.svid, nullptr);
    EXPECT_EQ(identity.svid->id.toString(), identity.entry->spiffe_id);
    if (i > 0) {
      EXPECT_LT(update.identities[i - 1].entry->entry_id, identity.entry->entry_id);
    }
  }
}

TEST_F(ConcurrencyTest, WritersSubscribersAndReadersTogether) {
  constexpr int kEntries = 20;
  constexpr int kRounds = 60;
  std::vector<AgentEntry> entries;
  std::vector<x509::X509Svid> svids;
  for (int i = 0; i < kEntries; ++i) {
    entries.push_back(makeEntry("e" + std::to_string(i / 10) + std::to_string(i % 10),
                                "/w" + std::to_string(i),
                                {sel("unix", "uid:" + std::to_string(i % 5))}));
    svids.push_back(svidFor(entries.back()));
  }
  WorkloadCache cache(config(8));
  const BundleMap bundle_map = bundles();
  cache.update(entries, bundle_map);

  std::atomic<bool> stop{false};
  std::atomic<int> deliveries{0};
  auto signEverything = [&](int64_t revision) {
    std::vector<SignedSvid> batch;
    for (int i = 0; i < kEntries; ++i) {
      batch.push_back(SignedSvid{entries[i].entry_id, revision, svids[i].clone()});
    }
    cache.setSvids(std::move(batch));
  };

  std::thread syncer([&] {
    for (int round = 0; round < kRounds; ++round) {
      std::vector<AgentEntry> next = entries;
      if (round % 3 == 1) {
        next.pop_back(); // removed, then back next round
      }
      for (AgentEntry& entry : next) {
        entry.revision_number = round / 4 + 1;
      }
      cache.update(next, bundle_map);
      signEverything(round / 4 + 1);
      clock_.advance(std::chrono::seconds(1));
    }
  });
  std::thread rotator([&] {
    for (int round = 0; round < kRounds; ++round) {
      signEverything(1);
    }
  });
  std::vector<std::thread> subscribers;
  for (int t = 0; t < 3; ++t) {
    subscribers.emplace_back([&, t] {
      while (!stop.load()) {
        Subscription sub = cache.subscribe({sel("unix", "uid:" + std::to_string(t))});
        for (int i = 0; i < 3; ++i) {
          const WorkloadUpdatePtr update = sub.next(std::chrono::milliseconds(50));
          if (update) {
            checkSnapshot(*update);
            ++deliveries;
          }
        }
      }
    });
  }
  std::thread reader([&] {
    while (!stop.load()) {
      checkSnapshot(cache.fetch({sel("unix", "uid:4")}));
      cache.staleEntries(clock_.now());
      cache.matchingEntries({sel("unix", "uid:3")});
    }
  });
  JwtSvidCache jwt(16);
  std::vector<std::thread> jwt_threads;
  for (int t = 0; t < 2; ++t) {
    jwt_threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        const std::string aud = std::to_string((i + t) % 32);
        const TimePoint now = clock_.now();
        if (!jwt.get("spiffe://example.org/w", {aud}, now)) {
          jwt.set("spiffe://example.org/w", {aud},
                  CachedJwtSvid{"token" + aud, now, now + std::chrono::minutes(5)});
        }
      }
    });
  }

  syncer.join();
  rotator.join();
  for (std::thread& thread : jwt_threads) {
    thread.join();
  }
  stop = true;
  for (std::thread& thread : subscribers) {
    thread.join();
  }
  reader.join();

  EXPECT_GT(deliveries.load(), 0);
  EXPECT_EQ(cache.subscriptionCount(), 0u);
  EXPECT_LE(jwt.size(), 16u);
  EXPECT_LE(cache.svidCount(), cache.entryCount());
}

} // namespace
} // namespace spire::agent::cache
