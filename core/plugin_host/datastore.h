#pragma once

// Daemon-side facade of a DataStore plugin: one method per operation of spire_datastore_vtable,
// each one transaction in the plugin. THREADS: any thread, concurrently.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "plugin_host/datastore_convert.h"
#include "plugin_host/loaded_plugin.h"

namespace spire::plugin_host {

struct Pagination {
  std::string token;
  std::int32_t page_size = 0; // 0 = everything
};

struct EntryFilter {
  std::optional<std::string> parent_id;
  std::optional<std::string> spiffe_id;
  std::optional<std::vector<Selector>> selectors;
  spire_match selectors_match = SPIRE_MATCH_EXACT;
  std::optional<std::vector<std::string>> federates_with;
  spire_match federates_with_match = SPIRE_MATCH_EXACT;
  std::optional<std::string> hint;
  std::optional<bool> downstream;
};

struct NodeFilter {
  std::int64_t expires_before = 0;
  std::optional<std::string> attestation_type;
  std::optional<bool> banned;
  std::optional<bool> can_reattest;
  std::optional<std::vector<Selector>> selectors;
  spire_match selectors_match = SPIRE_MATCH_EXACT;
  bool fetch_selectors = false;
};

template <class T> struct Page {
  std::vector<T> items;
  std::string next_token; // empty on the last page
};

class DataStorePlugin {
public:
  explicit DataStorePlugin(LoadedPluginPtr plugin) : plugin_(std::move(plugin)) {}
  const std::string& name() const { return plugin_->name(); }

  // Bundles.
  Result<Bundle> createBundle(const Bundle& bundle) const;
  Result<std::optional<Bundle>> fetchBundle(const std::string& trust_domain) const;
  Result<Page<Bundle>> listBundles(const Pagination& page) const;
  Result<std::int64_t> countBundles() const;
  Result<Bundle> setBundle(const Bundle& bundle) const;
  Result<Bundle> appendBundle(const Bundle& bundle) const;
  Result<Bundle> updateBundle(const Bundle& bundle, std::uint32_t mask) const;
  Status deleteBundle(const std::string& trust_domain, spire_delete_mode mode) const;
  Result<bool> pruneBundle(const std::string& trust_domain, std::int64_t expires_before) const;
  Status taintX509Ca(const std::string& trust_domain, const std::string& subject_key_id) const;
  Status revokeX509Ca(const std::string& trust_domain, const std::string& subject_key_id) const;
  Result<JwtKey> taintJwtKey(const std::string& trust_domain, const std::string& key_id) const;
  Result<JwtKey> revokeJwtKey(const std::string& trust_domain, const std::string& key_id) const;

  // Entries.
  Result<Entry> createEntry(const Entry& entry) const;
  // The entry and whether it already existed.
  Result<std::pair<Entry, bool>> createOrReturnEntry(const Entry& entry) const;
  Result<std::optional<Entry>> fetchEntry(const std::string& entry_id) const;
  Result<std::vector<Entry>> fetchEntries(const std::vector<std::string>& ids) const;
  Result<Page<Entry>> listEntries(const EntryFilter* filter, const Pagination& page) const;
  Result<std::int64_t> countEntries(const EntryFilter* filter) const;
  Result<Entry> updateEntry(const Entry& entry, std::uint32_t mask) const;
  Result<Entry> deleteEntry(const std::string& entry_id) const;
  Status pruneEntries(std::int64_t expires_before) const;

  // Attested nodes.
  Result<AttestedNode> createAttestedNode(const AttestedNode& node) const;
  Result<std::optional<AttestedNode>> fetchAttestedNode(const std::string& spiffe_id) const;
  Result<Page<AttestedNode>> listAttestedNodes(const NodeFilter* filter,
                                               const Pagination& page) const;
  Result<std::int64_t> countAttestedNodes(const NodeFilter* filter) const;
  Result<AttestedNode> updateAttestedNode(const AttestedNode& node, std::uint32_t mask) const;
  Result<AttestedNode> deleteAttestedNode(const std::string& spiffe_id) const;
  Status pruneAttestedExpiredNodes(std::int64_t expired_before,
                                   bool include_non_reattestable) const;

  // Node selectors.
  Result<std::vector<Selector>> getNodeSelectors(const std::string& spiffe_id) const;
  Result<std::vector<NodeSelectors>> listNodeSelectors(std::int64_t valid_at) const;
  Status setNodeSelectors(const std::string& spiffe_id,
                          const std::vector<Selector>& selectors) const;

  // Join tokens.
  Status createJoinToken(const JoinToken& token) const;
  Result<std::optional<JoinToken>> fetchJoinToken(const std::string& token) const;
  Status deleteJoinToken(const std::string& token) const;
  // Single use: NOT_FOUND when absent (or already consumed).
  Result<JoinToken> consumeJoinToken(const std::string& token) const;
  Status pruneJoinTokens(std::int64_t expires_before) const;

  // Federation relationships.
  Result<FederationRelationship>
  createFederationRelationship(const FederationRelationship& rel) const;
  Result<std::optional<FederationRelationship>>
  fetchFederationRelationship(const std::string& trust_domain) const;
  Result<Page<FederationRelationship>> listFederationRelationships(const Pagination& page) const;
  Result<FederationRelationship> updateFederationRelationship(const FederationRelationship& rel,
                                                              std::uint32_t mask) const;
  Status deleteFederationRelationship(const std::string& trust_domain) const;

  // CA journal.
  Result<CaJournal> setCaJournal(const CaJournal& journal) const;
  Result<std::optional<CaJournal>>
  fetchCaJournal(const std::string& active_x509_authority_id) const;
  Status deleteCaJournals(const std::vector<std::int64_t>& ids) const;
  Result<std::vector<CaJournal>> listCaJournals() const;

  // Events (optional in the plugin: UNIMPLEMENTED when absent).
  Result<std::vector<DatastoreEvent>> listEntryEvents(std::uint64_t after_event_id) const;
  Status pruneEntryEvents(std::int64_t created_before) const;
  Result<std::vector<DatastoreEvent>> listNodeEvents(std::uint64_t after_event_id) const;
  Status pruneNodeEvents(std::int64_t created_before) const;

  // Any operation: fn(self, call) -> spire_status with the vtable; results copied out.
  template <class Fn> Result<DatastoreResults> run(std::string_view method, Fn&& fn) const {
    const auto& vt = plugin_->vtable<spire_datastore_vtable>();
    DatastoreResults results;
    CallResults unused;
    Status st = plugin_->invoke(kEmitDatastore | kEmitJwtKeys, method, &unused, &results,
                                [&](spire_call* call) { return fn(vt, plugin_->self(), call); });
    if (!st.isOk()) {
      return st;
    }
    results.jwt_keys = std::move(unused.jwt_keys);
    return results;
  }

private:
  LoadedPluginPtr plugin_;
};

} // namespace spire::plugin_host
