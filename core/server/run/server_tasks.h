#pragma once

// spire-server's periodic work with SPIRE's periods (inventory §8):
//   ca.rotate                every 10s   prepare/activate the next X.509 CA and JWT key
//   ca.prune_bundle          every 6h    drop bundle authorities expired more than 24h ago
//   registration.prune_entries every 5m  delete entries past their expires_at
//   node.prune_expired       hourly + up to 15m jitter, only with prune_attested_nodes_expired_for
//   join_tokens.prune        hourly      delete expired join tokens (SPIRE has no periodic caller;
//                                        expired tokens are refused anyway, this keeps the table
//                                        small)
//   index.full_reload        experimental.full_cache_reload_interval (24h): rebuild the
//                                        authorized-entries index from the datastore
// Pruning writes go to the datastore first; when they removed rows, the index is rebuilt from the
// datastore, so the index never shows what the database no longer holds.

#include <chrono>
#include <functional>
#include <random>
#include <vector>

#include "common/status.h"
#include "server/api/server_state.h"
#include "server/run/task_scheduler.h"

namespace spire::server::run {

using namespace std::chrono_literals;

inline constexpr std::chrono::milliseconds kCaRotateInterval = 10s;
inline constexpr std::chrono::milliseconds kBundlePruneInterval = 6h;
inline constexpr std::chrono::milliseconds kBundleReloadInterval = 5s;
inline constexpr std::chrono::milliseconds kEntryPruneInterval = 5min;
inline constexpr std::chrono::milliseconds kNodePruneInterval = 1h;
inline constexpr std::chrono::milliseconds kNodePruneMaxJitter = 15min;
inline constexpr std::chrono::milliseconds kJoinTokenPruneInterval = 1h;

// Rebuilds the index from the datastore (ServerBootstrap::reloadIndex); returns the entry count.
using IndexReloader = std::function<Result<std::size_t>()>;

// Deletes expired entries; reloads the index when the entry count dropped.
Status pruneExpiredEntries(const api::ServerState& state, const IndexReloader& reload);
// Deletes nodes whose SVID expired more than prune_attested_nodes_expired_for ago (banned nodes
// are kept by the datastore; TOFU nodes only with prune_tofu_nodes); reloads the index when the
// node count dropped. A no-op when the option is unset.
Status pruneExpiredNodes(const api::ServerState& state, const IndexReloader& reload);
// Deletes join tokens whose expiry has passed.
Status pruneExpiredJoinTokens(const api::ServerState& state);

// The tasks for `state` (which must have a CA and a datastore). `jitter_seed` draws the node
// pruner's first-run jitter.
std::vector<PeriodicTask> serverTasks(api::ServerState& state, IndexReloader reload,
                                      std::uint32_t jitter_seed = std::random_device{}());

} // namespace spire::server::run
