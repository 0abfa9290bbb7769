#pragma once

// How long the agent waits before its next sync (SPIRE pkg/agent/manager: exponential back-off
// from sync_interval on errors, capped at min(8 min, 48 x sync_interval)).

#include <chrono>
#include <cstdint>

namespace spire::agent::manager {

inline constexpr std::chrono::minutes kMaxSyncBackoff{8};
inline constexpr int64_t kSyncBackoffIntervals = 48;

// The cap for `interval` unless `configured` is non-zero.
std::chrono::nanoseconds syncBackoffCap(std::chrono::nanoseconds interval,
                                        std::chrono::nanoseconds configured);

// After `failures` consecutive failed syncs (0: the last one succeeded): interval * 2^failures,
// at most `cap`.
std::chrono::nanoseconds nextSyncDelay(std::chrono::nanoseconds interval, uint64_t failures,
                                       std::chrono::nanoseconds cap);

} // namespace spire::agent::manager
