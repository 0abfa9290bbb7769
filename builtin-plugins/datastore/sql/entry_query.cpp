#include "datastore/sql/entry_query.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "spire/plugin/cpp/error.hpp"

namespace spire::datastore::sql {

using spire::plugin::Error;

namespace {

constexpr const char* kEntryColumns =
    "SELECT e.id, e.entry_id, e.spiffe_id, e.parent_id, e.ttl, e.jwt_svid_ttl, e.admin, "
    "e.downstream, e.store_svid, e.expiry, e.revision_number, e.hint, e.created_at, "
    "e.additional_attributes FROM registered_entries e";

void readAttributes(const Bytes& blob, Entry& e) {
  if (blob.empty()) {
    return;
  }
  auto doc = nlohmann::json::parse(blob.begin(), blob.end(), nullptr, false);
  if (doc.is_object()) {
    e.jwt_svid_include_jti = doc.value("jwt_svid_include_jti", false);
    e.disable_x509_svid_prefetch = doc.value("disable_x509_svid_prefetch", false);
  }
}

EntryRow entryRow(Statement& st) {
  EntryRow row;
  row.pk = st.getInt(0);
  Entry& e = row.entry;
  e.entry_id = st.getText(1);
  e.spiffe_id = st.getText(2);
  e.parent_id = st.getText(3);
  e.x509_svid_ttl = static_cast<std::int32_t>(st.getInt(4));
  e.jwt_svid_ttl = static_cast<std::int32_t>(st.getInt(5));
  e.admin = st.getInt(6) != 0;
  e.downstream = st.getInt(7) != 0;
  e.store_svid = st.getInt(8) != 0;
  e.expires_at = st.getInt(9);
  e.revision_number = st.getInt(10);
  e.hint = st.getText(11);
  e.created_at = st.getInt(12);
  if (!st.isNull(13)) {
    readAttributes(st.getBlob(13), e);
  }
  return row;
}

// Loads the child rows of entries[begin, end) with one query per child table.
void loadChildren(Connection& conn, std::vector<EntryRow>& rows, size_t begin, size_t end) {
  std::unordered_map<std::int64_t, Entry*> by_pk;
  Params ids;
  for (size_t i = begin; i < end; ++i) {
    by_pk[rows[i].pk] = &rows[i].entry;
    ids.emplace_back(rows[i].pk);
  }
  // Pad the id list to a power of two (repeating the last id) so a few statement texts serve
  // every chunk size and stay in the connection's statement cache.
  size_t padded = 8;
  while (padded < ids.size()) {
    padded *= 2;
  }
  ids.resize(padded, ids.back());
  const std::string in = placeholders(ids.size());
  auto st = conn.query("SELECT registered_entry_id, type, value FROM selectors WHERE "
                       "registered_entry_id IN " +
                           in + " ORDER BY id",
                       ids);
  while (st->next()) {
    by_pk[st->getInt(0)]->selectors.push_back(Selector{st->getText(1), st->getText(2)});
  }
  st = conn.query("SELECT registered_entry_id, value FROM dns_names WHERE registered_entry_id "
                  "IN " +
                      in + " ORDER BY id",
                  ids);
  while (st->next()) {
    by_pk[st->getInt(0)]->dns_names.push_back(st->getText(1));
  }
  st = conn.query("SELECT f.registered_entry_id, b.trust_domain FROM "
                  "federated_registration_entries f JOIN bundles b ON b.id = f.bundle_id WHERE "
                  "f.registered_entry_id IN " +
                      in + " ORDER BY b.trust_domain",
                  ids);
  while (st->next()) {
    by_pk[st->getInt(0)]->federates_with.push_back(st->getText(1));
  }
}

} // namespace

void addEntrySelectorMatch(Where& where, const std::vector<Selector>& selectors,
                           spire_match match) {
  std::set<Selector> distinct(selectors.begin(), selectors.end());
  std::vector<Params> members;
  for (const auto& s : distinct) {
    members.push_back({s.type, s.value});
  }
  addSetMatch(where, "e.id", "selectors", "registered_entry_id", "(type = ? AND value = ?)",
              members, match);
}

Where entryWhere(const spire_entry_filter* f) {
  Where where;
  if (f == nullptr) {
    return where;
  }
  if (f->struct_size < sizeof(spire_entry_filter)) {
    throw Error(SPIRE_INVALID_ARGUMENT, "entry filter: struct_size too small");
  }
  if (f->has_parent_id) {
    where.add("e.parent_id = ?", {str(f->parent_id)});
  }
  if (f->has_spiffe_id) {
    where.add("e.spiffe_id = ?", {str(f->spiffe_id)});
  }
  if (f->has_hint) {
    where.add("e.hint = ?", {str(f->hint)});
  }
  if (f->downstream == SPIRE_TRUE || f->downstream == SPIRE_FALSE) {
    where.add("e.downstream = ?", {std::int64_t{f->downstream == SPIRE_TRUE ? 1 : 0}});
  }
  if (f->has_selectors) {
    if (f->selectors_len == 0) {
      throw Error(SPIRE_INVALID_ARGUMENT, "cannot list by empty selector set");
    }
    addEntrySelectorMatch(where, selectorsOf(f->selectors, f->selectors_len), f->selectors_match);
  }
  if (f->has_federates_with) {
    if (f->federates_with_len == 0) {
      throw Error(SPIRE_INVALID_ARGUMENT, "cannot list by empty federates with set");
    }
    auto tds = stringsOf(f->federates_with, f->federates_with_len);
    std::set<std::string> distinct(tds.begin(), tds.end());
    std::vector<Params> members;
    for (const auto& td : distinct) {
      members.push_back({td});
    }
    addSetMatch(where, "e.id",
                "federated_registration_entries f JOIN bundles b ON b.id = f.bundle_id",
                "f.registered_entry_id", "b.trust_domain = ?", members, f->federates_with_match);
  }
  return where;
}

std::vector<EntryRow> selectEntries(Connection& conn, const Where& where, std::int64_t limit) {
  std::string sql = kEntryColumns + where.clause() + " ORDER BY e.entry_id";
  if (limit > 0) {
    sql += " LIMIT " + std::to_string(limit);
  }
  std::vector<EntryRow> rows;
  {
    auto st = conn.query(sql, where.params());
    while (st->next()) {
      rows.push_back(entryRow(*st));
    }
  }
  for (size_t begin = 0; begin < rows.size(); begin += kChunk) {
    loadChildren(conn, rows, begin, std::min(rows.size(), begin + kChunk));
  }
  return rows;
}

std::optional<EntryRow> selectEntry(Connection& conn, const std::string& entry_id) {
  Where where;
  where.add("e.entry_id = ?", {entry_id});
  auto rows = selectEntries(conn, where, 1);
  if (rows.empty()) {
    return std::nullopt;
  }
  return std::move(rows.front());
}

} // namespace spire::datastore::sql
