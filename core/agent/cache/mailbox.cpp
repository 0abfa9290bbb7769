#include "agent/cache/mailbox.h"

#include <utility>

namespace spire::agent::cache {

void Mailbox::post(WorkloadUpdatePtr update) {
  WorkloadUpdatePtr replaced; // released outside the lock: it may be the last reference
  {
    std::lock_guard lock(mu_);
    if (closed_) {
      return;
    }
    replaced = std::exchange(unread_, std::move(update));
    ++posts_;
  }
  cv_.notify_all();
}

WorkloadUpdatePtr Mailbox::waitNext(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  cv_.wait_until(lock, deadline, [&] { return unread_ != nullptr || closed_; });
  return std::exchange(unread_, nullptr);
}

WorkloadUpdatePtr Mailbox::tryNext() {
  std::lock_guard lock(mu_);
  return std::exchange(unread_, nullptr);
}

void Mailbox::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

bool Mailbox::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

uint64_t Mailbox::postCount() const {
  std::lock_guard lock(mu_);
  return posts_;
}

} // namespace spire::agent::cache
