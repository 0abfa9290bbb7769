// Registration entries.

#include <set>

#include <nlohmann/json.hpp>

#include "datastore/sql/bundle_codec.h"
#include "datastore/sql/entry_query.h"
#include "datastore/sql/sql_store.h"

namespace spire::datastore::sql {

using spire::plugin::Error;

namespace {

constexpr size_t kMaxEntryIdLength = 255;
constexpr size_t kMaxHintLength = 1024;

// SPIRE's validateRegistrationEntry, plus the column limits of the schema.
void validateEntry(const Entry& e) {
  if (e.selectors.empty()) {
    throw Error(SPIRE_INVALID_ARGUMENT, "invalid registration entry: missing selector list");
  }
  if (e.spiffe_id.empty()) {
    throw Error(SPIRE_INVALID_ARGUMENT, "invalid registration entry: missing SPIFFE ID");
  }
  if (e.parent_id.empty()) {
    throw Error(SPIRE_INVALID_ARGUMENT, "invalid registration entry: missing parent ID");
  }
  if (e.x509_svid_ttl < 0) {
    throw Error(SPIRE_INVALID_ARGUMENT, "invalid registration entry: X509SvidTtl is not set");
  }
  if (e.jwt_svid_ttl < 0) {
    throw Error(SPIRE_INVALID_ARGUMENT, "invalid registration entry: JwtSvidTtl is not set");
  }
  if (e.entry_id.size() > kMaxEntryIdLength) {
    throw Error(SPIRE_INVALID_ARGUMENT, "invalid registration entry: entry ID too long");
  }
  if (e.hint.size() > kMaxHintLength) {
    throw Error(SPIRE_INVALID_ARGUMENT, "invalid registration entry: hint too long");
  }
}

Value attributes(const Entry& e) {
  if (!e.jwt_svid_include_jti && !e.disable_x509_svid_prefetch) {
    return nullptr;
  }
  std::string text = nlohmann::json{{"jwt_svid_include_jti", e.jwt_svid_include_jti},
                                    {"disable_x509_svid_prefetch", e.disable_x509_svid_prefetch}}
                         .dump();
  return Bytes(text.begin(), text.end());
}

std::int64_t flag(bool b) {
  return b ? 1 : 0;
}

// Bundle row ids of `trust_domains`; every one must exist (as SPIRE's makeFederatesWith).
std::vector<std::int64_t> federatedBundleIds(Connection& conn,
                                             const std::vector<std::string>& trust_domains) {
  std::set<std::string> distinct(trust_domains.begin(), trust_domains.end());
  std::vector<std::int64_t> ids;
  for (const auto& td : distinct) {
    auto st = conn.query("SELECT id FROM bundles WHERE trust_domain = ?", {td});
    if (!st->next()) {
      throw Error(SPIRE_FAILED_PRECONDITION, "unable to find federated bundle \"" + td + "\"");
    }
    ids.push_back(st->getInt(0));
  }
  return ids;
}

void writeSelectors(Connection& conn, std::int64_t pk, const std::vector<Selector>& selectors,
                    std::int64_t now) {
  conn.exec("DELETE FROM selectors WHERE registered_entry_id = ?", {pk});
  std::set<Selector> seen;
  for (const auto& s : selectors) {
    if (seen.insert(s).second) {
      conn.exec("INSERT INTO selectors (created_at, updated_at, registered_entry_id, type, value) "
                "VALUES (?, ?, ?, ?, ?)",
                {now, now, pk, s.type, s.value});
    }
  }
}

void writeDnsNames(Connection& conn, std::int64_t pk, const std::vector<std::string>& names,
                   std::int64_t now) {
  conn.exec("DELETE FROM dns_names WHERE registered_entry_id = ?", {pk});
  std::set<std::string> seen;
  for (const auto& n : names) {
    if (seen.insert(n).second) {
      conn.exec("INSERT INTO dns_names (created_at, updated_at, registered_entry_id, value) "
                "VALUES (?, ?, ?, ?)",
                {now, now, pk, n});
    }
  }
}

void writeFederatesWith(Connection& conn, std::int64_t pk, const std::vector<std::string>& tds) {
  auto bundle_ids = federatedBundleIds(conn, tds);
  conn.exec("DELETE FROM federated_registration_entries WHERE registered_entry_id = ?", {pk});
  for (std::int64_t bundle_id : bundle_ids) {
    conn.exec("INSERT INTO federated_registration_entries (bundle_id, registered_entry_id) "
              "VALUES (?, ?)",
              {bundle_id, pk});
  }
}

std::optional<EntryRow> findSimilar(Connection& conn, const Entry& e) {
  Where where;
  where.add("e.parent_id = ?", {e.parent_id});
  where.add("e.spiffe_id = ?", {e.spiffe_id});
  addEntrySelectorMatch(where, e.selectors, SPIRE_MATCH_EXACT);
  auto rows = selectEntries(conn, where, 1);
  if (rows.empty()) {
    return std::nullopt;
  }
  return std::move(rows.front());
}

Entry insertEntry(Connection& conn, const Entry& in) {
  Entry e = in;
  if (e.entry_id.empty()) {
    e.entry_id = newUuid();
  } else {
    auto st = conn.query("SELECT 1 FROM registered_entries WHERE entry_id = ?", {e.entry_id});
    if (st->next()) {
      throw Error(SPIRE_ALREADY_EXISTS, "entry with id \"" + e.entry_id + "\" already exists");
    }
  }
  e.created_at = nowSeconds();
  e.revision_number = 0;
  std::int64_t pk = conn.insert(
      "INSERT INTO registered_entries (created_at, updated_at, entry_id, spiffe_id, parent_id, "
      "ttl, admin, downstream, expiry, revision_number, store_svid, hint, jwt_svid_ttl, "
      "additional_attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {e.created_at, e.created_at, e.entry_id, e.spiffe_id, e.parent_id,
       std::int64_t{e.x509_svid_ttl}, flag(e.admin), flag(e.downstream), e.expires_at,
       std::int64_t{0}, flag(e.store_svid), e.hint, std::int64_t{e.jwt_svid_ttl}, attributes(e)});
  writeSelectors(conn, pk, e.selectors, e.created_at);
  writeDnsNames(conn, pk, e.dns_names, e.created_at);
  writeFederatesWith(conn, pk, e.federates_with);
  insertEntryEvent(conn, e.entry_id);
  // Re-read so the caller sees exactly what is stored (deduplicated, ordered).
  return selectEntry(conn, e.entry_id)->entry;
}

} // namespace

Entry SqlStore::createEntry(const Entry& entry) {
  validateEntry(entry);
  return write([&](Connection& conn) {
    if (findSimilar(conn, entry)) {
      throw Error(SPIRE_ALREADY_EXISTS, "similar entry already exists");
    }
    return insertEntry(conn, entry);
  });
}

std::pair<Entry, bool> SqlStore::createOrReturnEntry(const Entry& entry) {
  validateEntry(entry);
  return write([&](Connection& conn) {
    if (auto similar = findSimilar(conn, entry)) {
      return std::make_pair(std::move(similar->entry), true);
    }
    return std::make_pair(insertEntry(conn, entry), false);
  });
}

std::optional<Entry> SqlStore::fetchEntry(const std::string& entry_id) {
  return read([&](Connection& conn) -> std::optional<Entry> {
    auto row = selectEntry(conn, entry_id);
    if (!row) {
      return std::nullopt;
    }
    return std::move(row->entry);
  });
}

std::vector<Entry> SqlStore::fetchEntries(const std::vector<std::string>& ids) {
  return read([&](Connection& conn) {
    std::vector<Entry> out;
    std::set<std::string> distinct(ids.begin(), ids.end());
    std::vector<std::string> list(distinct.begin(), distinct.end());
    for (size_t begin = 0; begin < list.size(); begin += kChunk) {
      size_t end = std::min(list.size(), begin + kChunk);
      Where where;
      where.add("e.entry_id IN " + placeholders(end - begin),
                Params(list.begin() + static_cast<std::ptrdiff_t>(begin),
                       list.begin() + static_cast<std::ptrdiff_t>(end)));
      for (auto& row : selectEntries(conn, where, 0)) {
        out.push_back(std::move(row.entry));
      }
    }
    return out;
  });
}

Listed<Entry> SqlStore::listEntries(const spire_entry_filter* filter, const Page& page) {
  Where where = entryWhere(filter);
  if (!page.token.empty()) {
    where.add("e.entry_id > ?", {page.token});
  }
  return read([&](Connection& conn) {
    auto rows = selectEntries(conn, where, page.page_size > 0 ? page.page_size + 1 : 0);
    std::vector<Entry> entries;
    entries.reserve(rows.size());
    for (auto& row : rows) {
      entries.push_back(std::move(row.entry));
    }
    return toPage(std::move(entries), page, [](const Entry& e) { return e.entry_id; });
  });
}

std::int64_t SqlStore::countEntries(const spire_entry_filter* filter) {
  Where where = entryWhere(filter);
  return read([&](Connection& conn) {
    auto st =
        conn.query("SELECT COUNT(*) FROM registered_entries e" + where.clause(), where.params());
    st->next();
    return st->getInt(0);
  });
}

Entry SqlStore::updateEntry(const Entry& in, std::uint32_t mask) {
  return write([&](Connection& conn) {
    auto row = selectEntry(conn, in.entry_id);
    if (!row) {
      notFound("record not found");
    }
    Entry e = row->entry;
    if ((mask & SPIRE_ENTRY_MASK_SPIFFE_ID) != 0) {
      e.spiffe_id = in.spiffe_id;
    }
    if ((mask & SPIRE_ENTRY_MASK_PARENT_ID) != 0) {
      e.parent_id = in.parent_id;
    }
    if ((mask & SPIRE_ENTRY_MASK_SELECTORS) != 0) {
      e.selectors = in.selectors;
    }
    if ((mask & SPIRE_ENTRY_MASK_X509_SVID_TTL) != 0) {
      e.x509_svid_ttl = in.x509_svid_ttl;
    }
    if ((mask & SPIRE_ENTRY_MASK_JWT_SVID_TTL) != 0) {
      e.jwt_svid_ttl = in.jwt_svid_ttl;
    }
    if ((mask & SPIRE_ENTRY_MASK_FEDERATES_WITH) != 0) {
      e.federates_with = in.federates_with;
    }
    if ((mask & SPIRE_ENTRY_MASK_ADMIN) != 0) {
      e.admin = in.admin;
    }
    if ((mask & SPIRE_ENTRY_MASK_DOWNSTREAM) != 0) {
      e.downstream = in.downstream;
    }
    if ((mask & SPIRE_ENTRY_MASK_EXPIRES_AT) != 0) {
      e.expires_at = in.expires_at;
    }
    if ((mask & SPIRE_ENTRY_MASK_DNS_NAMES) != 0) {
      e.dns_names = in.dns_names;
    }
    if ((mask & SPIRE_ENTRY_MASK_STORE_SVID) != 0) {
      e.store_svid = in.store_svid;
    }
    if ((mask & SPIRE_ENTRY_MASK_HINT) != 0) {
      e.hint = in.hint;
    }
    if ((mask & SPIRE_ENTRY_MASK_ADDITIONAL_ATTRIBUTES) != 0) {
      e.jwt_svid_include_jti = in.jwt_svid_include_jti;
      e.disable_x509_svid_prefetch = in.disable_x509_svid_prefetch;
    }
    validateEntry(e);
    std::int64_t now = nowSeconds();
    conn.exec("UPDATE registered_entries SET updated_at = ?, spiffe_id = ?, parent_id = ?, "
              "ttl = ?, admin = ?, downstream = ?, expiry = ?, "
              "revision_number = revision_number + 1, store_svid = ?, hint = ?, "
              "jwt_svid_ttl = ?, additional_attributes = ? WHERE id = ?",
              {now, e.spiffe_id, e.parent_id, std::int64_t{e.x509_svid_ttl}, flag(e.admin),
               flag(e.downstream), e.expires_at, flag(e.store_svid), e.hint,
               std::int64_t{e.jwt_svid_ttl}, attributes(e), row->pk});
    if ((mask & SPIRE_ENTRY_MASK_SELECTORS) != 0) {
      writeSelectors(conn, row->pk, e.selectors, now);
    }
    if ((mask & SPIRE_ENTRY_MASK_DNS_NAMES) != 0) {
      writeDnsNames(conn, row->pk, e.dns_names, now);
    }
    if ((mask & SPIRE_ENTRY_MASK_FEDERATES_WITH) != 0) {
      writeFederatesWith(conn, row->pk, e.federates_with);
    }
    insertEntryEvent(conn, e.entry_id);
    return selectEntry(conn, e.entry_id)->entry;
  });
}

Entry SqlStore::deleteEntry(const std::string& entry_id) {
  return write([&](Connection& conn) {
    auto row = selectEntry(conn, entry_id);
    if (!row) {
      notFound("record not found");
    }
    // selectors, dns_names and federation links go with it (ON DELETE CASCADE).
    conn.exec("DELETE FROM registered_entries WHERE id = ?", {row->pk});
    insertEntryEvent(conn, entry_id);
    return std::move(row->entry);
  });
}

void SqlStore::pruneEntries(std::int64_t expires_before) {
  write([&](Connection& conn) {
    std::vector<std::string> ids;
    auto st = conn.query("SELECT entry_id FROM registered_entries WHERE expiry > 0 AND "
                         "expiry < ?",
                         {expires_before});
    while (st->next()) {
      ids.push_back(st->getText(0));
    }
    st.reset();
    conn.exec("DELETE FROM registered_entries WHERE expiry > 0 AND expiry < ?", {expires_before});
    for (const auto& id : ids) {
      insertEntryEvent(conn, id);
    }
  });
}

} // namespace spire::datastore::sql
