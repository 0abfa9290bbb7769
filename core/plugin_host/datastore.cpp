#include "plugin_host/datastore.h"

namespace spire::plugin_host {
namespace {

using VT = spire_datastore_vtable;

spire_str view(const std::string& s) {
  return spire_str{s.c_str(), s.size()};
}

Status internal(const std::string& what) {
  return Status(StatusCode::kInternal, what);
}

template <class T>
Result<T> exactlyOne(std::vector<T>& items, const std::string& prefix, const char* what) {
  if (items.size() != 1) {
    return internal(prefix + ": plugin returned " + std::to_string(items.size()) + " " + what +
                    ", expected 1");
  }
  return std::move(items.front());
}

template <class T> std::optional<T> atMostOne(std::vector<T>& items) {
  if (items.empty()) {
    return std::nullopt;
  }
  return std::move(items.front());
}

Result<std::int64_t> oneInt(const DatastoreResults& r, const std::string& prefix) {
  if (r.ints.size() != 1) {
    return internal(prefix + ": plugin returned " + std::to_string(r.ints.size()) +
                    " integers, expected 1");
  }
  return r.ints.front();
}

spire_pagination pageView(const Pagination& page) {
  spire_pagination out{};
  out.struct_size = sizeof(out);
  out.token = view(page.token);
  out.page_size = page.page_size;
  return out;
}

spire_tristate tristate(const std::optional<bool>& v) {
  if (!v) {
    return SPIRE_ANY;
  }
  return *v ? SPIRE_TRUE : SPIRE_FALSE;
}

spire_entry_filter entryFilterView(const EntryFilter& f, ViewArena& arena) {
  spire_entry_filter out{};
  out.struct_size = sizeof(out);
  out.has_parent_id = f.parent_id.has_value();
  out.parent_id = f.parent_id ? arena.str(*f.parent_id) : spire_str{};
  out.has_spiffe_id = f.spiffe_id.has_value();
  out.spiffe_id = f.spiffe_id ? arena.str(*f.spiffe_id) : spire_str{};
  out.has_selectors = f.selectors.has_value();
  if (f.selectors) {
    out.selectors = arena.selectors(*f.selectors);
    out.selectors_len = f.selectors->size();
  }
  out.selectors_match = f.selectors_match;
  out.has_federates_with = f.federates_with.has_value();
  if (f.federates_with) {
    out.federates_with = arena.strs(*f.federates_with);
    out.federates_with_len = f.federates_with->size();
  }
  out.federates_with_match = f.federates_with_match;
  out.has_hint = f.hint.has_value();
  out.hint = f.hint ? arena.str(*f.hint) : spire_str{};
  out.downstream = tristate(f.downstream);
  return out;
}

spire_node_filter nodeFilterView(const NodeFilter& f, ViewArena& arena) {
  spire_node_filter out{};
  out.struct_size = sizeof(out);
  out.expires_before = f.expires_before;
  out.has_attestation_type = f.attestation_type.has_value();
  out.attestation_type = f.attestation_type ? arena.str(*f.attestation_type) : spire_str{};
  out.banned = tristate(f.banned);
  out.can_reattest = tristate(f.can_reattest);
  out.has_selectors = f.selectors.has_value();
  if (f.selectors) {
    out.selectors = arena.selectors(*f.selectors);
    out.selectors_len = f.selectors->size();
  }
  out.selectors_match = f.selectors_match;
  out.fetch_selectors = f.fetch_selectors;
  return out;
}

template <class T> Page<T> pageOf(std::vector<T>& items, DatastoreResults& r) {
  return Page<T>{std::move(items), r.page_token.value_or("")};
}

} // namespace

#define SPIRE_DS_RUN(method, ...)                                                                  \
  run(#method, [&](const VT& vt, spire_plugin* self, spire_call* call) {                           \
    return vt.method(self, call, ##__VA_ARGS__);                                                   \
  })

// ---- Bundles ----

Result<Bundle> DataStorePlugin::createBundle(const Bundle& bundle) const {
  ViewArena arena;
  auto r = SPIRE_DS_RUN(create_bundle, arena.bundle(bundle));
  if (!r.isOk()) {
    return r.status();
  }
  return exactlyOne(r->bundles, plugin_->prefix(), "bundles");
}

Result<std::optional<Bundle>> DataStorePlugin::fetchBundle(const std::string& td) const {
  auto r = SPIRE_DS_RUN(fetch_bundle, view(td));
  if (!r.isOk()) {
    return r.status();
  }
  return atMostOne(r->bundles);
}

Result<Page<Bundle>> DataStorePlugin::listBundles(const Pagination& page) const {
  spire_pagination p = pageView(page);
  auto r = SPIRE_DS_RUN(list_bundles, &p);
  if (!r.isOk()) {
    return r.status();
  }
  return pageOf(r->bundles, *r);
}

Result<std::int64_t> DataStorePlugin::countBundles() const {
  auto r = SPIRE_DS_RUN(count_bundles);
  if (!r.isOk()) {
    return r.status();
  }
  return oneInt(*r, plugin_->prefix());
}

Result<Bundle> DataStorePlugin::setBundle(const Bundle& bundle) const {
  ViewArena arena;
  auto r = SPIRE_DS_RUN(set_bundle, arena.bundle(bundle));
  if (!r.isOk()) {
    return r.status();
  }
  return exactlyOne(r->bundles, plugin_->prefix(), "bundles");
}

Result<Bundle> DataStorePlugin::appendBundle(const Bundle& bundle) const {
  ViewArena arena;
  auto r = SPIRE_DS_RUN(append_bundle, arena.bundle(bundle));
  if (!r.isOk()) {
    return r.status();
  }
  return exactlyOne(r->bundles, plugin_->prefix(), "bundles");
}

Result<Bundle> DataStorePlugin::updateBundle(const Bundle& bundle, std::uint32_t mask) const {
  ViewArena arena;
  auto r = SPIRE_DS_RUN(update_bundle, arena.bundle(bundle), mask);
  if (!r.isOk()) {
    return r.status();
  }
  return exactlyOne(r->bundles, plugin_->prefix(), "bundles");
}

Status DataStorePlugin::deleteBundle(const std::string& td, spire_delete_mode mode) const {
  return SPIRE_DS_RUN(delete_bundle, view(td), mode).status();
}

Result<bool> DataStorePlugin::pruneBundle(const std::string& td, std::int64_t before) const {
  auto r = SPIRE_DS_RUN(prune_bundle, view(td), before);
  if (!r.isOk()) {
    return r.status();
  }
  Result<std::int64_t> changed = oneInt(*r, plugin_->prefix());
  if (!changed.isOk()) {
    return changed.status();
  }
  return *changed != 0;
}

Status DataStorePlugin::taintX509Ca(const std::string& td, const std::string& ski) const {
  return SPIRE_DS_RUN(taint_x509_ca, view(td), view(ski)).status();
}

Status DataStorePlugin::revokeX509Ca(const std::string& td, const std::string& ski) const {
  return SPIRE_DS_RUN(revoke_x509_ca, view(td), view(ski)).status();
}

Result<JwtKey> DataStorePlugin::taintJwtKey(const std::string& td, const std::string& id) const {
  auto r = SPIRE_DS_RUN(taint_jwt_key, view(td), view(id));
  if (!r.isOk()) {
    return r.status();
  }
  return exactlyOne(r->jwt_keys, plugin_->prefix(), "JWT keys");
}

Result<JwtKey> DataStorePlugin::revokeJwtKey(const std::string& td, const std::string& id) const {
  auto r = SPIRE_DS_RUN(revoke_jwt_key, view(td), view(id));
  if (!r.isOk()) {
    return r.status();
  }
  return exactlyOne(r->jwt_keys, plugin_->prefix(), "JWT keys");
}

// ---- Entries ----

Result<Entry> DataStorePlugin::createEntry(const Entry& entry) const {
  ViewArena arena;
  spire_entry e = arena.entry(entry);
  auto r = SPIRE_DS_RUN(create_entry, &e);
  if (!r.isOk()) {
    return r.status();
  }
  return exactlyOne(r->entries, plugin_->prefix(), "entries");
}

Result<std::pair<Entry, bool>> DataStorePlugin::createOrReturnEntry(const Entry& entry) const {
  ViewArena arena;
  spire_entry e = arena.entry(entry);
  auto r = SPIRE_DS_RUN(create_or_return_entry, &e);
  if (!r.isOk()) {
    return r.status();
  }
  Result<Entry> one = exactlyOne(r->entries, plugin_->prefix(), "entries");
  Result<std::int64_t> existed = oneInt(*r, plugin_->prefix());
  if (!one.isOk()) {
    return one.status();
  }
  if (!existed.isOk()) {
    return existed.status();
  }
  return std::make_pair(std::move(*one), *existed != 0);
}

Result<std::optional<Entry>> DataStorePlugin::fetchEntry(const std::string& id) const {
  auto r = SPIRE_DS_RUN(fetch_entry, view(id));
  if (!r.isOk()) {
    return r.status();
  }
  return atMostOne(r->entries);
}

Result<std::vector<Entry>>
DataStorePlugin::fetchEntries(const std::vector<std::string>& ids) const {
  ViewArena arena;
  const spire_str* views = arena.strs(ids);
  auto r = SPIRE_DS_RUN(fetch_entries, views, ids.size());
  if (!r.isOk()) {
    return r.status();
  }
  return std::move(r->entries);
}

Result<Page<Entry>> DataStorePlugin::listEntries(const EntryFilter* filter,
                                                 const Pagination& page) const {
  ViewArena arena;
  std::optional<spire_entry_filter> f;
  if (filter != nullptr) {
    f = entryFilterView(*filter, arena);
  }
  spire_pagination p = pageView(page);
  auto r = SPIRE_DS_RUN(list_entries, f ? &*f : nullptr, &p);
  if (!r.isOk()) {
    return r.status();
  }
  return pageOf(r->entries, *r);
}

Result<std::int64_t> DataStorePlugin::countEntries(const EntryFilter* filter) const {
  ViewArena arena;
  std::optional<spire_entry_filter> f;
  if (filter != nullptr) {
    f = entryFilterView(*filter, arena);
  }
  auto r = SPIRE_DS_RUN(count_entries, f ? &*f : nullptr);
  if (!r.isOk()) {
    return r.status();
  }
  return oneInt(*r, plugin_->prefix());
}

Result<Entry> DataStorePlugin::updateEntry(const Entry& entry, std::uint32_t mask) const {
  ViewArena arena;
  spire_entry e = arena.entry(entry);
  auto r = SPIRE_DS_RUN(update_entry, &e, mask);
  if (!r.isOk()) {
    return r.status();
  }
  return exactlyOne(r->entries, plugin_->prefix(), "entries");
}

Result<Entry> DataStorePlugin::deleteEntry(const std::string& id) const {
  auto r = SPIRE_DS_RUN(delete_entry, view(id));
  if (!r.isOk()) {
    return r.status();
  }
  return exactlyOne(r->entries, plugin_->prefix(), "entries");
}

Status DataStorePlugin::pruneEntries(std::int64_t before) const {
  return SPIRE_DS_RUN(prune_entries, before).status();
}

// ---- Attested nodes ----

Result<AttestedNode> DataStorePlugin::createAttestedNode(const AttestedNode& node) const {
  ViewArena arena;
  spire_attested_node n = arena.node(node);
  auto r = SPIRE_DS_RUN(create_attested_node, &n);
  if (!r.isOk()) {
    return r.status();
  }
  return exactlyOne(r->nodes, plugin_->prefix(), "nodes");
}

Result<std::optional<AttestedNode>>
DataStorePlugin::fetchAttestedNode(const std::string& id) const {
  auto r = SPIRE_DS_RUN(fetch_attested_node, view(id));
  if (!r.isOk()) {
    return r.status();
  }
  return atMostOne(r->nodes);
}

Result<Page<AttestedNode>> DataStorePlugin::listAttestedNodes(const NodeFilter* filter,
                                                              const Pagination& page) const {
  ViewArena arena;
  std::optional<spire_node_filter> f;
  if (filter != nullptr) {
    f = nodeFilterView(*filter, arena);
  }
  spire_pagination p = pageView(page);
  auto r = SPIRE_DS_RUN(list_attested_nodes, f ? &*f : nullptr, &p);
  if (!r.isOk()) {
    return r.status();
  }
  return pageOf(r->nodes, *r);
}

Result<std::int64_t> DataStorePlugin::countAttestedNodes(const NodeFilter* filter) const {
  ViewArena arena;
  std::optional<spire_node_filter> f;
  if (filter != nullptr) {
    f = nodeFilterView(*filter, arena);
  }
  auto r = SPIRE_DS_RUN(count_attested_nodes, f ? &*f : nullptr);
  if (!r.isOk()) {
    return r.status();
  }
  return oneInt(*r, plugin_->prefix());
}

Result<AttestedNode> DataStorePlugin::updateAttestedNode(const AttestedNode& node,
                                                         std::uint32_t mask) const {
  ViewArena arena;
  spire_attested_node n = arena.node(node);
  auto r = SPIRE_DS_RUN(update_attested_node, &n, mask);
  if (!r.isOk()) {
    return r.status();
  }
  return exactlyOne(r->nodes, plugin_->prefix(), "nodes");
}

Result<AttestedNode> DataStorePlugin::deleteAttestedNode(const std::string& id) const {
  auto r = SPIRE_DS_RUN(delete_attested_node, view(id));
  if (!r.isOk()) {
    return r.status();
  }
  return exactlyOne(r->nodes, plugin_->prefix(), "nodes");
}

Status DataStorePlugin::pruneAttestedExpiredNodes(std::int64_t before,
                                                  bool include_non_reattestable) const {
  return SPIRE_DS_RUN(prune_attested_expired_nodes, before, include_non_reattestable).status();
}

// ---- Node selectors ----

Result<std::vector<Selector>> DataStorePlugin::getNodeSelectors(const std::string& id) const {
  auto r = SPIRE_DS_RUN(get_node_selectors, view(id));
  if (!r.isOk()) {
    return r.status();
  }
  if (r->node_selectors.empty()) {
    return std::vector<Selector>{};
  }
  return std::move(r->node_selectors.front().selectors);
}

Result<std::vector<NodeSelectors>> DataStorePlugin::listNodeSelectors(std::int64_t valid_at) const {
  auto r = SPIRE_DS_RUN(list_node_selectors, valid_at);
  if (!r.isOk()) {
    return r.status();
  }
  return std::move(r->node_selectors);
}

Status DataStorePlugin::setNodeSelectors(const std::string& id,
                                         const std::vector<Selector>& selectors) const {
  ViewArena arena;
  const spire_selector* views = arena.selectors(selectors);
  return SPIRE_DS_RUN(set_node_selectors, view(id), views, selectors.size()).status();
}

// ---- Join tokens ----

Status DataStorePlugin::createJoinToken(const JoinToken& token) const {
  ViewArena arena;
  spire_join_token t = arena.joinToken(token);
  return SPIRE_DS_RUN(create_join_token, &t).status();
}

Result<std::optional<JoinToken>> DataStorePlugin::fetchJoinToken(const std::string& token) const {
  auto r = SPIRE_DS_RUN(fetch_join_token, view(token));
  if (!r.isOk()) {
    return r.status();
  }
  return atMostOne(r->join_tokens);
}

Status DataStorePlugin::deleteJoinToken(const std::string& token) const {
  return SPIRE_DS_RUN(delete_join_token, view(token)).status();
}

Result<JoinToken> DataStorePlugin::consumeJoinToken(const std::string& token) const {
  auto r = SPIRE_DS_RUN(consume_join_token, view(token));
  if (!r.isOk()) {
    return r.status();
  }
  return exactlyOne(r->join_tokens, plugin_->prefix(), "join tokens");
}

Status DataStorePlugin::pruneJoinTokens(std::int64_t before) const {
  return SPIRE_DS_RUN(prune_join_tokens, before).status();
}

// ---- Federation relationships ----

Result<FederationRelationship>
DataStorePlugin::createFederationRelationship(const FederationRelationship& rel) const {
  ViewArena arena;
  spire_federation_relationship v = arena.relationship(rel);
  auto r = SPIRE_DS_RUN(create_federation_relationship, &v);
  if (!r.isOk()) {
    return r.status();
  }
  return exactlyOne(r->relationships, plugin_->prefix(), "relationships");
}

Result<std::optional<FederationRelationship>>
DataStorePlugin::fetchFederationRelationship(const std::string& td) const {
  auto r = SPIRE_DS_RUN(fetch_federation_relationship, view(td));
  if (!r.isOk()) {
    return r.status();
  }
  return atMostOne(r->relationships);
}

Result<Page<FederationRelationship>>
DataStorePlugin::listFederationRelationships(const Pagination& page) const {
  spire_pagination p = pageView(page);
  auto r = SPIRE_DS_RUN(list_federation_relationships, &p);
  if (!r.isOk()) {
    return r.status();
  }
  return pageOf(r->relationships, *r);
}

Result<FederationRelationship>
DataStorePlugin::updateFederationRelationship(const FederationRelationship& rel,
                                              std::uint32_t mask) const {
  ViewArena arena;
  spire_federation_relationship v = arena.relationship(rel);
  auto r = SPIRE_DS_RUN(update_federation_relationship, &v, mask);
  if (!r.isOk()) {
    return r.status();
  }
  return exactlyOne(r->relationships, plugin_->prefix(), "relationships");
}

Status DataStorePlugin::deleteFederationRelationship(const std::string& td) const {
  return SPIRE_DS_RUN(delete_federation_relationship, view(td)).status();
}

// ---- CA journal ----

Result<CaJournal> DataStorePlugin::setCaJournal(const CaJournal& journal) const {
  ViewArena arena;
  spire_ca_journal j = arena.journal(journal);
  auto r = SPIRE_DS_RUN(set_ca_journal, &j);
  if (!r.isOk()) {
    return r.status();
  }
  return exactlyOne(r->journals, plugin_->prefix(), "CA journals");
}

Result<std::optional<CaJournal>> DataStorePlugin::fetchCaJournal(const std::string& id) const {
  auto r = SPIRE_DS_RUN(fetch_ca_journal, view(id));
  if (!r.isOk()) {
    return r.status();
  }
  return atMostOne(r->journals);
}

Status DataStorePlugin::deleteCaJournals(const std::vector<std::int64_t>& ids) const {
  return SPIRE_DS_RUN(delete_ca_journals, ids.data(), ids.size()).status();
}

Result<std::vector<CaJournal>> DataStorePlugin::listCaJournals() const {
  auto r = SPIRE_DS_RUN(list_ca_journals);
  if (!r.isOk()) {
    return r.status();
  }
  return std::move(r->journals);
}

// ---- Events (optional) ----

namespace {
Status unimplemented(const LoadedPlugin& plugin, const char* method) {
  return Status(StatusCode::kUnimplemented,
                plugin.prefix() + ": " + method + " is not implemented by the plugin");
}
} // namespace

Result<std::vector<DatastoreEvent>> DataStorePlugin::listEntryEvents(std::uint64_t after) const {
  if (plugin_->vtable<VT>().list_entry_events == nullptr) {
    return unimplemented(*plugin_, "list_entry_events");
  }
  auto r = SPIRE_DS_RUN(list_entry_events, after);
  if (!r.isOk()) {
    return r.status();
  }
  return std::move(r->events);
}

Status DataStorePlugin::pruneEntryEvents(std::int64_t before) const {
  if (plugin_->vtable<VT>().prune_entry_events == nullptr) {
    return unimplemented(*plugin_, "prune_entry_events");
  }
  return SPIRE_DS_RUN(prune_entry_events, before).status();
}

Result<std::vector<DatastoreEvent>> DataStorePlugin::listNodeEvents(std::uint64_t after) const {
  if (plugin_->vtable<VT>().list_node_events == nullptr) {
    return unimplemented(*plugin_, "list_node_events");
  }
  auto r = SPIRE_DS_RUN(list_node_events, after);
  if (!r.isOk()) {
    return r.status();
  }
  return std::move(r->events);
}

Status DataStorePlugin::pruneNodeEvents(std::int64_t before) const {
  if (plugin_->vtable<VT>().prune_node_events == nullptr) {
    return unimplemented(*plugin_, "prune_node_events");
  }
  return SPIRE_DS_RUN(prune_node_events, before).status();
}

#undef SPIRE_DS_RUN

} // namespace spire::plugin_host
