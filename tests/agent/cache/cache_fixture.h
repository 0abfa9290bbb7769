#pragma once

// Shared pieces of the cache tests: a settable clock, a test CA issuing SVIDs for entries, and
// builders for entries and bundle maps.

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "agent/cache/workload_cache.h"
#include "support/test_ca.h"

namespace spire::agent::cache::testing {

using spire::testing::fixedNow;
using spire::testing::TestCa;

class FakeClock {
public:
  explicit FakeClock(TimePoint start = fixedNow()) : ns_(start.time_since_epoch().count()) {}
  TimePoint now() const { return TimePoint(TimePoint::duration(ns_.load())); }
  void advance(Duration d) { ns_ += std::chrono::duration_cast<TimePoint::duration>(d).count(); }
  Clock fn() const {
    return [this] { return now(); };
  }

private:
  std::atomic<TimePoint::rep> ns_;
};

inline Selector sel(std::string type, std::string value) {
  return {std::move(type), std::move(value)};
}

inline AgentEntry makeEntry(std::string id, std::string path, std::vector<Selector> selectors,
                            int64_t revision = 1) {
  AgentEntry entry;
  entry.entry_id = std::move(id);
  entry.spiffe_id = "spiffe://example.org" + path;
  entry.parent_id = "spiffe://example.org/spire/agent/test";
  entry.selectors = std::move(selectors);
  entry.revision_number = revision;
  return entry;
}

inline int64_t lowJitter(int64_t) {
  return 0;
}

class CacheFixture {
public:
  CacheFixture() : ca_(TestCa::createRoot("example.org", {}, fixedNow())) {}

  CacheConfig config(size_t max_size = kDefaultX509SvidCacheMaxSize) const {
    CacheConfig config;
    config.trust_domain = "example.org";
    config.x509_svid_cache_max_size = max_size;
    config.clock = clock_.fn();
    config.jitter = lowJitter;
    return config;
  }

  // An SVID for the entry's SPIFFE ID valid [not_before, not_after) (default: now-10s..now+1h).
  x509::X509Svid svidFor(const AgentEntry& entry, std::optional<TimePoint> not_before = {},
                         std::optional<TimePoint> not_after = {}) const {
    spire::testing::LeafOptions options;
    options.uri_sans = std::vector<std::string>{entry.spiffe_id};
    options.not_before = not_before;
    options.not_after = not_after;
    return ca_.issueLeaf(options).svid();
  }

  SignedSvid signedFor(const AgentEntry& entry) const {
    return SignedSvid{entry.entry_id, entry.revision_number, svidFor(entry)};
  }

  BundleMap bundles() const {
    BundleMap map;
    map.emplace("example.org", bundle::SpiffeBundle::fromX509Bundle(ca_.bundle()));
    return map;
  }

  // Signs everything staleEntries reports; returns how many were signed.
  size_t signStale(WorkloadCache& cache) const {
    std::vector<SignedSvid> signed_svids;
    for (const StaleEntry& stale : cache.staleEntries(clock_.now())) {
      signed_svids.push_back(signedFor(*stale.entry));
    }
    return cache.setSvids(std::move(signed_svids));
  }

  FakeClock clock_;
  TestCa ca_;
};

} // namespace spire::agent::cache::testing
