// Join tokens, CA journals and events.

#include "datastore/sql/query_builder.h"
#include "datastore/sql/sql_store.h"

namespace spire::datastore::sql {

using spire::plugin::Error;

// ---- Join tokens ----

void SqlStore::createJoinToken(const JoinToken& token) {
  if (token.token.empty()) {
    throw Error(SPIRE_INVALID_ARGUMENT, "token is required");
  }
  write([&](Connection& conn) {
    auto st = conn.query("SELECT 1 FROM join_tokens WHERE token = ?", {token.token});
    if (st->next()) {
      throw Error(SPIRE_ALREADY_EXISTS, "join token already exists");
    }
    st.reset();
    std::int64_t now = nowSeconds();
    conn.exec("INSERT INTO join_tokens (created_at, updated_at, token, expiry) VALUES (?, ?, ?, ?)",
              {now, now, token.token, token.expires_at});
  });
}

std::optional<JoinToken> SqlStore::fetchJoinToken(const std::string& token) {
  return read([&](Connection& conn) -> std::optional<JoinToken> {
    auto st = conn.query("SELECT token, expiry FROM join_tokens WHERE token = ?", {token});
    if (!st->next()) {
      return std::nullopt;
    }
    return JoinToken{st->getText(0), st->getInt(1)};
  });
}

void SqlStore::deleteJoinToken(const std::string& token) {
  write([&](Connection& conn) {
    if (conn.exec("DELETE FROM join_tokens WHERE token = ?", {token}) == 0) {
      notFound("record not found");
    }
  });
}

JoinToken SqlStore::consumeJoinToken(const std::string& token) {
  return write([&](Connection& conn) {
    auto st = conn.query("SELECT token, expiry FROM join_tokens WHERE token = ?", {token});
    if (!st->next()) {
      notFound("join token does not exist or has already been used");
    }
    JoinToken out{st->getText(0), st->getInt(1)};
    st.reset();
    // The DELETE's row count decides the winner even on engines where two transactions could
    // both have read the row: only one of them deletes it.
    if (conn.exec("DELETE FROM join_tokens WHERE token = ?", {token}) != 1) {
      notFound("join token does not exist or has already been used");
    }
    return out;
  });
}

void SqlStore::pruneJoinTokens(std::int64_t expires_before) {
  write([&](Connection& conn) {
    conn.exec("DELETE FROM join_tokens WHERE expiry < ?", {expires_before});
  });
}

// ---- CA journals ----

namespace {

CaJournal journalRow(Statement& st) {
  return CaJournal{st.getInt(0), st.getBlob(1), st.getText(2), st.getText(3)};
}

constexpr const char* kJournalColumns =
    "SELECT id, data, active_x509_authority_id, active_jwt_authority_id FROM ca_journals";

} // namespace

CaJournal SqlStore::setCaJournal(const CaJournal& journal) {
  if (journal.id < 0) {
    throw Error(SPIRE_INVALID_ARGUMENT, "invalid CA journal id");
  }
  return write([&](Connection& conn) {
    CaJournal out = journal;
    std::int64_t now = nowSeconds();
    if (journal.id == 0) {
      out.id = conn.insert("INSERT INTO ca_journals (created_at, updated_at, data, "
                           "active_x509_authority_id, active_jwt_authority_id) "
                           "VALUES (?, ?, ?, ?, ?)",
                           {now, now, journal.data, journal.active_x509_authority_id,
                            journal.active_jwt_authority_id});
    } else if (conn.exec("UPDATE ca_journals SET updated_at = ?, data = ?, "
                         "active_x509_authority_id = ?, active_jwt_authority_id = ? WHERE id = ?",
                         {now, journal.data, journal.active_x509_authority_id,
                          journal.active_jwt_authority_id, journal.id}) == 0) {
      notFound("record not found");
    }
    return out;
  });
}

std::optional<CaJournal> SqlStore::fetchCaJournal(const std::string& active_x509_authority_id) {
  return read([&](Connection& conn) -> std::optional<CaJournal> {
    auto st = conn.query(std::string(kJournalColumns) +
                             " WHERE active_x509_authority_id = ? ORDER BY id DESC LIMIT 1",
                         {active_x509_authority_id});
    if (!st->next()) {
      return std::nullopt;
    }
    return journalRow(*st);
  });
}

void SqlStore::deleteCaJournals(const std::vector<std::int64_t>& ids) {
  if (ids.empty()) {
    return;
  }
  write([&](Connection& conn) {
    Params params(ids.begin(), ids.end());
    conn.exec("DELETE FROM ca_journals WHERE id IN " + placeholders(ids.size()), params);
  });
}

std::vector<CaJournal> SqlStore::listCaJournals() {
  return read([&](Connection& conn) {
    std::vector<CaJournal> out;
    auto st = conn.query(std::string(kJournalColumns) + " ORDER BY id", {});
    while (st->next()) {
      out.push_back(journalRow(*st));
    }
    return out;
  });
}

// ---- Events ----

namespace {

std::vector<Event> listEvents(SqlStore& store, const char* table, const char* key,
                              std::uint64_t after) {
  return store.read([&](Connection& conn) {
    std::vector<Event> out;
    auto st = conn.query(std::string("SELECT id, ") + key + ", created_at FROM " + table +
                             " WHERE id > ? ORDER BY id",
                         {static_cast<std::int64_t>(after)});
    while (st->next()) {
      out.push_back(
          Event{static_cast<std::uint64_t>(st->getInt(0)), st->getText(1), st->getInt(2)});
    }
    return out;
  });
}

void pruneEvents(SqlStore& store, const char* table, std::int64_t before) {
  store.write([&](Connection& conn) {
    conn.exec(std::string("DELETE FROM ") + table + " WHERE created_at < ?", {before});
  });
}

} // namespace

std::vector<Event> SqlStore::listEntryEvents(std::uint64_t after_event_id) {
  return listEvents(*this, "registered_entries_events", "entry_id", after_event_id);
}
void SqlStore::pruneEntryEvents(std::int64_t created_before) {
  pruneEvents(*this, "registered_entries_events", created_before);
}
std::vector<Event> SqlStore::listNodeEvents(std::uint64_t after_event_id) {
  return listEvents(*this, "attested_node_entries_events", "spiffe_id", after_event_id);
}
void SqlStore::pruneNodeEvents(std::int64_t created_before) {
  pruneEvents(*this, "attested_node_entries_events", created_before);
}

} // namespace spire::datastore::sql
