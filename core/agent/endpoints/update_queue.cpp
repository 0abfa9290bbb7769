#include "agent/endpoints/update_queue.h"

namespace spire::agent::endpoints {

void UpdateQueue::push(IdentitySnapshotPtr snapshot) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_ = std::move(snapshot);
  }
  changed_.notify_all();
}

void UpdateQueue::close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
  }
  changed_.notify_all();
}

IdentitySnapshotPtr UpdateQueue::next(grpc::ServerContext& context) {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (closed_ || context.IsCancelled()) {
      return nullptr;
    }
    if (pending_ != nullptr) {
      return std::exchange(pending_, nullptr);
    }
    changed_.wait_for(lock, kCancelPollInterval);
  }
}

} // namespace spire::agent::endpoints
