#include "server/registration/authorized_entries_index.h"

#include <algorithm>
#include <map>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace spire::server::registration {
namespace {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};
template <class V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// Length-prefixed, so that ("a:b", "c") and ("a", "b:c") differ whatever the bytes.
std::string selectorKey(const Selector& s) {
  std::string key = std::to_string(s.type.size());
  key += ':';
  key += s.type;
  key += s.value;
  return key;
}

std::vector<std::string> uniqueSelectorKeys(const std::vector<Selector>& selectors) {
  std::vector<std::string> keys;
  keys.reserve(selectors.size());
  for (const Selector& s : selectors) {
    keys.push_back(selectorKey(s));
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

// A node alias as the subset matcher sees it.
struct Alias {
  EntryPtr entry;
  std::size_t selector_count = 0; // distinct selectors
};
using AliasPtr = std::shared_ptr<const Alias>;

// Everything known about one parent ID: its children, and when they last changed. A node whose
// children are all gone is kept while it carries a change record (until the next rebuild).
struct ParentNode {
  // Ordered by entry ID; the key views the child's own entry_id, which lives as long as the
  // EntryPtr stored beside it.
  std::map<std::string_view, EntryPtr> children;
  std::uint64_t changed = 0;
};

} // namespace

struct AuthorizedEntriesIndex::State {
  // entry ID -> entry; the key views the entry's own entry_id (erase before replacing).
  std::unordered_map<std::string_view, EntryPtr, StringHash, std::equal_to<>> by_id;
  // parent ID -> node. One hash lookup per visited ID answers both "children?" and "changed
  // when?", and the node's address (stable in an unordered_map) is the walk's cycle-guard key.
  StringMap<ParentNode> parents;
  // agent ID -> distinct selector keys, sorted.
  StringMap<std::vector<std::string>> node_selectors;
  // Aliases by entry ID, and the inverted index selector key -> aliases having that selector, so a
  // lookup touches only the aliases sharing a selector with the agent.
  StringMap<AliasPtr> aliases;
  StringMap<std::vector<AliasPtr>> alias_postings;
  // Change records (see the class comment); parent records live in `parents`.
  StringMap<std::uint64_t> node_changed;
  std::uint64_t all_changed = 0;

  void markParent(const std::string& parent, std::uint64_t rev) { parents[parent].changed = rev; }

  void insert(EntryPtr e, const std::string& server_id) {
    parents[e->parent_id].children.emplace(std::string_view(e->entry_id), e);
    if (e->parent_id == server_id) {
      auto alias = std::make_shared<Alias>();
      alias->entry = e;
      const auto keys = uniqueSelectorKeys(e->selectors);
      alias->selector_count = keys.size();
      for (const std::string& key : keys) {
        alias_postings[key].push_back(alias);
      }
      aliases[e->entry_id] = std::move(alias);
    }
    const std::string_view id = e->entry_id;
    by_id.erase(id); // callers erase a replaced entry first; never keep a key into a dead entry
    by_id.emplace(id, std::move(e));
  }

  void erase(const EntryPtr& e, const std::string& server_id) {
    if (auto it = parents.find(e->parent_id); it != parents.end()) {
      it->second.children.erase(std::string_view(e->entry_id));
      if (it->second.children.empty() && it->second.changed == 0) {
        parents.erase(it);
      }
    }
    if (e->parent_id == server_id) {
      if (auto it = aliases.find(e->entry_id); it != aliases.end()) {
        for (const std::string& key : uniqueSelectorKeys(e->selectors)) {
          auto posting = alias_postings.find(key);
          if (posting == alias_postings.end()) {
            continue;
          }
          std::erase(posting->second, it->second);
          if (posting->second.empty()) {
            alias_postings.erase(posting);
          }
        }
        aliases.erase(it);
      }
    }
    by_id.erase(std::string_view(e->entry_id));
  }

  std::uint64_t lookup(const StringMap<std::uint64_t>& map, std::string_view key) const {
    auto it = map.find(key);
    return it == map.end() ? 0 : it->second;
  }
};

struct AuthorizedEntriesIndex::Subscription::Subscriber {
  std::mutex mutex;
  bool active = true; // guarded by mutex
  Callback callback;
};

struct AuthorizedEntriesIndex::Subscription::Registry {
  std::mutex mutex;
  std::vector<std::shared_ptr<Subscriber>> subscribers; // guarded by mutex
};

AuthorizedEntriesIndex::AuthorizedEntriesIndex(const spiffe::TrustDomain& td)
    : server_id_(td.idString() + "/spire/server"), state_(std::make_unique<State>()),
      registry_(std::make_shared<Subscription::Registry>()) {}

AuthorizedEntriesIndex::~AuthorizedEntriesIndex() = default;

std::uint64_t AuthorizedEntriesIndex::upsertEntry(Entry entry) {
  auto ptr = std::make_shared<const Entry>(std::move(entry));
  std::uint64_t rev = 0;
  {
    std::unique_lock lock(mutex_);
    rev = ++revision_;
    State& s = *state_;
    if (auto it = s.by_id.find(ptr->entry_id); it != s.by_id.end()) {
      EntryPtr old = it->second; // keep alive while erasing: map keys view its entry_id
      s.markParent(old->parent_id, rev);
      s.erase(old, server_id_);
    }
    s.markParent(ptr->parent_id, rev);
    s.insert(std::move(ptr), server_id_);
  }
  publish(rev);
  return rev;
}

std::uint64_t AuthorizedEntriesIndex::removeEntry(std::string_view entry_id) {
  std::uint64_t rev = 0;
  EntryPtr old;
  {
    std::unique_lock lock(mutex_);
    State& s = *state_;
    auto it = s.by_id.find(entry_id);
    if (it == s.by_id.end()) {
      return revision_;
    }
    rev = ++revision_;
    old = it->second;
    s.markParent(old->parent_id, rev);
    s.erase(old, server_id_);
  }
  publish(rev);
  return rev;
}

std::uint64_t AuthorizedEntriesIndex::setNodeSelectors(std::string_view agent_id,
                                                       std::vector<Selector> selectors) {
  auto keys = uniqueSelectorKeys(selectors);
  std::uint64_t rev = 0;
  {
    std::unique_lock lock(mutex_);
    rev = ++revision_;
    State& s = *state_;
    s.node_changed[std::string(agent_id)] = rev;
    s.node_selectors[std::string(agent_id)] = std::move(keys);
  }
  publish(rev);
  return rev;
}

std::uint64_t AuthorizedEntriesIndex::removeNode(std::string_view agent_id) {
  std::uint64_t rev = 0;
  {
    std::unique_lock lock(mutex_);
    State& s = *state_;
    auto it = s.node_selectors.find(agent_id);
    if (it == s.node_selectors.end()) {
      return revision_;
    }
    rev = ++revision_;
    s.node_changed[std::string(agent_id)] = rev;
    s.node_selectors.erase(it);
  }
  publish(rev);
  return rev;
}

std::uint64_t AuthorizedEntriesIndex::rebuild(std::vector<Entry> entries,
                                              std::vector<NodeSelectors> nodes) {
  // Built without the lock: readers keep using the old state meanwhile.
  auto fresh = std::make_unique<State>();
  fresh->by_id.reserve(entries.size());
  for (Entry& e : entries) {
    auto ptr = std::make_shared<const Entry>(std::move(e));
    if (auto it = fresh->by_id.find(ptr->entry_id); it != fresh->by_id.end()) {
      EntryPtr old = it->second; // a duplicate ID in the input: the last one wins
      fresh->erase(old, server_id_);
    }
    fresh->insert(std::move(ptr), server_id_);
  }
  fresh->node_selectors.reserve(nodes.size());
  for (NodeSelectors& n : nodes) {
    fresh->node_selectors[std::move(n.spiffe_id)] = uniqueSelectorKeys(n.selectors);
  }
  std::uint64_t rev = 0;
  {
    std::unique_lock lock(mutex_);
    rev = ++revision_;
    fresh->all_changed = rev;
    std::swap(state_, fresh);
  }
  fresh.reset(); // the old state is freed outside the lock
  publish(rev);
  return rev;
}

template <class Visit>
std::uint64_t AuthorizedEntriesIndex::walk(const State& s, std::string_view agent_id,
                                           Visit&& visit) const {
  std::uint64_t last = std::max({s.all_changed, s.lookup(s.node_changed, agent_id)});
  if (auto server = s.parents.find(server_id_); server != s.parents.end()) {
    last = std::max(last, server->second.changed); // any alias added, removed or changed
  }

  // Parent IDs to expand, in order: the agent, then its aliases' SPIFFE IDs.
  std::vector<std::string_view> queue;
  queue.push_back(agent_id);

  if (auto node = s.node_selectors.find(agent_id); node != s.node_selectors.end()) {
    // Subset match through the inverted index: an alias matches when every one of its distinct
    // selectors was hit by one of the agent's distinct selectors.
    std::unordered_map<const Alias*, std::size_t> hits;
    std::vector<const Alias*> matched;
    for (const std::string& key : node->second) {
      auto posting = s.alias_postings.find(key);
      if (posting == s.alias_postings.end()) {
        continue;
      }
      for (const AliasPtr& alias : posting->second) {
        if (++hits[alias.get()] == alias->selector_count) {
          matched.push_back(alias.get());
        }
      }
    }
    std::sort(matched.begin(), matched.end(), [](const Alias* a, const Alias* b) {
      return a->entry->entry_id < b->entry->entry_id;
    });
    for (const Alias* alias : matched) {
      queue.push_back(alias->entry->spiffe_id);
    }
  }

  // Breadth-first over parent IDs; `seen` is the cycle guard (and dedupes aliases sharing a
  // SPIFFE ID, or an alias whose SPIFFE ID is the agent's own). IDs without a node have neither
  // children nor a change record, so they are skipped with one lookup and never tracked.
  std::unordered_set<const ParentNode*> seen;
  for (std::size_t i = 0; i < queue.size(); ++i) {
    auto it = s.parents.find(queue[i]);
    if (it == s.parents.end()) {
      continue;
    }
    const ParentNode& node = it->second;
    if (!seen.insert(&node).second) {
      continue;
    }
    last = std::max(last, node.changed);
    for (const auto& [id, child] : node.children) {
      if (!visit(child)) {
        return last;
      }
      queue.push_back(child->spiffe_id);
    }
  }
  return last;
}

AuthorizedEntries AuthorizedEntriesIndex::authorizedEntries(std::string_view agent_id) const {
  AuthorizedEntries out;
  std::shared_lock lock(mutex_);
  out.revision = revision_;
  out.last_changed = walk(*state_, agent_id, [&out](const EntryPtr& e) {
    out.entries.push_back(e);
    return true;
  });
  return out;
}

bool AuthorizedEntriesIndex::changedSince(std::string_view agent_id, std::uint64_t revision) const {
  std::shared_lock lock(mutex_);
  return walk(*state_, agent_id, [](const EntryPtr&) { return true; }) > revision;
}

EntryPtr AuthorizedEntriesIndex::entry(std::string_view entry_id) const {
  std::shared_lock lock(mutex_);
  auto it = state_->by_id.find(entry_id);
  return it == state_->by_id.end() ? nullptr : it->second;
}

std::uint64_t AuthorizedEntriesIndex::nodeChangedRevision(std::string_view agent_id) const {
  std::shared_lock lock(mutex_);
  const State& s = *state_;
  return std::max(s.all_changed, s.lookup(s.node_changed, agent_id));
}

std::size_t AuthorizedEntriesIndex::entryCount() const {
  std::shared_lock lock(mutex_);
  return state_->by_id.size();
}

std::size_t AuthorizedEntriesIndex::nodeCount() const {
  std::shared_lock lock(mutex_);
  return state_->node_selectors.size();
}

std::size_t AuthorizedEntriesIndex::aliasCount() const {
  std::shared_lock lock(mutex_);
  return state_->aliases.size();
}

std::uint64_t AuthorizedEntriesIndex::revision() const {
  std::shared_lock lock(mutex_);
  return revision_;
}

void AuthorizedEntriesIndex::publish(std::uint64_t revision) {
  {
    std::lock_guard lock(wait_mutex_);
    published_ = std::max(published_, revision);
  }
  wait_cv_.notify_all();

  std::vector<std::shared_ptr<Subscription::Subscriber>> subscribers;
  {
    std::lock_guard lock(registry_->mutex);
    subscribers = registry_->subscribers;
  }
  for (const auto& sub : subscribers) {
    std::lock_guard lock(sub->mutex);
    if (sub->active) {
      sub->callback(revision);
    }
  }
}

std::uint64_t
AuthorizedEntriesIndex::waitForRevisionAfter(std::uint64_t revision,
                                             std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock lock(wait_mutex_);
  wait_cv_.wait_until(lock, deadline, [&] { return published_ > revision; });
  return published_;
}

AuthorizedEntriesIndex::Subscription AuthorizedEntriesIndex::subscribe(Callback callback) {
  auto sub = std::make_shared<Subscription::Subscriber>();
  sub->callback = std::move(callback);
  {
    std::lock_guard lock(registry_->mutex);
    registry_->subscribers.push_back(sub);
  }
  return Subscription(registry_, std::move(sub));
}

AuthorizedEntriesIndex::Subscription&
AuthorizedEntriesIndex::Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    reset();
    registry_ = std::move(other.registry_);
    subscriber_ = std::move(other.subscriber_);
  }
  return *this;
}

void AuthorizedEntriesIndex::Subscription::reset() {
  if (!subscriber_) {
    return;
  }
  {
    // Waits for a running callback to finish; afterwards it never runs again.
    std::lock_guard lock(subscriber_->mutex);
    subscriber_->active = false;
  }
  if (auto registry = registry_.lock()) {
    std::lock_guard lock(registry->mutex);
    std::erase(registry->subscribers, subscriber_);
  }
  subscriber_.reset();
  registry_.reset();
}

} // namespace spire::server::registration
