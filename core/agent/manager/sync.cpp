// The sync with the server (SPIRE pkg/agent/manager/sync.go and manager.go runSynchronizer):
// agent SVID renewal, authorized entries, bundles, X509-SVID signing, and the EntryChanges watch
// that turns a server-side change into an immediate sync.

#include <algorithm>
#include <set>

#include <spdlog/spdlog.h>

#include "agent/cache/rotation.h"
#include "agent/manager/convert.h"
#include "agent/manager/manager_impl.h"
#include "agent/manager/sync_backoff.h"
#include "crypto/key.h"

namespace spire::agent::manager {

namespace {

// SPIRE signs at most this many SVIDs per BatchNewX509SVID call.
constexpr size_t kSvidBatchSize = 500;
constexpr std::chrono::seconds kMaxWatchBackoff{30};

bool mustReattest(const Status& status) {
  return status.code() == StatusCode::kPermissionDenied || status.code() == StatusCode::kNotFound;
}

} // namespace

void AgentManager::Impl::requestSync() {
  {
    std::lock_guard<std::mutex> lock(loop_mu_);
    sync_requested_ = true;
  }
  loop_cv_.notify_all();
}

Status AgentManager::Impl::syncOnce() {
  std::lock_guard<std::mutex> sync_lock(sync_mu_);
  Status st = syncLocked();
  std::lock_guard<std::mutex> lock(state_mu_);
  if (st.isOk()) {
    last_sync_ = now();
    ++sync_count_;
    sync_failures_ = 0;
  } else {
    ++sync_failures_;
  }
  return st;
}

Status AgentManager::Impl::syncLocked() {
  std::shared_ptr<const x509::X509Svid> agent_svid;
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    agent_svid = agent_svid_;
  }
  const cache::JitterSource jitter = config_.jitter ? config_.jitter : cache::randomJitter();
  if (agent_svid && cache::shouldRotateX509(now(), crypto::notBefore(agent_svid->leaf()),
                                            agent_svid->expiresAt(), jitter)) {
    if (Status st = renewAgentSvid(); !st.isOk()) {
      logger_->warn("Agent SVID renewal failed: {}", st.message());
      if (mustReattest(st)) {
        logger_->info("Server refused the agent SVID; attesting again");
        if (Status attested = attestNode(); !attested.isOk()) {
          return attested;
        }
      } else if (cache::x509Expired(now(), agent_svid->expiresAt())) {
        return st;
      }
    }
  }
  Status st = syncEntriesAndBundles(*client());
  if (mustReattest(st)) {
    logger_->warn("Server refused the agent ({}); attesting again", st.message());
    storage_.deleteSvid();
    if (Status attested = attestNode(); !attested.isOk()) {
      return attested;
    }
    st = syncEntriesAndBundles(*client());
  }
  if (st.code() == StatusCode::kUnavailable) {
    // A fresh channel dials at the next attempt instead of waiting out gRPC's reconnect back-off
    // (up to 2 min), so the agent catches up as soon as the server is back.
    reconnect();
  }
  if (!st.isOk()) {
    return st;
  }
  return signStaleSvids(*client());
}

Status AgentManager::Impl::syncEntriesAndBundles(ServerClient& client) {
  Result<EntrySyncResult> synced =
      client.syncEntries(entries_, config_.use_sync_authorized_entries);
  if (!synced) {
    return synced.status().withPrefix("failed to sync entries");
  }
  Result<bundle::SpiffeBundle> own = client.getBundle();
  if (!own) {
    return own.status().withPrefix("failed to fetch bundle");
  }
  cache::BundleMap bundles;
  std::set<std::string> federated;
  for (const cache::AgentEntry& entry : synced->entries) {
    for (const std::string& td : entry.federates_with) {
      if (td != td_.name()) {
        federated.insert(td);
      }
    }
  }
  for (const std::string& td : federated) {
    Result<std::optional<bundle::SpiffeBundle>> bundle = client.getFederatedBundle(td);
    if (!bundle) {
      logger_->warn("Unable to fetch federated bundle trust_domain={}: {}", td,
                    bundle.status().message());
      continue;
    }
    if (bundle->has_value()) {
      bundles.emplace(td, std::move(**bundle));
    }
  }
  // The server is authenticated with the newest bundle from now on.
  x509::X509Bundle own_x509 = own->toX509Bundle();
  if (!own_x509.authorities().empty()) {
    if (Status stored = storage_.storeBundle(own_x509.authorities()); !stored.isOk()) {
      logger_->warn("Unable to store bundle: {}", stored.message());
    }
    trust_->setBundle(std::move(own_x509));
  }
  bundles.emplace(td_.name(), std::move(*own));

  std::map<std::string, cache::AgentEntry> next;
  for (const cache::AgentEntry& entry : synced->entries) {
    next[entry.entry_id] = entry;
  }
  std::vector<std::string> gone_ids;
  for (const auto& [id, entry] : entries_) {
    auto it = next.find(id);
    if (it == next.end() || it->second.spiffe_id != entry.spiffe_id) {
      gone_ids.push_back(entry.spiffe_id);
    }
  }
  if (!gone_ids.empty()) {
    jwt_cache_.removeIds(gone_ids);
  }
  cache::UpdateResult updated = cache_.update(std::move(synced->entries), bundles);
  entries_ = std::move(next);
  if (updated.added + updated.changed + updated.removed + updated.bundles_changed > 0) {
    logger_->debug("Cache updated added={} changed={} removed={} bundles_changed={}", updated.added,
                   updated.changed, updated.removed, updated.bundles_changed);
  }
  pumpSubscribers();
  return Status::ok();
}

Status AgentManager::Impl::signStaleSvids(ServerClient& client) {
  std::vector<cache::StaleEntry> stale = cache_.staleEntries(now());
  for (size_t start = 0; start < stale.size(); start += kSvidBatchSize) {
    const size_t end = std::min(stale.size(), start + kSvidBatchSize);
    std::vector<crypto::EvpPkeyPtr> keys;
    std::vector<SvidRequest> requests;
    for (size_t i = start; i < end; ++i) {
      Result<crypto::EvpPkeyPtr> key = crypto::generateKey(config_.workload_key_type);
      if (!key) {
        return key.status();
      }
      Result<std::string> csr = makeCsrDer(**key);
      if (!csr) {
        return csr.status();
      }
      keys.push_back(std::move(*key));
      requests.push_back({stale[i].entry->entry_id, std::move(*csr)});
    }
    Result<std::vector<SvidResult>> results = client.batchNewX509Svid(requests);
    if (!results) {
      return results.status().withPrefix("failed to sign X509-SVIDs");
    }
    std::vector<cache::SignedSvid> signed_svids;
    for (size_t i = 0; i < results->size(); ++i) {
      const cache::StaleEntry& entry = stale[start + i];
      SvidResult& result = (*results)[i];
      if (!result.status.isOk()) {
        logger_->warn("Server did not sign X509-SVID entry_id={}: {}", entry.entry->entry_id,
                      result.status.message());
        continue;
      }
      Result<std::vector<crypto::X509Shared>> chain = chainFromDer(result.chain_der);
      if (!chain) {
        logger_->warn("Malformed X509-SVID entry_id={}: {}", entry.entry->entry_id,
                      chain.status().message());
        continue;
      }
      Result<x509::X509Svid> svid =
          x509::X509Svid::fromParts(std::move(*chain), std::move(keys[i]));
      if (!svid) {
        logger_->warn("Invalid X509-SVID entry_id={}: {}", entry.entry->entry_id,
                      svid.status().message());
        continue;
      }
      if (svid->id.toString() != entry.entry->spiffe_id) {
        logger_->warn("X509-SVID for entry_id={} has ID {} instead of {}", entry.entry->entry_id,
                      svid->id.toString(), entry.entry->spiffe_id);
        continue;
      }
      svid->hint = entry.entry->hint;
      signed_svids.push_back(
          {entry.entry->entry_id, entry.entry->revision_number, std::move(*svid)});
    }
    cache_.setSvids(std::move(signed_svids));
  }
  if (!stale.empty()) {
    pumpSubscribers();
  }
  return Status::ok();
}

void AgentManager::Impl::pumpSubscribers() {
  std::vector<std::shared_ptr<Subscriber>> subscribers;
  {
    std::lock_guard<std::mutex> lock(subs_mu_);
    subscribers = subscribers_;
  }
  for (const std::shared_ptr<Subscriber>& subscriber : subscribers) {
    std::lock_guard<std::mutex> lock(subscriber->mu);
    if (!subscriber->alive) {
      continue;
    }
    cache::WorkloadUpdatePtr latest;
    while (cache::WorkloadUpdatePtr update = subscriber->subscription.tryNext()) {
      latest = std::move(update);
    }
    if (latest == nullptr || (subscriber->last && latest->sameAs(*subscriber->last))) {
      continue;
    }
    subscriber->last = latest;
    subscriber->on_update(toSnapshot(*latest));
  }
}

void AgentManager::Impl::syncLoop() {
  const std::chrono::nanoseconds cap = syncBackoffCap(config_.sync_interval, config_.max_backoff);
  uint64_t failures = 0;
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    failures = sync_failures_;
  }
  std::unique_lock<std::mutex> lock(loop_mu_);
  auto next =
      std::chrono::steady_clock::now() + nextSyncDelay(config_.sync_interval, failures, cap);
  while (!stopping_) {
    loop_cv_.wait_until(lock, next, [this] { return stopping_ || sync_requested_; });
    if (stopping_) {
      break;
    }
    sync_requested_ = false;
    lock.unlock();
    const Status st = syncOnce();
    if (!st.isOk()) {
      logger_->warn("Synchronization failed: {}", st.message());
    }
    lock.lock();
    failures = st.isOk() ? 0 : failures + 1;
    next = std::chrono::steady_clock::now() + nextSyncDelay(config_.sync_interval, failures, cap);
  }
}

void AgentManager::Impl::watchLoop() {
  const std::chrono::nanoseconds base =
      std::min<std::chrono::nanoseconds>(config_.sync_interval, std::chrono::seconds(1));
  std::chrono::nanoseconds delay = base;
  while (true) {
    // Its own channel: reconnect attempts of the long-lived stream must not put the channel of
    // the syncs into gRPC's reconnect back-off.
    std::shared_ptr<const x509::X509Svid> svid;
    {
      std::lock_guard<std::mutex> lock(state_mu_);
      svid = agent_svid_;
    }
    Result<std::shared_ptr<grpc::Channel>> channel = makeServerChannel(target_, trust_, svid.get());
    if (!channel) {
      logger_->warn("Unable to create the entry change channel: {}", channel.status().message());
      return;
    }
    auto current = std::make_shared<ServerClient>(*channel, config_.rpc_timeout);
    grpc::ClientContext context;
    {
      std::lock_guard<std::mutex> lock(loop_mu_);
      if (stopping_) {
        return;
      }
      watch_context_ = &context;
    }
    auto reader = current->changes().WatchAuthorizedEntries(
        &context, spirecpp::server::changes::v1::WatchAuthorizedEntriesRequest());
    spirecpp::server::changes::v1::AuthorizedEntriesChanged message;
    bool received = false;
    while (reader->Read(&message)) {
      if (!received) {
        std::lock_guard<std::mutex> lock(state_mu_);
        watching_ = true;
      }
      received = true;
      requestSync();
    }
    const grpc::Status finished = reader->Finish();
    {
      std::lock_guard<std::mutex> lock(state_mu_);
      watching_ = false;
    }
    std::unique_lock<std::mutex> lock(loop_mu_);
    watch_context_ = nullptr;
    if (stopping_) {
      return;
    }
    if (finished.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      logger_->info("Server does not notify entry changes; polling every sync_interval");
      return;
    }
    delay = received ? base : std::min<std::chrono::nanoseconds>(delay * 2, kMaxWatchBackoff);
    loop_cv_.wait_for(lock, delay, [this] { return stopping_; });
  }
}

} // namespace spire::agent::manager
