#pragma once

// plugin_data of the `sql` DataStore (SPIRE's sqlcommon config keys), parsed and checked.

#include <cstdint>
#include <string>
#include <string_view>

#include "datastore/sql/mysql_dsn.h"

namespace spire::datastore::sql {

struct Config {
  std::string database_type;     // "sqlite3", "postgres" or "mysql"
  std::string connection_string; // as written
  // As written; checked like connection_string. The DataStore ABI has no "stale reads are fine"
  // flag, so every read still uses connection_string (see README.md in this folder).
  std::string ro_connection_string;
  int max_open_conns = 100;
  int max_idle_conns = 100;
  std::int64_t conn_max_lifetime_ms = 0; // 0 = unlimited
  bool disable_migration = false;
  bool log_sql = false;
  // MySQL only.
  MysqlDsn mysql;               // connection_string, parsed
  std::string root_ca_path;     // TLS: CA that signs the server's certificate
  std::string client_cert_path; // TLS client certificate (with client_key_path)
  std::string client_key_path;
};

// Whether this build has the backend (PostgreSQL / MySQL need their client libraries at build
// time; SQLite is always there).
bool backendCompiled(const std::string& database_type);

// Parses plugin_data JSON and checks the connection strings' syntax (no connection is made).
// Throws spire::plugin::Error(SPIRE_INVALID_ARGUMENT) naming the field.
Config parseConfig(std::string_view json);

// Go time.Duration text ("90s", "1h30m", "250ms") to milliseconds; throws on bad input.
std::int64_t parseDurationMs(std::string_view text);

// SQLite: the connection string as a `file:` URI for sqlite3_open_v2(SQLITE_OPEN_URI). A plain
// path is percent-encoded; ":memory:" becomes a private shared-cache memory database named after
// `memory_name` (unique per plugin instance, so two instances never share one).
std::string sqliteUri(const std::string& connection_string, const std::string& memory_name);
bool sqliteIsMemory(const std::string& uri);

} // namespace spire::datastore::sql
