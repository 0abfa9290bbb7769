#include "agent/manager/sync_backoff.h"

#include <algorithm>

namespace spire::agent::manager {

std::chrono::nanoseconds syncBackoffCap(std::chrono::nanoseconds interval,
                                        std::chrono::nanoseconds configured) {
  if (configured > std::chrono::nanoseconds::zero()) {
    return configured;
  }
  return std::min<std::chrono::nanoseconds>(kMaxSyncBackoff, interval * kSyncBackoffIntervals);
}

std::chrono::nanoseconds nextSyncDelay(std::chrono::nanoseconds interval, uint64_t failures,
                                       std::chrono::nanoseconds cap) {
  std::chrono::nanoseconds delay = interval;
  for (uint64_t i = 0; i < failures && delay < cap; ++i) {
    delay *= 2;
  }
  return std::min(delay, std::max(cap, interval));
}

} // namespace spire::agent::manager
