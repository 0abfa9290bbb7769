#include "agent/cache/subscription.h"

#include <utility>

#include "agent/cache/workload_cache.h"

namespace spire::agent::cache {

Subscription::Subscription(WorkloadCache* cache, uint64_t id, std::shared_ptr<Mailbox> mailbox,
                           std::vector<Selector> selectors)
    : cache_(cache), id_(id), mailbox_(std::move(mailbox)), selectors_(std::move(selectors)) {}

Subscription::Subscription(Subscription&& other) noexcept
    : cache_(std::exchange(other.cache_, nullptr)), id_(other.id_),
      mailbox_(std::move(other.mailbox_)), selectors_(std::move(other.selectors_)) {}

Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    close();
    cache_ = std::exchange(other.cache_, nullptr);
    id_ = other.id_;
    mailbox_ = std::move(other.mailbox_);
    selectors_ = std::move(other.selectors_);
  }
  return *this;
}

Subscription::~Subscription() {
  close();
}

WorkloadUpdatePtr Subscription::next(std::chrono::steady_clock::time_point deadline) {
  return mailbox_ ? mailbox_->waitNext(deadline) : nullptr;
}

WorkloadUpdatePtr Subscription::tryNext() {
  return mailbox_ ? mailbox_->tryNext() : nullptr;
}

void Subscription::close() {
  if (cache_ == nullptr) {
    return;
  }
  cache_->unsubscribe(id_, selectors_);
  cache_ = nullptr;
  if (mailbox_) {
    mailbox_->close();
  }
}

} // namespace spire::agent::cache
