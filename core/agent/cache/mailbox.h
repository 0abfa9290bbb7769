#pragma once

// A latest-value mailbox between the cache (one writer) and a subscriber (one reader): posting
// replaces the unread value and never waits for the reader, so a slow workload stream cannot
// hold up a sync; the reader always gets the newest snapshot. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "agent/cache/workload_update.h"

namespace spire::agent::cache {

class Mailbox {
public:
  void post(WorkloadUpdatePtr update);
  // The unread value, waiting until one is posted, the mailbox closes, or `deadline` passes
  // (then null).
  WorkloadUpdatePtr waitNext(std::chrono::steady_clock::time_point deadline);
  // The unread value or null, without waiting.
  WorkloadUpdatePtr tryNext();
  // Wakes waiters; later posts are dropped.
  void close();
  bool closed() const;
  // How many values were posted (read or overwritten), for tests and metrics.
  uint64_t postCount() const;

private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  WorkloadUpdatePtr unread_;
  uint64_t posts_ = 0;
  bool closed_ = false;
};

} // namespace spire::agent::cache
