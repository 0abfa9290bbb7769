#pragma once

// The PostgreSQL implementation of the backend seam (db.h), over libpqxx 6.
//
// The connection string is libpq's own: `key=value ...` or a postgres:// URL, exactly SPIRE's
// forms. Write transactions run at REPEATABLE READ, so a read-modify-write that raced another
// writer fails with a serialization failure and is run again (pool.h) instead of losing an
// update; read transactions are REPEATABLE READ READ ONLY, one snapshot for all their queries.
// `?` placeholders are rewritten to `$n`; values travel as text (bytea as `\x` hex).

#include <string>

#include "datastore/sql/db.h"

namespace spire::datastore::sql {

struct PostgresOptions {
  std::string connection_string;
  SqlLogger logger; // null = no statement logging
};

// Opens one connection. Throws DbError(kUnavailable) when the server cannot be reached.
ConnectionPtr openPostgres(const PostgresOptions& options);

const Dialect& postgresDialect();

// libpq's verdict on a connection string's syntax (no connection): "" when it parses.
std::string postgresConnStringError(const std::string& connection_string);

// "SELECT a FROM t WHERE b = ? AND c = '?'" -> "... b = $1 AND c = '?'" (quoted text kept).
std::string numberPlaceholders(std::string_view sql);

} // namespace spire::datastore::sql
