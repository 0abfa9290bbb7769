// The WorkloadIdentitySource side of the manager: workload attestation through the catalog's
// WorkloadAttestors, snapshots and subscriptions over the cache, JWT-SVIDs minted on demand and
// cached until half-life. Reads never wait for the server: what the cache holds is served even
// while the server is down.

#include <spdlog/spdlog.h>

#include "agent/manager/manager_impl.h"

namespace spire::agent::manager {

namespace {

// Beyond this many memoised bundle conversions, stale ones are dropped.
constexpr size_t kBundleMemoLimit = 64;

std::vector<cache::Selector> toCacheSelectors(const endpoints::Selectors& selectors) {
  std::vector<cache::Selector> out;
  out.reserve(selectors.size());
  for (const endpoints::Selector& selector : selectors) {
    out.push_back({selector.type, selector.value});
  }
  return out;
}

// Unsubscribes on destruction; the subscriber's mutex fences a callback in flight.
class ManagerSubscription : public endpoints::Subscription {
public:
  ManagerSubscription(AgentManager::Impl& impl,
                      std::shared_ptr<AgentManager::Impl::Subscriber> subscriber)
      : impl_(impl), subscriber_(std::move(subscriber)) {}
  ~ManagerSubscription() override { impl_.removeSubscriber(subscriber_); }

private:
  AgentManager::Impl& impl_;
  std::shared_ptr<AgentManager::Impl::Subscriber> subscriber_;
};

} // namespace

Result<endpoints::Selectors>
AgentManager::Impl::attest(const endpoints::CallerCredentials& caller) {
  Result<std::vector<plugin_host::Selector>> selectors =
      catalog_.workloadAttestors().attestAll(caller.pid);
  if (!selectors) {
    return selectors.status();
  }
  endpoints::Selectors out;
  out.reserve(selectors->size());
  for (plugin_host::Selector& selector : *selectors) {
    out.push_back({std::move(selector.type), std::move(selector.value)});
  }
  return out;
}

AgentManager::Impl::ConvertedBundle
AgentManager::Impl::convertBundle(const std::shared_ptr<const bundle::SpiffeBundle>& bundle) const {
  std::lock_guard<std::mutex> lock(bundle_memo_mu_);
  auto it = bundle_memo_.find(bundle.get());
  if (it != bundle_memo_.end()) {
    return it->second;
  }
  if (bundle_memo_.size() >= kBundleMemoLimit) {
    // Drop conversions of bundles nobody else holds any more (replaced in the cache).
    std::erase_if(bundle_memo_,
                  [](const auto& item) { return item.second.source.use_count() == 1; });
  }
  ConvertedBundle converted{bundle,
                            std::make_shared<const x509::X509Bundle>(bundle->toX509Bundle()),
                            std::make_shared<const jwt::JwtBundle>(bundle->toJwtBundle())};
  bundle_memo_.emplace(bundle.get(), converted);
  return converted;
}

endpoints::IdentitySnapshotPtr
AgentManager::Impl::toSnapshot(const cache::WorkloadUpdate& update) const {
  auto snapshot = std::make_shared<endpoints::IdentitySnapshot>();
  snapshot->svids.reserve(update.identities.size());
  for (const cache::Identity& identity : update.identities) {
    if (identity.svid) {
      snapshot->svids.push_back(identity.svid);
    }
  }
  if (update.bundle) {
    ConvertedBundle own = convertBundle(update.bundle);
    snapshot->bundle = std::move(own.x509);
    snapshot->jwt_bundle = std::move(own.jwt);
  }
  for (const auto& federated : update.federated_bundles) {
    ConvertedBundle converted = convertBundle(federated);
    snapshot->federated_bundles.push_back(std::move(converted.x509));
    snapshot->federated_jwt_bundles.push_back(std::move(converted.jwt));
  }
  return snapshot;
}

endpoints::IdentitySnapshotPtr
AgentManager::Impl::identitiesFor(const endpoints::Selectors& selectors) {
  const cache::WorkloadUpdate update = cache_.fetch(toCacheSelectors(selectors));
  return toSnapshot(update);
}

Result<endpoints::SubscriptionPtr>
AgentManager::Impl::subscribe(const endpoints::Selectors& selectors,
                              std::function<void(endpoints::IdentitySnapshotPtr)> on_update) {
  std::vector<cache::Selector> cache_selectors = toCacheSelectors(selectors);
  auto subscriber = std::make_shared<Subscriber>();
  subscriber->on_update = std::move(on_update);
  subscriber->subscription = cache_.subscribe(cache_selectors);
  // The caller reads the first snapshot itself (identitiesFor); what the cache posted so far is
  // that same state.
  while (cache::WorkloadUpdatePtr update = subscriber->subscription.tryNext()) {
    subscriber->last = std::move(update);
  }
  {
    std::lock_guard<std::mutex> lock(subs_mu_);
    subscribers_.push_back(subscriber);
  }
  // Entries without an SVID (not prefetched, or evicted by the LRU limit) are signed now that a
  // workload waits for them.
  for (const auto& entry : cache_.matchingEntries(cache_selectors)) {
    if (!cache_.hasSvid(entry->entry_id)) {
      requestSync();
      break;
    }
  }
  return endpoints::SubscriptionPtr(std::make_unique<ManagerSubscription>(*this, subscriber));
}

void AgentManager::Impl::removeSubscriber(const std::shared_ptr<Subscriber>& subscriber) {
  {
    std::lock_guard<std::mutex> lock(subs_mu_);
    std::erase(subscribers_, subscriber);
  }
  std::lock_guard<std::mutex> lock(subscriber->mu);
  subscriber->alive = false;
  subscriber->subscription.close();
}

Result<std::string> AgentManager::Impl::fetchJwtSvid(const endpoints::Selectors& selectors,
                                                     const spiffe::SpiffeId& id,
                                                     const std::vector<std::string>& audience) {
  const std::string spiffe_id = id.toString();
  std::string entry_id;
  for (const auto& entry : cache_.matchingEntries(toCacheSelectors(selectors))) {
    if (entry->spiffe_id == spiffe_id) {
      entry_id = entry->entry_id;
      break;
    }
  }
  if (entry_id.empty()) {
    return Status(StatusCode::kPermissionDenied, "no identity issued");
  }
  // Entitlement first, then the cache: a token is only ever handed to a caller of its entry.
  if (std::optional<cache::CachedJwtSvid> cached = jwt_cache_.get(spiffe_id, audience, now())) {
    return cached->token;
  }
  std::shared_ptr<ServerClient> current = client();
  if (!current) {
    return Status(StatusCode::kUnavailable, "agent is not attested");
  }
  Result<JwtSvidResult> minted = current->newJwtSvid(entry_id, audience);
  if (!minted) {
    if (minted.status().code() == StatusCode::kUnavailable) {
      reconnect();
    }
    return Status(minted.status().code(), "could not fetch JWT-SVID: " + minted.status().message());
  }
  cache::CachedJwtSvid value;
  value.token = minted->token;
  value.issued_at = crypto::TimePoint(std::chrono::seconds(minted->issued_at));
  value.expires_at = crypto::TimePoint(std::chrono::seconds(minted->expires_at));
  jwt_cache_.set(spiffe_id, audience, value);
  return minted->token;
}

} // namespace spire::agent::manager
