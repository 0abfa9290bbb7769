#pragma once

// The agent's workload identity cache (SPIRE pkg/agent/manager/cache/lru_cache.go), as pure
// logic: the sync loop feeds it the authorized entries and bundles (update), asks which entries
// need an X509-SVID signed (staleEntries), and stores what the server signed (setSvids);
// Workload API streams subscribe by selector set and receive immutable snapshots.
//
// X509-SVIDs are held under a soft LRU limit (x509_svid_cache_max_size): beyond it, the least
// recently accessed SVIDs without subscribers are dropped on update; SVIDs that a subscription
// matches are never dropped, so the cache may exceed the limit. Entries marked
// disable_x509_svid_prefetch are signed only once a subscription matches them.
//
// Threads: every public method may be called from any thread; one mutex guards the state and is
// never held while a subscriber runs (posting to a mailbox only swaps a pointer).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "agent/cache/certificate_interner.h"
#include "agent/cache/entry.h"
#include "agent/cache/rotation.h"
#include "agent/cache/selector_index.h"
#include "agent/cache/subscription.h"
#include "agent/cache/workload_update.h"
#include "bundle/spiffe_bundle.h"
#include "x509/x509_svid.h"

namespace spire::agent::cache {

using Clock = std::function<TimePoint()>;

inline constexpr size_t kDefaultX509SvidCacheMaxSize = 1000;

struct CacheConfig {
  // The agent's trust domain name: its bundle is every snapshot's `bundle`.
  std::string trust_domain;
  // Soft limit; 0 means the default (SPIRE treats a non-positive size the same way).
  size_t x509_svid_cache_max_size = kDefaultX509SvidCacheMaxSize;
  // Zero: unset.
  Duration availability_target = Duration::zero();
  // Time for LRU access stamps; the system clock when empty.
  Clock clock;
  // Rotation jitter; randomJitter() when empty.
  JitterSource jitter;
};

// Bundles by trust domain name, as the sync delivers them (own and federated together).
using BundleMap = std::map<std::string, bundle::SpiffeBundle>;

struct UpdateResult {
  size_t added = 0;
  size_t changed = 0; // revision_number differed
  size_t removed = 0;
  size_t evicted = 0; // SVIDs dropped by the LRU limit
  size_t bundles_changed = 0;
};

enum class StaleReason {
  kMissing,      // no SVID yet (or evicted) and one is wanted
  kEntryChanged, // the SVID was signed for an older revision of the entry
  kRotationDue,  // rotationutil says renew
};

struct StaleEntry {
  std::shared_ptr<const AgentEntry> entry;
  StaleReason reason = StaleReason::kMissing;
  // The current SVID's NotAfter, when there is one.
  std::optional<TimePoint> svid_expires_at;
};

struct SignedSvid {
  std::string entry_id;
  // The entry revision the CSR was made for; a newer revision keeps the entry stale.
  int64_t revision_number = 0;
  x509::X509Svid svid;
};

class WorkloadCache {
public:
  explicit WorkloadCache(CacheConfig config);
  ~WorkloadCache();
  WorkloadCache(const WorkloadCache&) = delete;
  WorkloadCache& operator=(const WorkloadCache&) = delete;

  // Applies the full authorized-entry set of a sync and the current bundles: entries missing
  // from `entries` are removed with their SVIDs, new ones added, and ones whose revision_number
  // differs replaced. Then applies the LRU limit and notifies the subscriptions whose snapshot
  // changed. Entries with an empty entry_id are ignored; for duplicate IDs the last one wins.
  // Bundles missing from `bundles` are dropped, except the agent's own trust domain's (SPIRE
  // keeps it: the agent needs it to authenticate the server).
  UpdateResult update(std::vector<AgentEntry> entries, const BundleMap& bundles);

  // Entries that need an X509-SVID signed now, sorted by entry ID: those without an SVID that a
  // subscription matches (always), or that prefetch allows while the LRU limit has room; those
  // whose SVID predates the entry's revision; those whose SVID is due for rotation at `now`.
  std::vector<StaleEntry> staleEntries(TimePoint now) const;

  // Stores signed SVIDs (for entries still present; others are dropped), sharing DER-equal
  // intermediates between chains, and notifies the subscriptions that see them. Does not apply
  // the LRU limit (update does). Returns how many were stored.
  size_t setSvids(std::vector<SignedSvid> svids);

  // Subscribes a workload with these selectors (order and duplicates do not matter).
  Subscription subscribe(std::vector<Selector> selectors);

  // One-shot fetch: the matching identities that have an SVID, and the bundles. Counts as an
  // access for the LRU.
  WorkloadUpdate fetch(std::vector<Selector> selectors);

  // The entries a workload with these selectors gets (subset match), sorted by entry ID.
  std::vector<std::shared_ptr<const AgentEntry>>
  matchingEntries(std::vector<Selector> selectors) const;

  size_t entryCount() const;
  size_t svidCount() const;
  bool hasSvid(const std::string& entry_id) const;
  size_t subscriptionCount() const;
  // Distinct CA certificates shared between cached chains (for tests and metrics).
  size_t sharedCertificateCount() const;

private:
  friend class Subscription;

  struct Record {
    std::shared_ptr<const AgentEntry> entry;
    std::vector<Selector> selectors; // normalised
    std::shared_ptr<const x509::X509Svid> svid;
    int64_t svid_revision = 0;
    TimePoint last_access;
    uint64_t access_seq = 0; // orders accesses within one clock tick
  };

  // A subscription's mailbox; `primed` once it got its first (complete) snapshot.
  struct Member {
    std::shared_ptr<Mailbox> mailbox;
    bool primed = false;
  };

  // Subscriptions sharing one selector set share the matching work and the last snapshot.
  struct Group {
    std::map<uint64_t, Member> members;
    std::vector<std::string> matched; // entry IDs, refreshed on every change
    WorkloadUpdatePtr last;           // last snapshot built
  };

  void unsubscribe(uint64_t id, const std::vector<Selector>& selectors);

  // Locked helpers (mu_ held).
  void refreshGroupsLocked();
  void refreshGroupLocked(Group& group, const std::vector<Selector>& selectors);
  // The identities that have an SVID; `complete` says whether every matched entry has one.
  WorkloadUpdatePtr buildUpdateLocked(const std::vector<std::string>& matched,
                                      bool* complete = nullptr) const;
  bool subscribedLocked(const std::string& entry_id) const;
  void touchLocked(const std::vector<std::string>& entry_ids);
  size_t evictLocked();
  void applyBundlesLocked(const BundleMap& bundles, UpdateResult& result);

  const CacheConfig config_;
  mutable std::mutex mu_;
  std::map<std::string, Record> records_;
  SelectorIndex index_;
  std::map<std::string, std::shared_ptr<const bundle::SpiffeBundle>> bundles_;
  std::map<std::vector<Selector>, Group> groups_;
  uint64_t next_subscription_id_ = 1;
  uint64_t access_seq_ = 0;
  size_t svid_count_ = 0;
  // Entry IDs some subscription matches, rebuilt by refreshGroupsLocked.
  std::unordered_set<std::string> subscribed_;
  CertificateInterner interner_;
};

} // namespace spire::agent::cache
