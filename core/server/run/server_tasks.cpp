#include "server/run/server_tasks.h"

namespace spire::server::run {
namespace {

std::int64_t unixSeconds(api::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// Runs `prune`; when `count` fell across it, rebuilds the index.
template <class Count, class Prune>
Status pruneThenReload(Count&& count, Prune&& prune, const IndexReloader& reload) {
  auto before = count();
  if (!before.isOk()) {
    return before.status();
  }
  if (*before == 0) {
    return Status::ok();
  }
  Status pruned = prune();
  if (!pruned.isOk()) {
    return pruned;
  }
  auto after = count();
  if (!after.isOk()) {
    return after.status();
  }
  if (*after < *before && reload) {
    auto reloaded = reload();
    if (!reloaded.isOk()) {
      return reloaded.status();
    }
  }
  return Status::ok();
}

} // namespace

Status pruneExpiredEntries(const api::ServerState& state, const IndexReloader& reload) {
  const auto& ds = *state.datastore;
  const std::int64_t now = unixSeconds(state.now());
  return pruneThenReload([&] { return ds.countEntries(nullptr); },
                         [&] { return ds.pruneEntries(now); }, reload);
}

Status pruneExpiredNodes(const api::ServerState& state, const IndexReloader& reload) {
  if (!state.config.prune_attested_nodes_expired_for) {
    return Status::ok();
  }
  const auto& ds = *state.datastore;
  const std::int64_t before =
      unixSeconds(state.now() - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                    *state.config.prune_attested_nodes_expired_for));
  const bool tofu = state.config.prune_tofu_nodes;
  return pruneThenReload([&] { return ds.countAttestedNodes(nullptr); },
                         [&] { return ds.pruneAttestedExpiredNodes(before, tofu); }, reload);
}

Status pruneExpiredJoinTokens(const api::ServerState& state) {
  return state.datastore->pruneJoinTokens(unixSeconds(state.now()));
}

std::vector<PeriodicTask> serverTasks(api::ServerState& state, IndexReloader reload,
                                      std::uint32_t jitter_seed) {
  std::vector<PeriodicTask> tasks;
  api::ServerState* s = &state;
  tasks.push_back({"ca.rotate", kCaRotateInterval, [s] { return s->ca->rotate(); }});
  tasks.push_back({"ca.prune_bundle", kBundlePruneInterval, [s] { return s->ca->pruneBundle(); }});
  // The stored bundle also changes through the Bundle API and through the other servers of an HA
  // deployment (each adds its own CA): re-read it so this server trusts their agents' SVIDs.
  tasks.push_back(
      {"ca.reload_bundle", kBundleReloadInterval, [s] { return s->ca->reloadBundle(); }});
  tasks.push_back({"registration.prune_entries", kEntryPruneInterval,
                   [s, reload] { return pruneExpiredEntries(*s, reload); }});
  if (state.config.prune_attested_nodes_expired_for) {
    std::mt19937 rng(jitter_seed);
    std::uniform_int_distribution<std::int64_t> jitter(0, kNodePruneMaxJitter.count());
    PeriodicTask nodes{"node.prune_expired", kNodePruneInterval,
                       [s, reload] { return pruneExpiredNodes(*s, reload); }};
    nodes.first_delay = kNodePruneInterval + std::chrono::milliseconds(jitter(rng));
    tasks.push_back(std::move(nodes));
  }
  tasks.push_back(
      {"join_tokens.prune", kJoinTokenPruneInterval, [s] { return pruneExpiredJoinTokens(*s); }});
  const auto reload_every = std::chrono::duration_cast<std::chrono::milliseconds>(
      state.config.experimental.full_cache_reload_interval);
  if (reload && reload_every > std::chrono::milliseconds(0)) {
    tasks.push_back({"index.full_reload", reload_every, [reload] {
                       auto loaded = reload();
                       return loaded.isOk() ? Status::ok() : loaded.status();
                     }});
  }
  return tasks;
}

} // namespace spire::server::run
