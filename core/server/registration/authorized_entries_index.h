#pragma once

// The in-memory index that answers "which entries is this agent authorized for?" without touching
// the database (spire-inventory.md §7.2; SPIRE's pkg/server/authorizedentries/cache.go).
//
// An agent is authorized for every descendant of its own SPIFFE ID and of the SPIFFE ID of every
// node alias it belongs to. A node alias is an entry whose parent is spiffe://<td>/spire/server; an
// agent belongs to it when the alias's selectors are a subset of the agent's node selectors.
// "Descendant" is recursive: the children of an entry are the entries whose parent ID is its
// SPIFFE ID. A cycle guard visits every parent ID once, so every entry appears at most once.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "plugin_host/datastore_results.h"
#include "server/registration/writer_preferring_rw_lock.h"
#include "spiffe/trust_domain.h"

namespace spire::server::registration {

using plugin_host::Entry;
using plugin_host::NodeSelectors;
using plugin_host::Selector;
using EntryPtr = std::shared_ptr<const Entry>;

struct AuthorizedEntries {
  // The index revision this answer was computed at.
  std::uint64_t revision = 0;
  // The latest revision at which this agent's authorized set may have changed (see
  // AuthorizedEntriesIndex, "Per-agent change detection"). An agent that last synced at revision R
  // needs a new sync iff last_changed > R.
  std::uint64_t last_changed = 0;
  // Breadth-first from the agent ID, then from each matching alias (ordered by alias entry ID);
  // children of one parent ordered by entry ID. Entries are immutable and shared with the index.
  std::vector<EntryPtr> entries;
};

// THREADS: any number of reader threads (authorizedEntries, changedSince, entry, counts, revision,
// waitForRevisionAfter) and any number of writer threads (upsertEntry, removeEntry,
// setNodeSelectors, removeNode, rebuild) may call concurrently.
//
// Locking choice: one reader/writer lock over the whole state (WriterPreferringRwLock: a waiting
// writer goes before new readers, so a storm of syncs cannot starve entry writes). Readers take it
// shared, so they never block each other; writers take it exclusive, and every write is applied
// completely inside one exclusive section, so a reader sees either none or all of an update. Writes
// are O(changed entry) (no copy of the whole index, which a copy-on-write snapshot of 100k entries
// would cost), and rebuild() builds the new state outside the lock and only swaps it in under the
// lock, so a full reload blocks readers for a pointer swap, not for the build. Entries are handed
// out as shared_ptr<const Entry>, so a reader's result stays valid after the lock is released.
//
// Change notification: every write bumps revision() (after the state is updated), then wakes
// waitForRevisionAfter() waiters and runs subscribe() callbacks on the writer's thread, outside the
// state lock.
//
// Per-agent change detection (an approximation, never a false "unchanged"): the index records, per
// parent ID, the last revision that added, removed or replaced one of its children; per agent, the
// last revision that set or removed its node selectors; and the revision of the last rebuild. An
// agent's last_changed is the maximum of those over what its walk visits: its own node record, the
// server ID (any alias added, removed or changed), and every parent ID it reaches. A change under a
// parent the agent reaches, or to any alias, therefore reports "changed" even when the agent's
// resulting set happens to be equal (e.g. an entry rewritten with identical fields, or an alias the
// agent does not match); a change the agent cannot reach never does. Records of removed parents
// and nodes are kept (a few bytes each) until the next rebuild().
class AuthorizedEntriesIndex {
public:
  explicit AuthorizedEntriesIndex(const spiffe::TrustDomain& td);
  ~AuthorizedEntriesIndex();
  AuthorizedEntriesIndex(const AuthorizedEntriesIndex&) = delete;
  AuthorizedEntriesIndex& operator=(const AuthorizedEntriesIndex&) = delete;

  // spiffe://<td>/spire/server: entries with this parent are node aliases.
  const std::string& serverId() const { return server_id_; }

  // --- writers; each returns the revision after the write
  // ----------------------------------------- Inserts or replaces (by entry_id) one entry.
  std::uint64_t upsertEntry(Entry entry);
  // Removes the entry; an unknown ID changes nothing and returns the current revision.
  std::uint64_t removeEntry(std::string_view entry_id);
  // Sets (replaces) an agent's node selectors.
  std::uint64_t setNodeSelectors(std::string_view agent_id, std::vector<Selector> selectors);
  // Forgets an agent's node selectors (evicted or deleted node); unknown agents change nothing.
  std::uint64_t removeNode(std::string_view agent_id);
  // Replaces everything (the initial load and the periodic full reload). The lists are a picture
  // of the database taken before this call: a write applied to the index after that picture was
  // read and before this call returns is replaced by the picture, so the caller re-applies the
  // change events newer than its read (as SPIRE's events-based cache does after a full reload).
  std::uint64_t rebuild(std::vector<Entry> entries, std::vector<NodeSelectors> nodes);

  // --- readers
  // ------------------------------------------------------------------------------------
  AuthorizedEntries authorizedEntries(std::string_view agent_id) const;
  // Same walk without collecting: true if the agent's set may have changed after `revision`.
  bool changedSince(std::string_view agent_id, std::uint64_t revision) const;
  // One entry by ID, or null.
  EntryPtr entry(std::string_view entry_id) const;
  // The last revision that set or removed this agent's node selectors, or rebuilt the index (0
  // if none): caches of an agent's attested-node record stay valid while it is unchanged. Node
  // writes of this server and of other servers (through datastore events) all pass here.
  std::uint64_t nodeChangedRevision(std::string_view agent_id) const;
  std::size_t entryCount() const;
  std::size_t nodeCount() const;
  std::size_t aliasCount() const;
  std::uint64_t revision() const;

  // --- change notification
  // ------------------------------------------------------------------------ Blocks until
  // revision() > `revision` or `deadline` passes; returns revision() at wake-up (so the caller
  // tells a timeout by result <= revision).
  std::uint64_t waitForRevisionAfter(std::uint64_t revision,
                                     std::chrono::steady_clock::time_point deadline) const;

  // Called with the new revision after every write, on the writing thread, outside the state lock
  // (so it may read the index, but should be quick: it delays the writer). Two writers may deliver
  // revisions out of order; treat the argument as "at least this revision exists".
  using Callback = std::function<void(std::uint64_t revision)>;

  // RAII handle: destroying or reset()ting it unsubscribes; after reset() returns, the callback is
  // not running and will not run again. It must not be reset from inside its own callback. It may
  // outlive the index.
  class Subscription {
  public:
    Subscription() = default;
    Subscription(Subscription&&) noexcept = default;
    Subscription& operator=(Subscription&& other) noexcept;
    ~Subscription() { reset(); }
    void reset();
    bool active() const { return subscriber_ != nullptr; }

  private:
    friend class AuthorizedEntriesIndex;
    struct Subscriber;
    struct Registry;
    Subscription(std::weak_ptr<Registry> registry, std::shared_ptr<Subscriber> subscriber)
        : registry_(std::move(registry)), subscriber_(std::move(subscriber)) {}
    std::weak_ptr<Registry> registry_;
    std::shared_ptr<Subscriber> subscriber_;
  };
  [[nodiscard]] Subscription subscribe(Callback callback);

private:
  struct State;
  template <class Visit>
  std::uint64_t walk(const State& state, std::string_view agent_id, Visit&& visit) const;
  // Bumps the revision and publishes it to waiters and subscribers; call without state lock held.
  void publish(std::uint64_t revision);

  const std::string server_id_;

  mutable WriterPreferringRwLock mutex_;
  std::unique_ptr<State> state_; // guarded by mutex_
  std::uint64_t revision_ = 0;   // guarded by mutex_ (written under exclusive lock)

  mutable std::mutex wait_mutex_;
  mutable std::condition_variable wait_cv_;
  std::uint64_t published_ = 0; // guarded by wait_mutex_

  std::shared_ptr<Subscription::Registry> registry_;
};

} // namespace spire::server::registration
