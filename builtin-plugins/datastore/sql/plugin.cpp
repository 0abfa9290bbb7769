// DataStore "sql" as a plugin .so: the C ABI glue of spire_datastore_vtable over SqlStore. Each
// thunk runs one store operation (one transaction), then emits its results after the commit;
// exceptions become status codes at this boundary (cpp/boundary.hpp guard()).

#include <atomic>
#include <memory>
#include <mutex>

#include "datastore/sql/config.h"
#include "datastore/sql/sql_store.h"
#include "spire/plugin/cpp/boundary.hpp"
#include "spire/plugin/datastore.h"

namespace spire::datastore::sql {
namespace {

using spire::plugin::Error;
using spire::plugin::detail::guard;

constexpr const char* kVersion = "0.1.0";

struct Instance {
  const spire_host_api* api = nullptr;
  spire_host* host = nullptr;
  std::mutex mu;
  std::shared_ptr<SqlStore> store; // set by configure

  std::shared_ptr<SqlStore> current() {
    std::lock_guard lock(mu);
    if (!store) {
      throw Error(SPIRE_FAILED_PRECONDITION, "datastore is not configured");
    }
    return store;
  }
};

Instance* inst(spire_plugin* self) {
  return reinterpret_cast<Instance*>(self);
}

// Runs `fn(store, emit)` behind the exception boundary.
template <class Fn> spire_status run(spire_plugin* self, spire_call* call, Fn&& fn) {
  Instance* i = inst(self);
  return guard(i->api, call, [&] {
    auto store = i->current();
    fn(*store, Emitter{i->api, call});
  });
}

spire_status create(const spire_host_api* api, spire_host* host, spire_call* call,
                    spire_plugin** out) {
  return guard(api, call, [&] {
    if (api->datastore == nullptr) {
      throw Error(SPIRE_FAILED_PRECONDITION, "the host offers no DataStore emitters");
    }
    auto instance = std::make_unique<Instance>();
    instance->api = api;
    instance->host = host;
    *out = reinterpret_cast<spire_plugin*>(instance.release());
  });
}

void destroy(spire_plugin* self) {
  delete inst(self);
}

spire_status configure(spire_plugin* self, spire_call* call, const spire_core_config*,
                       spire_str json) {
  Instance* i = inst(self);
  return guard(i->api, call, [&] {
    Config config = parseConfig(std::string_view(json.ptr == nullptr ? "" : json.ptr, json.len));
    SqlLogger logger;
    if (config.log_sql) {
      logger = [api = i->api, host = i->host](std::string_view sql) {
        std::string message = "sql: " + std::string(sql);
        api->log(host, SPIRE_LOG_INFO, spire_str{message.data(), message.size()});
      };
    }
    static std::atomic<unsigned> counter{0};
    std::string memory_name = "spire-datastore-" + std::to_string(counter.fetch_add(1)) + "-" +
                              std::to_string(reinterpret_cast<std::uintptr_t>(i));
    std::shared_ptr<SqlStore> store =
        SqlStore::open(config, std::move(logger), memory_name, kVersion);
    std::lock_guard lock(i->mu);
    i->store = std::move(store);
  });
}

spire_status validate(spire_plugin* self, spire_call* call, const spire_core_config*,
                      spire_str json) {
  Instance* i = inst(self);
  return guard(i->api, call, [&] {
    parseConfig(std::string_view(json.ptr == nullptr ? "" : json.ptr, json.len));
  });
}

std::vector<std::int64_t> idsOf(const std::int64_t* ids, size_t n) {
  return n == 0 ? std::vector<std::int64_t>{} : std::vector<std::int64_t>(ids, ids + n);
}

// ---- Bundles ----
spire_status createBundle(spire_plugin* s, spire_call* c, const spire_bundle* b) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) { e.bundle(st.createBundle(bundleOf(b))); });
}
spire_status fetchBundle(spire_plugin* s, spire_call* c, spire_str td) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) {
    if (auto b = st.fetchBundle(str(td))) {
      e.bundle(*b);
    }
  });
}
spire_status listBundles(spire_plugin* s, spire_call* c, const spire_pagination* p) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) {
    auto page = st.listBundles(pageOf(p));
    for (const auto& b : page.items) {
      e.bundle(b);
    }
    if (!page.next_token.empty()) {
      e.pageToken(page.next_token);
    }
  });
}
spire_status countBundles(spire_plugin* s, spire_call* c) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) { e.integer(st.countBundles()); });
}
spire_status setBundle(spire_plugin* s, spire_call* c, const spire_bundle* b) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) { e.bundle(st.setBundle(bundleOf(b))); });
}
spire_status appendBundle(spire_plugin* s, spire_call* c, const spire_bundle* b) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) { e.bundle(st.appendBundle(bundleOf(b))); });
}
spire_status updateBundle(spire_plugin* s, spire_call* c, const spire_bundle* b, uint32_t mask) {
  return run(s, c,
             [&](SqlStore& st, const Emitter& e) { e.bundle(st.updateBundle(bundleOf(b), mask)); });
}
spire_status deleteBundle(spire_plugin* s, spire_call* c, spire_str td, spire_delete_mode mode) {
  return run(s, c, [&](SqlStore& st, const Emitter&) { st.deleteBundle(str(td), mode); });
}
spire_status pruneBundle(spire_plugin* s, spire_call* c, spire_str td, int64_t before) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) {
    e.integer(st.pruneBundle(str(td), before) ? 1 : 0);
  });
}
spire_status taintX509Ca(spire_plugin* s, spire_call* c, spire_str td, spire_str ski) {
  return run(s, c, [&](SqlStore& st, const Emitter&) { st.taintX509Ca(str(td), str(ski)); });
}
spire_status revokeX509Ca(spire_plugin* s, spire_call* c, spire_str td, spire_str ski) {
  return run(s, c, [&](SqlStore& st, const Emitter&) { st.revokeX509Ca(str(td), str(ski)); });
}
spire_status taintJwtKey(spire_plugin* s, spire_call* c, spire_str td, spire_str kid) {
  return run(s, c,
             [&](SqlStore& st, const Emitter& e) { e.jwtKey(st.taintJwtKey(str(td), str(kid))); });
}
spire_status revokeJwtKey(spire_plugin* s, spire_call* c, spire_str td, spire_str kid) {
  return run(s, c,
             [&](SqlStore& st, const Emitter& e) { e.jwtKey(st.revokeJwtKey(str(td), str(kid))); });
}

// ---- Entries ----
spire_status createEntry(spire_plugin* s, spire_call* c, const spire_entry* in) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) { e.entry(st.createEntry(entryOf(in))); });
}
spire_status createOrReturnEntry(spire_plugin* s, spire_call* c, const spire_entry* in) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) {
    auto [entry, existed] = st.createOrReturnEntry(entryOf(in));
    e.entry(entry);
    e.integer(existed ? 1 : 0);
  });
}
spire_status fetchEntry(spire_plugin* s, spire_call* c, spire_str id) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) {
    if (auto entry = st.fetchEntry(str(id))) {
      e.entry(*entry);
    }
  });
}
spire_status fetchEntries(spire_plugin* s, spire_call* c, const spire_str* ids, size_t n) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) {
    for (const auto& entry : st.fetchEntries(stringsOf(ids, n))) {
      e.entry(entry);
    }
  });
}
spire_status listEntries(spire_plugin* s, spire_call* c, const spire_entry_filter* f,
                         const spire_pagination* p) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) {
    auto page = st.listEntries(f, pageOf(p));
    for (const auto& entry : page.items) {
      e.entry(entry);
    }
    if (!page.next_token.empty()) {
      e.pageToken(page.next_token);
    }
  });
}
spire_status countEntries(spire_plugin* s, spire_call* c, const spire_entry_filter* f) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) { e.integer(st.countEntries(f)); });
}
spire_status updateEntry(spire_plugin* s, spire_call* c, const spire_entry* in, uint32_t mask) {
  return run(s, c,
             [&](SqlStore& st, const Emitter& e) { e.entry(st.updateEntry(entryOf(in), mask)); });
}
spire_status deleteEntry(spire_plugin* s, spire_call* c, spire_str id) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) { e.entry(st.deleteEntry(str(id))); });
}
spire_status pruneEntries(spire_plugin* s, spire_call* c, int64_t before) {
  return run(s, c, [&](SqlStore& st, const Emitter&) { st.pruneEntries(before); });
}

// ---- Attested nodes and selectors ----
spire_status createNode(spire_plugin* s, spire_call* c, const spire_attested_node* n) {
  return run(s, c,
             [&](SqlStore& st, const Emitter& e) { e.node(st.createNode(nodeOf(n)), false); });
}
spire_status fetchNode(spire_plugin* s, spire_call* c, spire_str id) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) {
    if (auto n = st.fetchNode(str(id))) {
      e.node(*n, false);
    }
  });
}
spire_status listNodes(spire_plugin* s, spire_call* c, const spire_node_filter* f,
                       const spire_pagination* p) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) {
    auto page = st.listNodes(f, pageOf(p));
    bool with_selectors = f != nullptr && f->fetch_selectors;
    for (const auto& n : page.items) {
      e.node(n, with_selectors);
    }
    if (!page.next_token.empty()) {
      e.pageToken(page.next_token);
    }
  });
}
spire_status countNodes(spire_plugin* s, spire_call* c, const spire_node_filter* f) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) { e.integer(st.countNodes(f)); });
}
spire_status updateNode(spire_plugin* s, spire_call* c, const spire_attested_node* n,
                        uint32_t mask) {
  return run(
      s, c, [&](SqlStore& st, const Emitter& e) { e.node(st.updateNode(nodeOf(n), mask), false); });
}
spire_status deleteNode(spire_plugin* s, spire_call* c, spire_str id) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) { e.node(st.deleteNode(str(id)), false); });
}
spire_status pruneNodes(spire_plugin* s, spire_call* c, int64_t before, bool include) {
  return run(s, c, [&](SqlStore& st, const Emitter&) { st.pruneNodes(before, include); });
}
spire_status getNodeSelectors(spire_plugin* s, spire_call* c, spire_str id) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) {
    std::string spiffe_id = str(id);
    e.nodeSelectors(spiffe_id, st.getNodeSelectors(spiffe_id));
  });
}
spire_status listNodeSelectors(spire_plugin* s, spire_call* c, int64_t valid_at) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) {
    for (const auto& [id, selectors] : st.listNodeSelectors(valid_at)) {
      e.nodeSelectors(id, selectors);
    }
  });
}
spire_status setNodeSelectors(spire_plugin* s, spire_call* c, spire_str id,
                              const spire_selector* sel, size_t n) {
  return run(s, c, [&](SqlStore& st, const Emitter&) {
    st.setNodeSelectors(str(id), selectorsOf(sel, n));
  });
}

// ---- Join tokens ----
spire_status createJoinToken(spire_plugin* s, spire_call* c, const spire_join_token* t) {
  return run(s, c, [&](SqlStore& st, const Emitter&) {
    if (t == nullptr) {
      throw Error(SPIRE_INVALID_ARGUMENT, "missing join token");
    }
    st.createJoinToken(JoinToken{str(t->token), t->expires_at});
  });
}
spire_status fetchJoinToken(spire_plugin* s, spire_call* c, spire_str token) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) {
    if (auto t = st.fetchJoinToken(str(token))) {
      e.joinToken(*t);
    }
  });
}
spire_status deleteJoinToken(spire_plugin* s, spire_call* c, spire_str token) {
  return run(s, c, [&](SqlStore& st, const Emitter&) { st.deleteJoinToken(str(token)); });
}
spire_status consumeJoinToken(spire_plugin* s, spire_call* c, spire_str token) {
  return run(s, c,
             [&](SqlStore& st, const Emitter& e) { e.joinToken(st.consumeJoinToken(str(token))); });
}
spire_status pruneJoinTokens(spire_plugin* s, spire_call* c, int64_t before) {
  return run(s, c, [&](SqlStore& st, const Emitter&) { st.pruneJoinTokens(before); });
}

// ---- Federation relationships ----
spire_status createRelationship(spire_plugin* s, spire_call* c,
                                const spire_federation_relationship* r) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) {
    e.relationship(st.createRelationship(relationshipOf(r)));
  });
}
spire_status fetchRelationship(spire_plugin* s, spire_call* c, spire_str td) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) {
    if (auto r = st.fetchRelationship(str(td))) {
      e.relationship(*r);
    }
  });
}
spire_status listRelationships(spire_plugin* s, spire_call* c, const spire_pagination* p) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) {
    auto page = st.listRelationships(pageOf(p));
    for (const auto& r : page.items) {
      e.relationship(r);
    }
    if (!page.next_token.empty()) {
      e.pageToken(page.next_token);
    }
  });
}
spire_status updateRelationship(spire_plugin* s, spire_call* c,
                                const spire_federation_relationship* r, uint32_t mask) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) {
    e.relationship(st.updateRelationship(relationshipOf(r), mask));
  });
}
spire_status deleteRelationship(spire_plugin* s, spire_call* c, spire_str td) {
  return run(s, c, [&](SqlStore& st, const Emitter&) { st.deleteRelationship(str(td)); });
}

// ---- CA journals ----
spire_status setCaJournal(spire_plugin* s, spire_call* c, const spire_ca_journal* j) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) {
    if (j == nullptr || j->struct_size < sizeof(spire_ca_journal)) {
      throw Error(SPIRE_INVALID_ARGUMENT, "missing CA journal");
    }
    CaJournal in{j->id, Bytes(j->data.ptr, j->data.ptr + j->data.len),
                 str(j->active_x509_authority_id), str(j->active_jwt_authority_id)};
    e.journal(st.setCaJournal(in));
  });
}
spire_status fetchCaJournal(spire_plugin* s, spire_call* c, spire_str id) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) {
    if (auto j = st.fetchCaJournal(str(id))) {
      e.journal(*j);
    }
  });
}
spire_status deleteCaJournals(spire_plugin* s, spire_call* c, const int64_t* ids, size_t n) {
  return run(s, c, [&](SqlStore& st, const Emitter&) { st.deleteCaJournals(idsOf(ids, n)); });
}
spire_status listCaJournals(spire_plugin* s, spire_call* c) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) {
    for (const auto& j : st.listCaJournals()) {
      e.journal(j);
    }
  });
}

// ---- Events ----
spire_status listEntryEvents(spire_plugin* s, spire_call* c, uint64_t after) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) {
    for (const auto& ev : st.listEntryEvents(after)) {
      e.event(ev);
    }
  });
}
spire_status pruneEntryEvents(spire_plugin* s, spire_call* c, int64_t before) {
  return run(s, c, [&](SqlStore& st, const Emitter&) { st.pruneEntryEvents(before); });
}
spire_status listNodeEvents(spire_plugin* s, spire_call* c, uint64_t after) {
  return run(s, c, [&](SqlStore& st, const Emitter& e) {
    for (const auto& ev : st.listNodeEvents(after)) {
      e.event(ev);
    }
  });
}
spire_status pruneNodeEvents(spire_plugin* s, spire_call* c, int64_t before) {
  return run(s, c, [&](SqlStore& st, const Emitter&) { st.pruneNodeEvents(before); });
}

const spire_datastore_vtable kVtable = {
    sizeof(spire_datastore_vtable),
    createBundle,
    fetchBundle,
    listBundles,
    countBundles,
    setBundle,
    appendBundle,
    updateBundle,
    deleteBundle,
    pruneBundle,
    taintX509Ca,
    revokeX509Ca,
    taintJwtKey,
    revokeJwtKey,
    createEntry,
    createOrReturnEntry,
    fetchEntry,
    fetchEntries,
    listEntries,
    countEntries,
    updateEntry,
    deleteEntry,
    pruneEntries,
    createNode,
    fetchNode,
    listNodes,
    countNodes,
    updateNode,
    deleteNode,
    pruneNodes,
    getNodeSelectors,
    listNodeSelectors,
    setNodeSelectors,
    createJoinToken,
    fetchJoinToken,
    deleteJoinToken,
    consumeJoinToken,
    pruneJoinTokens,
    createRelationship,
    fetchRelationship,
    listRelationships,
    updateRelationship,
    deleteRelationship,
    setCaJournal,
    fetchCaJournal,
    deleteCaJournals,
    listCaJournals,
    listEntryEvents,
    pruneEntryEvents,
    listNodeEvents,
    pruneNodeEvents,
};

const spire_plugin_descriptor kDescriptor = {
    sizeof(spire_plugin_descriptor),
    SPIRE_PLUGIN_ABI_VERSION,
    SPIRE_PLUGIN_TYPE_DATASTORE,
    0,
    "sql",
    kVersion,
    "SQL DataStore (SQLite; schema version 25)",
    create,
    destroy,
    configure,
    validate,
    &kVtable,
    sizeof(kVtable),
};

} // namespace
} // namespace spire::datastore::sql

extern "C" SPIRE_PLUGIN_EXPORT uint32_t spire_plugin_entry(
    const spire_plugin_query* query, const spire_plugin_descriptor** out_descriptor) {
  *out_descriptor = &spire::datastore::sql::kDescriptor;
  if (query == nullptr) {
    return SPIRE_PLUGIN_ABI_VERSION;
  }
  return SPIRE_PLUGIN_ABI_VERSION;
}
