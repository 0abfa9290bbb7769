#pragma once

// A connection pool and the transaction runner every operation goes through.
//
// THREADS: acquire() and the lease destructor may be called from any thread. At most max_open
// connections exist; acquire() waits for one to come back when they are all leased. Idle
// connections beyond max_idle, older than max_lifetime, or broken are closed instead of reused.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <type_traits>

#include "datastore/sql/db.h"
#include "spire/plugin/cpp/error.hpp"

namespace spire::datastore::sql {

class Pool {
public:
  using Factory = std::function<ConnectionPtr()>;
  using Clock = std::chrono::steady_clock;

  Pool(Factory factory, int max_open, int max_idle, std::int64_t max_lifetime_ms);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  class Lease {
  public:
    Lease(Pool* pool, ConnectionPtr conn, Clock::time_point born)
        : pool_(pool), conn_(std::move(conn)), born_(born) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (conn_) {
        pool_->release(std::move(conn_), born_);
      }
    }
    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }

  private:
    Pool* pool_;
    ConnectionPtr conn_;
    Clock::time_point born_;
  };

  // Throws DbError(kUnavailable) when a new connection cannot be opened.
  Lease acquire();

private:
  struct Idle {
    ConnectionPtr conn;
    Clock::time_point born;
  };
  void release(ConnectionPtr conn, Clock::time_point born);
  bool expired(Clock::time_point born) const;

  Factory factory_;
  int max_open_;
  int max_idle_;
  std::int64_t max_lifetime_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Idle> idle_;
  int open_ = 0;
};

// The gRPC-style error for a database failure outside the store's own checks.
spire::plugin::Error mapDbError(const DbError& e);

inline constexpr int kMaxTransactionAttempts = 10; // busy / serialization failure / deadlock
inline constexpr int kMaxReconnectAttempts = 3;    // lost or refused connection

// Sleep before attempt `attempt` (2, 3, ...): grows linearly, with jitter so that two transactions
// that just deadlocked each other do not collide again in lockstep.
void retryBackoff(int attempt);

// Runs fn(Connection&) inside one transaction and commits. The whole transaction is rolled back
// and run again (bounded) on a busy / serialization failure / deadlock, and on a connection that
// was lost before COMMIT (the server rolled it back; the retry gets a fresh connection). A
// connection lost during COMMIT is not retried: the write is in doubt (UNAVAILABLE). fn must not
// have effects outside the database (results are returned, and emitted only after commit).
template <class Fn> auto inTransaction(Pool& pool, bool write, Fn&& fn) {
  using R = std::invoke_result_t<Fn&, Connection&>;
  int reconnects = 0;
  for (int attempt = 1;; ++attempt) {
    try {
      auto lease = pool.acquire();
      auto commit = [&] {
        try {
          lease->commit();
        } catch (const DbError& e) {
          if (e.kind() == DbErrorKind::kUnavailable) {
            throw DbError(DbErrorKind::kInDoubt, e.what());
          }
          throw;
        }
      };
      try {
        lease->begin(write);
        if constexpr (std::is_void_v<R>) {
          fn(*lease);
          commit();
          return;
        } else {
          R result = fn(*lease);
          commit();
          return result;
        }
      } catch (...) {
        lease->rollback();
        throw;
      }
    } catch (const DbError& e) {
      bool retry = (e.kind() == DbErrorKind::kRetryable && attempt < kMaxTransactionAttempts) ||
                   (e.kind() == DbErrorKind::kUnavailable && ++reconnects < kMaxReconnectAttempts);
      if (retry) {
        retryBackoff(attempt + 1);
        continue;
      }
      throw mapDbError(e);
    }
  }
}

} // namespace spire::datastore::sql
