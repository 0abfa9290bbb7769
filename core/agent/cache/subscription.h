#pragma once

// A workload's subscription to its identities: the first snapshot arrives as soon as every
// matching entry has an SVID, then a new one whenever any part of it changes. Move-only; ends
// (and leaves the cache) on destruction. The WorkloadCache must outlive its subscriptions.
// Owned by one consumer thread; the cache posts from its writer threads through the mailbox.

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "agent/cache/entry.h"
#include "agent/cache/mailbox.h"

namespace spire::agent::cache {

class WorkloadCache;

class Subscription {
public:
  Subscription() = default;
  Subscription(WorkloadCache* cache, uint64_t id, std::shared_ptr<Mailbox> mailbox,
               std::vector<Selector> selectors);
  Subscription(Subscription&& other) noexcept;
  Subscription& operator=(Subscription&& other) noexcept;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription();

  // The newest snapshot not yet read, waiting up to `deadline`; null on timeout or after
  // close(). Intermediate snapshots posted while the consumer was busy are skipped.
  WorkloadUpdatePtr next(std::chrono::steady_clock::time_point deadline);
  WorkloadUpdatePtr next(std::chrono::milliseconds timeout) {
    return next(std::chrono::steady_clock::now() + timeout);
  }
  WorkloadUpdatePtr tryNext();

  // Leaves the cache and wakes a waiting next(). Idempotent.
  void close();

  bool valid() const { return cache_ != nullptr; }
  uint64_t id() const { return id_; }
  const std::vector<Selector>& selectors() const { return selectors_; }
  uint64_t postCount() const { return mailbox_ ? mailbox_->postCount() : 0; }

private:
  WorkloadCache* cache_ = nullptr;
  uint64_t id_ = 0;
  std::shared_ptr<Mailbox> mailbox_;
  std::vector<Selector> selectors_;
};

} // namespace spire::agent::cache
