#include "datastore/sql/pool.h"

#include <random>

namespace spire::datastore::sql {

Pool::Pool(Factory factory, int max_open, int max_idle, std::int64_t max_lifetime_ms)
    : factory_(std::move(factory)), max_open_(max_open < 1 ? 1 : max_open),
      max_idle_(max_idle < 0 ? 0 : max_idle), max_lifetime_ms_(max_lifetime_ms) {}

Pool::~Pool() = default;

bool Pool::expired(Clock::time_point born) const {
  return max_lifetime_ms_ > 0 && Clock::now() - born > std::chrono::milliseconds(max_lifetime_ms_);
}

Pool::Lease Pool::acquire() {
  std::unique_lock lock(mu_);
  for (;;) {
    while (!idle_.empty()) {
      Idle idle = std::move(idle_.front());
      idle_.pop_front();
      if (!expired(idle.born)) {
        return Lease(this, std::move(idle.conn), idle.born);
      }
      --open_;
      lock.unlock();
      idle.conn.reset(); // close outside the lock
      lock.lock();
    }
    if (open_ < max_open_) {
      ++open_;
      lock.unlock();
      try {
        ConnectionPtr conn = factory_();
        return Lease(this, std::move(conn), Clock::now());
      } catch (...) {
        lock.lock();
        --open_;
        cv_.notify_one();
        throw;
      }
    }
    cv_.wait(lock);
  }
}

void Pool::release(ConnectionPtr conn, Clock::time_point born) {
  std::unique_lock lock(mu_);
  if (conn->healthy() && !expired(born) && static_cast<int>(idle_.size()) < max_idle_) {
    idle_.push_back({std::move(conn), born});
    cv_.notify_one();
    return;
  }
  std::deque<Idle> stale;
  if (!conn->healthy()) {
    // A lost connection usually means the server restarted or dropped every session: the idle
    // ones are most likely dead too, so open fresh ones instead of failing on each in turn.
    stale.swap(idle_);
  }
  open_ -= 1 + static_cast<int>(stale.size());
  cv_.notify_all();
  lock.unlock();
  conn.reset(); // close outside the lock
  stale.clear();
}

void retryBackoff(int attempt) {
  thread_local std::minstd_rand rng(std::random_device{}());
  int base_ms = (attempt - 1) * 5;
  std::uniform_int_distribution<int> jitter(0, base_ms);
  std::this_thread::sleep_for(std::chrono::milliseconds(base_ms + jitter(rng)));
}

spire::plugin::Error mapDbError(const DbError& e) {
  switch (e.kind()) {
  case DbErrorKind::kUniqueViolation:
    return spire::plugin::Error(SPIRE_ALREADY_EXISTS, e.what());
  case DbErrorKind::kRetryable:
    return spire::plugin::Error(SPIRE_UNAVAILABLE, std::string("database busy: ") + e.what());
  case DbErrorKind::kUnavailable:
    return spire::plugin::Error(SPIRE_UNAVAILABLE, e.what());
  case DbErrorKind::kInDoubt:
    return spire::plugin::Error(SPIRE_UNAVAILABLE,
                                std::string("database connection lost during commit: ") + e.what());
  case DbErrorKind::kOther:
    break;
  }
  return spire::plugin::Error(SPIRE_INTERNAL, e.what());
}

} // namespace spire::datastore::sql
