#pragma once

// The `sql` DataStore: every operation of spire_datastore_vtable as one transaction over the
// backend seam (db.h). Operations return owned records; the ABI glue (plugin.cpp) emits them after
// the transaction committed, so a retried transaction never emits twice.
//
// THREADS: every method may be called concurrently; each runs on its own pooled connection.
// Errors: spire::plugin::Error with the code datastore.h asks for.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "datastore/sql/config.h"
#include "datastore/sql/pool.h"
#include "datastore/sql/records.h"

namespace spire::datastore::sql {

template <class T> struct Listed {
  std::vector<T> items;
  std::string next_token; // empty when nothing remains
};

using NodeSelectorList = std::vector<std::pair<std::string, std::vector<Selector>>>;

class SqlStore {
public:
  // Opens the database named by `config`, applies the pragmas and migrations. `memory_name`
  // names a private in-memory database for ":memory:". Throws spire::plugin::Error.
  static std::unique_ptr<SqlStore> open(const Config& config, SqlLogger logger,
                                        const std::string& memory_name,
                                        const std::string& code_version);

  // ---- Bundles (bundle_store.cpp) ----
  Bundle createBundle(const Bundle& bundle);
  std::optional<Bundle> fetchBundle(const std::string& trust_domain);
  Listed<Bundle> listBundles(const Page& page);
  std::int64_t countBundles();
  Bundle setBundle(const Bundle& bundle);
  Bundle appendBundle(const Bundle& bundle);
  Bundle updateBundle(const Bundle& bundle, std::uint32_t mask);
  void deleteBundle(const std::string& trust_domain, spire_delete_mode mode);
  bool pruneBundle(const std::string& trust_domain, std::int64_t expires_before);
  void taintX509Ca(const std::string& trust_domain, const std::string& subject_key_id);
  void revokeX509Ca(const std::string& trust_domain, const std::string& subject_key_id);
  JwtKey taintJwtKey(const std::string& trust_domain, const std::string& key_id);
  JwtKey revokeJwtKey(const std::string& trust_domain, const std::string& key_id);

  // ---- Federation relationships (bundle_store.cpp) ----
  FederationRelationship createRelationship(const FederationRelationship& rel);
  std::optional<FederationRelationship> fetchRelationship(const std::string& trust_domain);
  Listed<FederationRelationship> listRelationships(const Page& page);
  FederationRelationship updateRelationship(const FederationRelationship& rel, std::uint32_t mask);
  void deleteRelationship(const std::string& trust_domain);

  // ---- Entries (entry_store.cpp) ----
  Entry createEntry(const Entry& entry);
  std::pair<Entry, bool> createOrReturnEntry(const Entry& entry); // bool: it existed
  std::optional<Entry> fetchEntry(const std::string& entry_id);
  std::vector<Entry> fetchEntries(const std::vector<std::string>& ids);
  Listed<Entry> listEntries(const spire_entry_filter* filter, const Page& page);
  std::int64_t countEntries(const spire_entry_filter* filter);
  Entry updateEntry(const Entry& entry, std::uint32_t mask);
  Entry deleteEntry(const std::string& entry_id);
  void pruneEntries(std::int64_t expires_before);

  // ---- Attested nodes and node selectors (node_store.cpp) ----
  Node createNode(const Node& node);
  std::optional<Node> fetchNode(const std::string& spiffe_id);
  Listed<Node> listNodes(const spire_node_filter* filter, const Page& page);
  std::int64_t countNodes(const spire_node_filter* filter);
  Node updateNode(const Node& node, std::uint32_t mask);
  Node deleteNode(const std::string& spiffe_id);
  void pruneNodes(std::int64_t expired_before, bool include_non_reattestable);
  std::vector<Selector> getNodeSelectors(const std::string& spiffe_id);
  NodeSelectorList listNodeSelectors(std::int64_t valid_at);
  void setNodeSelectors(const std::string& spiffe_id, const std::vector<Selector>& selectors);

  // ---- Join tokens, CA journals, events (misc_store.cpp) ----
  void createJoinToken(const JoinToken& token);
  std::optional<JoinToken> fetchJoinToken(const std::string& token);
  void deleteJoinToken(const std::string& token);
  JoinToken consumeJoinToken(const std::string& token);
  void pruneJoinTokens(std::int64_t expires_before);

  CaJournal setCaJournal(const CaJournal& journal);
  std::optional<CaJournal> fetchCaJournal(const std::string& active_x509_authority_id);
  void deleteCaJournals(const std::vector<std::int64_t>& ids);
  std::vector<CaJournal> listCaJournals();

  std::vector<Event> listEntryEvents(std::uint64_t after_event_id);
  void pruneEntryEvents(std::int64_t created_before);
  std::vector<Event> listNodeEvents(std::uint64_t after_event_id);
  void pruneNodeEvents(std::int64_t created_before);

  template <class Fn> auto write(Fn&& fn) { return inTransaction(*pool_, true, fn); }
  template <class Fn> auto read(Fn&& fn) { return inTransaction(*pool_, false, fn); }

private:
  explicit SqlStore(std::unique_ptr<Pool> pool) : pool_(std::move(pool)) {}
  std::unique_ptr<Pool> pool_;
};

// Helpers shared by the *_store.cpp files.
std::int64_t nowSeconds();
[[noreturn]] void notFound(const std::string& what);
void insertEntryEvent(Connection& conn, const std::string& entry_id);
void insertNodeEvent(Connection& conn, const std::string& spiffe_id);
std::optional<Bundle> loadBundle(Connection& conn, const std::string& trust_domain);
void storeBundle(Connection& conn, const Bundle& bundle, bool exists);
// Rows of a page: `limit` = page_size + 1 when paginating, so a full page knows more remain.
template <class T, class KeyFn>
Listed<T> toPage(std::vector<T> rows, const Page& page, KeyFn&& key) {
  Listed<T> out;
  if (page.page_size > 0 && rows.size() > static_cast<size_t>(page.page_size)) {
    rows.resize(static_cast<size_t>(page.page_size));
    out.next_token = key(rows.back());
  }
  out.items = std::move(rows);
  return out;
}

} // namespace spire::datastore::sql
