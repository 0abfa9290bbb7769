#include <gtest/gtest.h>

#include <malloc.h>

#include <iostream>

#include "agent/cache/cache_fixture.h"
#include "agent/cache/workload_cache.h"

namespace spire::agent::cache {
namespace {

using namespace testing;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

size_t heapInUse() {
  return mallinfo2().uordblks;
}

// The heap cost of 1,000 cached X509-SVIDs as the sync stores them: each parsed from the DER the
// server returns (leaf + intermediate, EC P-256 key) and held by the cache. The DER inputs are
// made before the baseline and freed after the measurement, so only parsed objects and cache
// bookkeeping count.
TEST(MemoryTest, BytesPerCachedSvid) {
  if (kSanitized) {
    GTEST_SKIP() << "mallinfo2 does not see a sanitizer's allocator";
  }
  constexpr int kCount = 1000;
  const TestCa root = TestCa::createRoot("example.org", {}, fixedNow());
  const TestCa intermediate = root.createIntermediate();

  std::vector<AgentEntry> entries;
  std::vector<std::pair<std::string, std::string>> der; // certificates, key
  for (int i = 0; i < kCount; ++i) {
    AgentEntry entry = makeEntry(
        "entry-" + std::to_string(100000 + i), "/ns/prod/sa/workload-" + std::to_string(i),
        {sel("k8s", "ns:prod"), sel("k8s", "sa:workload-" + std::to_string(i))});
    spire::testing::LeafOptions options;
    options.uri_sans = std::vector<std::string>{entry.spiffe_id};
    const auto leaf = intermediate.issueLeaf(options);
    der.emplace_back(leaf.certsDer(), leaf.keyDer());
    entries.push_back(std::move(entry));
  }
  CacheConfig config;
  config.trust_domain = "example.org";

  const size_t before_entries = heapInUse();
  WorkloadCache cache(config);
  cache.update(entries, {});
  const size_t after_entries = heapInUse();

  for (int i = 0; i < kCount; ++i) {
    auto svid = x509::X509Svid::parseDer(der[i].first, der[i].second);
    ASSERT_TRUE(svid.isOk()) << svid.status().message();
    std::vector<SignedSvid> one;
    one.push_back(SignedSvid{entries[i].entry_id, 1, std::move(*svid)});
    ASSERT_EQ(cache.setSvids(std::move(one)), 1u);
  }
  const size_t after_svids = heapInUse();
  ASSERT_EQ(cache.svidCount(), static_cast<size_t>(kCount));
  // All 1,000 chains share one parsed intermediate.
  EXPECT_EQ(cache.sharedCertificateCount(), 1u);

  const double per_entry = static_cast<double>(after_entries - before_entries) / kCount;
  const double per_svid = static_cast<double>(after_svids - after_entries) / kCount;
  std::cout << "[memory] per cached entry: " << per_entry
            << " bytes; per cached X509-SVID (leaf+intermediate, P-256 key): " << per_svid
            << " bytes\n";
  ::testing::Test::RecordProperty("bytes_per_entry", static_cast<int>(per_entry));
  ::testing::Test::RecordProperty("bytes_per_svid", static_cast<int>(per_svid));
  // A sanity bound, not a target: two parsed certificates and a key are a few KiB.
  EXPECT_GT(per_svid, 1000.0);
  EXPECT_LT(per_svid, 64 * 1024.0);
}

} // namespace
} // namespace spire::agent::cache
