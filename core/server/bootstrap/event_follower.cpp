#include "server/bootstrap/event_follower.h"

#include <spdlog/spdlog.h>

namespace spire::server::bootstrap {

EventFollower::EventFollower(const plugin_host::DataStorePlugin& datastore,
                             registration::AuthorizedEntriesIndex& index, Options options)
    : datastore_(datastore), index_(index), options_(options) {}

EventFollower::~EventFollower() {
  stop();
}

Status EventFollower::positionAtNewest() {
  auto entry_events = datastore_.listEntryEvents(0);
  auto node_events = datastore_.listNodeEvents(0);
  if (!entry_events.isOk() || !node_events.isOk()) {
    Status failed = entry_events.isOk() ? node_events.status() : entry_events.status();
    if (failed.code() == StatusCode::kUnimplemented) {
      enabled_ = false;
      return Status::ok();
    }
    return failed;
  }
  entries_ = Cursor{};
  nodes_ = Cursor{};
  if (!entry_events->empty()) {
    entries_.contiguous = entry_events->back().event_id;
  }
  if (!node_events->empty()) {
    nodes_.contiguous = node_events->back().event_id;
  }
  return Status::ok();
}

template <class List, class Apply>
Result<std::size_t> EventFollower::follow(Cursor& cursor, List&& list, Apply&& apply) {
  auto events = list(cursor.contiguous);
  if (!events.isOk()) {
    return events.status();
  }
  const auto now = std::chrono::steady_clock::now();
  std::size_t applied = 0;
  std::uint64_t expected = cursor.contiguous + 1;
  for (const plugin_host::DatastoreEvent& event : *events) {
    // IDs between the last one read and this one are not visible (yet): remember them.
    for (std::uint64_t missing = expected; missing < event.event_id; ++missing) {
      if (!cursor.seen_above.contains(missing)) {
        cursor.gaps.emplace(missing, now);
      }
    }
    expected = event.event_id + 1;
    if (cursor.seen_above.contains(event.event_id)) {
      continue;
    }
    Status status = apply(event.key);
    if (!status.isOk()) {
      return status; // retried from the same cursor on the next poll
    }
    cursor.gaps.erase(event.event_id);
    cursor.seen_above.insert(event.event_id);
    ++applied;
  }
  // Give up on gaps older than the timeout (a transaction that rolled back never fills one).
  for (auto it = cursor.gaps.begin(); it != cursor.gaps.end();) {
    if (now - it->second > options_.gap_timeout) {
      cursor.seen_above.insert(it->first);
      it = cursor.gaps.erase(it);
    } else {
      ++it;
    }
  }
  // Advance the cursor over the IDs now known; stop at the first open gap.
  while (!cursor.seen_above.empty() && *cursor.seen_above.begin() == cursor.contiguous + 1) {
    cursor.seen_above.erase(cursor.seen_above.begin());
    ++cursor.contiguous;
  }
  return applied;
}

Status EventFollower::applyEntry(const std::string& entry_id) {
  auto entry = datastore_.fetchEntry(entry_id);
  if (!entry.isOk()) {
    return entry.status();
  }
  if (entry->has_value()) {
    index_.upsertEntry(std::move(**entry));
  } else {
    index_.removeEntry(entry_id);
  }
  return Status::ok();
}

Status EventFollower::applyNode(const std::string& spiffe_id) {
  auto node = datastore_.fetchAttestedNode(spiffe_id);
  if (!node.isOk()) {
    return node.status();
  }
  if (!node->has_value()) {
    index_.removeNode(spiffe_id);
    return Status::ok();
  }
  auto selectors = datastore_.getNodeSelectors(spiffe_id);
  if (!selectors.isOk()) {
    return selectors.status();
  }
  index_.setNodeSelectors(spiffe_id, std::move(*selectors));
  return Status::ok();
}

Result<std::size_t> EventFollower::pollOnce() {
  if (!enabled_) {
    return std::size_t{0};
  }
  std::lock_guard poll(poll_mutex_);
  auto entries = follow(
      entries_, [this](std::uint64_t after) { return datastore_.listEntryEvents(after); },
      [this](const std::string& key) { return applyEntry(key); });
  if (!entries.isOk()) {
    return entries.status();
  }
  auto nodes = follow(
      nodes_, [this](std::uint64_t after) { return datastore_.listNodeEvents(after); },
      [this](const std::string& key) { return applyNode(key); });
  if (!nodes.isOk()) {
    return nodes.status();
  }
  return *entries + *nodes;
}

void EventFollower::start() {
  if (!enabled_ || thread_.joinable()) {
    return;
  }
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      auto polled = pollOnce();
      if (!polled.isOk()) {
        spdlog::warn("Failed to follow datastore events: {}", polled.status().message());
      }
      lock.lock();
      wake_.wait_for(lock, options_.poll_interval, [this] { return stopping_; });
    }
  });
}

void EventFollower::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

} // namespace spire::server::bootstrap
