#pragma once
// Keeps the AuthorizedEntriesIndex coherent with writes made by OTHER servers sharing the
// database (HA), by following the datastore's entry and node event tables, as SPIRE's
// events-based cache does. A server's own writes reach its index directly; their events come back
// here too and are re-applied, which is harmless (an upsert of the same record).
//
// Event IDs are assigned at insert but become visible at commit, so on PostgreSQL/MySQL a lower
// ID can appear after a higher one was read. The follower therefore keeps a cursor at the last
// ID below which nothing is missing, remembers the gaps above it, and re-reads from the cursor
// until each gap is filled or older than `gap_timeout` (SPIRE's event_timeout, 15 min).
//
// THREADS: pollOnce() from one thread at a time (start() runs it on its own thread).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "common/status.h"
#include "plugin_host/datastore.h"
#include "server/registration/authorized_entries_index.h"

namespace spire::server::bootstrap {

class EventFollower {
public:
  struct Options {
    std::chrono::milliseconds poll_interval{200};
    std::chrono::seconds gap_timeout{15 * 60};
  };

  EventFollower(const plugin_host::DataStorePlugin& datastore,
                registration::AuthorizedEntriesIndex& index, Options options);
  ~EventFollower();

  // Positions both cursors at the newest existing events: call BEFORE reading the snapshot the
  // index is built from, so that every write after the snapshot is applied again. UNIMPLEMENTED
  // from a datastore without events disables following (not an error for a single server).
  Status positionAtNewest();
  // Reads and applies new events once. Returns the number of events applied.
  Result<std::size_t> pollOnce();

  void start();
  void stop();

  // Holds off polling while the caller rebuilds the index from a fresh snapshot, so no event is
  // applied between the snapshot read and the swap (it would be overwritten); events after the
  // cursor are applied again once the lock is released.
  [[nodiscard]] std::unique_lock<std::mutex> pause() { return std::unique_lock(poll_mutex_); }

  bool enabled() const { return enabled_; }

private:
  // One event stream (entries or nodes).
  struct Cursor {
    std::uint64_t contiguous = 0;       // every ID <= this was seen or given up
    std::set<std::uint64_t> seen_above; // IDs > contiguous already applied
    std::map<std::uint64_t, std::chrono::steady_clock::time_point> gaps; // missing IDs
  };
  template <class List, class Apply>
  Result<std::size_t> follow(Cursor& cursor, List&& list, Apply&& apply);
  Status applyEntry(const std::string& entry_id);
  Status applyNode(const std::string& spiffe_id);

  const plugin_host::DataStorePlugin& datastore_;
  registration::AuthorizedEntriesIndex& index_;
  Options options_;
  bool enabled_ = true;
  Cursor entries_;
  Cursor nodes_;

  std::mutex poll_mutex_; // held by pollOnce() and pause()
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace spire::server::bootstrap
