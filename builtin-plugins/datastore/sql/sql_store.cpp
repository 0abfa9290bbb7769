#include "datastore/sql/sql_store.h"

#include <ctime>

#include "datastore/sql/bundle_codec.h"
#include "datastore/sql/schema.h"
#include "datastore/sql/sqlite_db.h"
#if SPIRE_DS_HAVE_POSTGRES
#include "datastore/sql/pg_db.h"
#endif
#if SPIRE_DS_HAVE_MYSQL
#include "datastore/sql/mysql_db.h"
#endif

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

namespace {

struct Backend {
  Pool::Factory factory;
  int max_open;
  int max_idle;
  std::int64_t lifetime_ms;
};

Backend chooseBackend(const Config& config, SqlLogger logger, const std::string& memory_name) {
  Backend b{nullptr, config.max_open_conns, config.max_idle_conns, config.conn_max_lifetime_ms};
#if SPIRE_DS_HAVE_POSTGRES
  if (config.database_type == "postgres") {
    PostgresOptions options{config.connection_string, std::move(logger)};
    b.factory = [options] { return openPostgres(options); };
    return b;
  }
#endif
#if SPIRE_DS_HAVE_MYSQL
  if (config.database_type == "mysql") {
    MysqlOptions options{config.mysql, config.root_ca_path, config.client_cert_path,
                         config.client_key_path, std::move(logger)};
    b.factory = [options] { return openMysql(options); };
    return b;
  }
#endif
  if (config.database_type != "sqlite3") {
    // parseConfig refuses backends this build lacks; this is a second line of defence.
    throw Error(SPIRE_INVALID_ARGUMENT,
                "database_type \"" + config.database_type + "\" is not supported by this build");
  }
  SqliteOptions options;
  options.uri = sqliteUri(config.connection_string, memory_name);
  options.logger = std::move(logger);
  if (sqliteIsMemory(options.uri)) {
    // A memory database lives as long as one connection to it: keep exactly one, forever.
    // (Shared-cache locking would also answer SQLITE_LOCKED, which busy_timeout does not cover.)
    b.max_open = 1;
    b.max_idle = 1;
    b.lifetime_ms = 0;
  }
  b.factory = [options] { return openSqlite(options); };
  return b;
}

// Migrates on one connection that holds the dialect's migration lock (when it has one) around
// the migration transaction, so servers starting together on one database take turns.
void migrateLocked(Pool& pool, const Config& config, const std::string& code_version) {
  try {
    auto lease = pool.acquire();
    const Dialect& d = lease->dialect();
    if (!d.migration_lock_sql.empty()) {
      auto st = lease->query(d.migration_lock_sql, {});
      if (!st->next() || st->getInt(0) != 1) {
        throw Error(SPIRE_UNAVAILABLE, "timed out waiting for the schema migration lock");
      }
    }
    auto unlock = [&] {
      if (!d.migration_unlock_sql.empty() && lease->healthy()) {
        try {
          lease->query(d.migration_unlock_sql, {})->next();
        } catch (const DbError&) {
          // The lock is the session's: it goes with a connection that broke.
        }
      }
    };
    try {
      lease->begin(true);
      migrate(*lease, config.disable_migration, code_version);
      lease->commit();
    } catch (...) {
      lease->rollback();
      unlock();
      throw;
    }
    unlock();
  } catch (const DbError& e) {
    throw mapDbError(e);
  }
}

} // namespace

std::unique_ptr<SqlStore> SqlStore::open(const Config& config, SqlLogger logger,
                                         const std::string& memory_name,
                                         const std::string& code_version) {
  Backend b = chooseBackend(config, std::move(logger), memory_name);
  auto pool = std::make_unique<Pool>(std::move(b.factory), b.max_open, b.max_idle, b.lifetime_ms);
  migrateLocked(*pool, config, code_version);
  return std::unique_ptr<SqlStore>(new SqlStore(std::move(pool)));
}

} // namespace spire::datastore::sql
