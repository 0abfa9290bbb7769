#pragma once

// A reader/writer lock that lets a waiting writer in before new readers.
//
// Why not std::shared_mutex: on glibc it is a pthread rwlock of the default kind, which prefers
// readers, so a steady stream of overlapping agent syncs could hold an entry write (and with it the
// "entry created -> agent has it" latency) back indefinitely. glibc's
// PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP kind queues new readers behind a waiting writer;
// readers still share the lock with each other. The price is that a thread must never take the
// read lock twice (a writer queued in between would deadlock it); the index never does.
//
// Meets the SharedMutex requirements used here (lock/unlock, lock_shared/unlock_shared), so
// std::unique_lock and std::shared_lock work with it.

#include <pthread.h>

#include <cassert>

namespace spire::server::registration {

class WriterPreferringRwLock {
public:
  WriterPreferringRwLock() {
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    [[maybe_unused]] const int rc = pthread_rwlock_init(&lock_, &attr);
    assert(rc == 0);
    pthread_rwlockattr_destroy(&attr);
  }
  ~WriterPreferringRwLock() { pthread_rwlock_destroy(&lock_); }
  WriterPreferringRwLock(const WriterPreferringRwLock&) = delete;
  WriterPreferringRwLock& operator=(const WriterPreferringRwLock&) = delete;

  void lock() { pthread_rwlock_wrlock(&lock_); }
  void unlock() { pthread_rwlock_unlock(&lock_); }
  void lock_shared() { pthread_rwlock_rdlock(&lock_); }   // NOLINT(readability-identifier-naming)
  void unlock_shared() { pthread_rwlock_unlock(&lock_); } // NOLINT(readability-identifier-naming)

private:
  pthread_rwlock_t lock_;
};

} // namespace spire::server::registration
