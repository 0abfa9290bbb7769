#include "datastore/sql/sql_store.h"

#include <ctime>

#include "datastore/sql/bundle_codec.h"
#include "datastore/sql/schema.h"
#include "datastore/sql/sqlite_db.h"

namespace spire::datastore::sql {

using spire::plugin::Error;

std::int64_t nowSeconds() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

void notFound(const std::string& what) {
  throw Error(SPIRE_NOT_FOUND, what);
}

void insertEntryEvent(Connection& conn, const std::string& entry_id) {
  std::int64_t now = nowSeconds();
  conn.exec("INSERT INTO registered_entries_events (created_at, updated_at, entry_id) "
            "VALUES (?, ?, ?)",
            {now, now, entry_id});
}

void insertNodeEvent(Connection& conn, const std::string& spiffe_id) {
  std::int64_t now = nowSeconds();
  conn.exec("INSERT INTO attested_node_entries_events (created_at, updated_at, spiffe_id) "
            "VALUES (?, ?, ?)",
            {now, now, spiffe_id});
}

std::optional<Bundle> loadBundle(Connection& conn, const std::string& trust_domain) {
  auto st = conn.query("SELECT data FROM bundles WHERE trust_domain = ?", {trust_domain});
  if (!st->next()) {
    return std::nullopt;
  }
  return decodeBundle(trust_domain, st->getBlob(0));
}

void storeBundle(Connection& conn, const Bundle& bundle, bool exists) {
  std::int64_t now = nowSeconds();
  if (exists) {
    conn.exec("UPDATE bundles SET data = ?, updated_at = ? WHERE trust_domain = ?",
              {encodeBundle(bundle), now, bundle.trust_domain});
  } else {
    conn.exec("INSERT INTO bundles (created_at, updated_at, trust_domain, data) "
              "VALUES (?, ?, ?, ?)",
              {now, now, bundle.trust_domain, encodeBundle(bundle)});
  }
}

std::unique_ptr<SqlStore> SqlStore::open(const Config& config, SqlLogger logger,
                                         const std::string& memory_name,
                                         const std::string& code_version) {
  // Only sqlite3 reaches here (parseConfig refuses the others); issue 6 adds a switch on
  // database_type choosing the connection factory and dialect.
  SqliteOptions options;
  options.uri = sqliteUri(config.connection_string, memory_name);
  options.logger = std::move(logger);
  int max_open = config.max_open_conns;
  int max_idle = config.max_idle_conns;
  std::int64_t lifetime = config.conn_max_lifetime_ms;
  if (sqliteIsMemory(options.uri)) {
    // A memory database lives as long as one connection to it: keep exactly one, forever.
    // (Shared-cache locking would also answer SQLITE_LOCKED, which busy_timeout does not cover.)
    max_open = 1;
    max_idle = 1;
    lifetime = 0;
  }
  auto pool = std::make_unique<Pool>([options] { return openSqlite(options); }, max_open, max_idle,
                                     lifetime);
  std::unique_ptr<SqlStore> store(new SqlStore(std::move(pool)));
  store->write([&](Connection& conn) { migrate(conn, config.disable_migration, code_version); });
  return store;
}

} // namespace spire::datastore::sql
