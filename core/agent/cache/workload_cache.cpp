#include "agent/cache/workload_cache.h"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <utility>

namespace spire::agent::cache {

namespace {

CacheConfig withDefaults(CacheConfig config) {
  if (config.x509_svid_cache_max_size == 0) {
    config.x509_svid_cache_max_size = kDefaultX509SvidCacheMaxSize;
  }
  if (!config.clock) {
    config.clock = [] { return std::chrono::system_clock::now(); };
  }
  if (!config.jitter) {
    config.jitter = randomJitter();
  }
  return config;
}

} // namespace

WorkloadCache::WorkloadCache(CacheConfig config) : config_(withDefaults(std::move(config))) {}

WorkloadCache::~WorkloadCache() {
  // Wake any consumer still waiting; its Subscription must not outlive us, but a waiter should
  // not hang if one is being torn down concurrently with its consumer.
  std::lock_guard lock(mu_);
  for (auto& [selectors, group] : groups_) {
    for (auto& [id, member] : group.members) {
      member.mailbox->close();
    }
  }
}

UpdateResult WorkloadCache::update(std::vector<AgentEntry> entries, const BundleMap& bundles) {
  UpdateResult result;
  // Ordered, so that new entries get their first LRU stamps in entry ID order.
  std::map<std::string, AgentEntry> incoming;
  for (AgentEntry& entry : entries) {
    if (entry.entry_id.empty()) {
      continue;
    }
    std::string id = entry.entry_id;
    incoming.insert_or_assign(std::move(id), std::move(entry));
  }

  std::lock_guard lock(mu_);
  const TimePoint now = config_.clock();
  for (auto it = records_.begin(); it != records_.end();) {
    if (incoming.contains(it->first)) {
      ++it;
      continue;
    }
    index_.remove(it->first);
    if (it->second.svid) {
      --svid_count_;
    }
    it = records_.erase(it);
    ++result.removed;
  }
  for (auto& [id, entry] : incoming) {
    auto it = records_.find(id);
    if (it == records_.end()) {
      Record record;
      record.selectors = normalizeSelectors(entry.selectors);
      record.entry = std::make_shared<const AgentEntry>(std::move(entry));
      record.last_access = now;
      record.access_seq = ++access_seq_;
      index_.add(id, record.selectors);
      records_.emplace(id, std::move(record));
      ++result.added;
      continue;
    }
    Record& record = it->second;
    if (record.entry->revision_number == entry.revision_number) {
      continue;
    }
    std::vector<Selector> selectors = normalizeSelectors(entry.selectors);
    if (selectors != record.selectors) {
      index_.add(id, selectors);
      record.selectors = std::move(selectors);
    }
    record.entry = std::make_shared<const AgentEntry>(std::move(entry));
    ++result.changed;
  }
  applyBundlesLocked(bundles, result);
  // Match first so that SVIDs that just gained a subscriber are exempt from eviction. Without
  // any change no snapshot or match can differ (the common case: a sync every 5 s).
  if (result.added + result.changed + result.removed + result.bundles_changed > 0) {
    refreshGroupsLocked();
  }
  result.evicted = evictLocked();
  interner_.purge();
  return result;
}

void WorkloadCache::applyBundlesLocked(const BundleMap& bundles, UpdateResult& result) {
  // As SPIRE, the own trust domain's bundle is kept even when a sync lacks it: the agent
  // needs it to authenticate the server, and its absence can only be a server bug.
  for (auto it = bundles_.begin(); it != bundles_.end();) {
    if (bundles.contains(it->first) || it->first == config_.trust_domain) {
      ++it;
    } else {
      it = bundles_.erase(it);
      ++result.bundles_changed;
    }
  }
  for (const auto& [td, bundle] : bundles) {
    auto& slot = bundles_[td];
    // Keep the shared object when the content is equal, so snapshots stay "the same".
    if (slot && slot->equals(bundle)) {
      continue;
    }
    slot = std::make_shared<const bundle::SpiffeBundle>(bundle);
    ++result.bundles_changed;
  }
}

size_t WorkloadCache::evictLocked() {
  const size_t max = config_.x509_svid_cache_max_size;
  if (svid_count_ <= max) {
    return 0;
  }
  std::vector<Record*> candidates;
  for (auto& [id, record] : records_) {
    if (record.svid && !subscribed_.contains(id)) {
      candidates.push_back(&record);
    }
  }
  std::sort(candidates.begin(), candidates.end(), [](const Record* a, const Record* b) {
    if (a->last_access != b->last_access) {
      return a->last_access < b->last_access;
    }
    return a->access_seq < b->access_seq;
  });
  size_t evicted = 0;
  for (Record* record : candidates) {
    if (svid_count_ <= max) {
      break;
    }
    record->svid.reset();
    --svid_count_;
    ++evicted;
  }
  return evicted;
}

std::vector<StaleEntry> WorkloadCache::staleEntries(TimePoint now) const {
  std::lock_guard lock(mu_);
  std::vector<StaleEntry> out;
  const size_t max = config_.x509_svid_cache_max_size;
  // Room left under the soft limit for SVIDs nobody subscribed to yet (SPIRE's remainderSize).
  size_t room = svid_count_ < max ? max - svid_count_ : 0;
  for (const auto& [id, record] : records_) {
    if (!record.svid) {
      const bool subscribed = subscribed_.contains(id);
      if (subscribed) {
        out.push_back({record.entry, StaleReason::kMissing, std::nullopt});
      } else if (!record.entry->disable_x509_svid_prefetch && room > 0) {
        --room;
        out.push_back({record.entry, StaleReason::kMissing, std::nullopt});
      }
      continue;
    }
    const TimePoint expires_at = record.svid->expiresAt();
    if (record.svid_revision != record.entry->revision_number) {
      out.push_back({record.entry, StaleReason::kEntryChanged, expires_at});
      continue;
    }
    const TimePoint not_before = crypto::notBefore(record.svid->leaf());
    if (shouldRotateX509(now, not_before, expires_at, config_.jitter,
                         config_.availability_target)) {
      out.push_back({record.entry, StaleReason::kRotationDue, expires_at});
    }
  }
  return out;
}

size_t WorkloadCache::setSvids(std::vector<SignedSvid> svids) {
  std::vector<std::shared_ptr<const x509::X509Svid>> replaced; // freed after unlocking
  std::lock_guard lock(mu_);
  size_t stored = 0;
  std::vector<std::string> touched;
  for (SignedSvid& signed_svid : svids) {
    auto it = records_.find(signed_svid.entry_id);
    if (it == records_.end()) {
      continue;
    }
    Record& record = it->second;
    if (record.svid) {
      replaced.push_back(std::move(record.svid));
    } else {
      ++svid_count_;
    }
    interner_.internChain(signed_svid.svid.certificates);
    record.svid = std::make_shared<const x509::X509Svid>(std::move(signed_svid.svid));
    record.svid_revision = signed_svid.revision_number;
    touched.push_back(it->first);
    ++stored;
  }
  // New SVIDs change no group's matched entries, only the snapshots of groups that contain one.
  std::sort(touched.begin(), touched.end());
  for (auto& [selectors, group] : groups_) {
    const bool affected = std::any_of(touched.begin(), touched.end(), [&](const std::string& id) {
      return std::binary_search(group.matched.begin(), group.matched.end(), id);
    });
    if (affected) {
      refreshGroupLocked(group, selectors);
    }
  }
  return stored;
}

Subscription WorkloadCache::subscribe(std::vector<Selector> selectors) {
  selectors = normalizeSelectors(std::move(selectors));
  auto mailbox = std::make_shared<Mailbox>();
  std::lock_guard lock(mu_);
  const uint64_t id = next_subscription_id_++;
  auto [it, created] = groups_.try_emplace(selectors);
  Group& group = it->second;
  group.members.emplace(id, Member{mailbox, false});
  // Posts the first snapshot to the new member if its entries are all signed already.
  refreshGroupLocked(group, it->first);
  if (created) {
    subscribed_.insert(group.matched.begin(), group.matched.end());
  }
  touchLocked(group.matched);
  return Subscription(this, id, std::move(mailbox), std::move(selectors));
}

void WorkloadCache::unsubscribe(uint64_t id, const std::vector<Selector>& selectors) {
  std::shared_ptr<Mailbox> mailbox; // released after unlocking
  std::lock_guard lock(mu_);
  auto it = groups_.find(selectors);
  if (it == groups_.end()) {
    return;
  }
  auto mit = it->second.members.find(id);
  if (mit == it->second.members.end()) {
    return;
  }
  mailbox = std::move(mit->second.mailbox);
  it->second.members.erase(mit);
  if (it->second.members.empty()) {
    groups_.erase(it);
    subscribed_.clear();
    for (const auto& [key, group] : groups_) {
      subscribed_.insert(group.matched.begin(), group.matched.end());
    }
  }
}

WorkloadUpdate WorkloadCache::fetch(std::vector<Selector> selectors) {
  selectors = normalizeSelectors(std::move(selectors));
  std::lock_guard lock(mu_);
  const std::vector<std::string> matched = index_.match(selectors);
  touchLocked(matched);
  return *buildUpdateLocked(matched);
}

std::vector<std::shared_ptr<const AgentEntry>>
WorkloadCache::matchingEntries(std::vector<Selector> selectors) const {
  selectors = normalizeSelectors(std::move(selectors));
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<const AgentEntry>> out;
  for (const std::string& id : index_.match(selectors)) {
    out.push_back(records_.at(id).entry);
  }
  return out;
}

void WorkloadCache::refreshGroupsLocked() {
  subscribed_.clear();
  for (auto& [selectors, group] : groups_) {
    refreshGroupLocked(group, selectors);
    subscribed_.insert(group.matched.begin(), group.matched.end());
  }
}

void WorkloadCache::refreshGroupLocked(Group& group, const std::vector<Selector>& selectors) {
  group.matched = index_.match(selectors);
  bool complete = false;
  WorkloadUpdatePtr update = buildUpdateLocked(group.matched, &complete);
  const bool changed = !group.last || !group.last->sameAs(*update);
  if (changed) {
    group.last = std::move(update);
  }
  // As SPIRE: a subscriber's first snapshot waits until every matching entry has an SVID (a
  // workload must not start with part of its identities); after that every change is sent,
  // even while a newly added entry still waits for its SVID, so rotations keep flowing.
  bool posted = false;
  for (auto& [id, member] : group.members) {
    if (member.primed ? changed : complete) {
      member.mailbox->post(group.last);
      member.primed = true;
      posted = true;
    }
  }
  if (posted) {
    touchLocked(group.matched);
  }
}

WorkloadUpdatePtr WorkloadCache::buildUpdateLocked(const std::vector<std::string>& matched,
                                                   bool* complete) const {
  auto update = std::make_shared<WorkloadUpdate>();
  std::set<std::string> federated;
  update->identities.reserve(matched.size());
  bool all_signed = true;
  for (const std::string& id : matched) {
    const Record& record = records_.at(id);
    if (!record.svid) {
      all_signed = false;
      continue;
    }
    update->identities.push_back({record.entry, record.svid});
    federated.insert(record.entry->federates_with.begin(), record.entry->federates_with.end());
  }
  if (complete != nullptr) {
    *complete = all_signed;
  }
  if (auto it = bundles_.find(config_.trust_domain); it != bundles_.end()) {
    update->bundle = it->second;
  }
  for (const std::string& td : federated) {
    if (td == config_.trust_domain) {
      continue;
    }
    if (auto it = bundles_.find(td); it != bundles_.end()) {
      update->federated_bundles.push_back(it->second);
    }
  }
  return update;
}

void WorkloadCache::touchLocked(const std::vector<std::string>& entry_ids) {
  const TimePoint now = config_.clock();
  for (const std::string& id : entry_ids) {
    auto it = records_.find(id);
    if (it != records_.end()) {
      it->second.last_access = now;
      it->second.access_seq = ++access_seq_;
    }
  }
}

size_t WorkloadCache::entryCount() const {
  std::lock_guard lock(mu_);
  return records_.size();
}

size_t WorkloadCache::svidCount() const {
  std::lock_guard lock(mu_);
  return svid_count_;
}

bool WorkloadCache::hasSvid(const std::string& entry_id) const {
  std::lock_guard lock(mu_);
  auto it = records_.find(entry_id);
  return it != records_.end() && it->second.svid != nullptr;
}

size_t WorkloadCache::subscriptionCount() const {
  std::lock_guard lock(mu_);
  size_t count = 0;
  for (const auto& [selectors, group] : groups_) {
    count += group.members.size();
  }
  return count;
}

size_t WorkloadCache::sharedCertificateCount() const {
  std::lock_guard lock(mu_);
  return interner_.size();
}

} // namespace spire::agent::cache
