#pragma once

// The SQLite implementation of the backend seam (db.h).
//
// Every connection is opened with: foreign_keys=ON (cascades), journal_mode=WAL (readers never
// block the writer), busy_timeout (a writer waits for the lock instead of failing at once), and
// synchronous=FULL. FULL rather than NORMAL: in WAL mode NORMAL already survives a killed process
// (committed frames are in the OS page cache), but it may drop the last commits on power loss or a
// kernel crash; FULL fsyncs the WAL at every commit, so an acknowledged write is never lost.

#include <string>

#include "datastore/sql/db.h"

namespace spire::datastore::sql {

struct SqliteOptions {
  std::string uri; // a file: URI (config.h sqliteUri)
  int busy_timeout_ms = 5000;
  SqlLogger logger; // null = no statement logging
};

// Opens one connection and applies the pragmas above. Throws DbError(kUnavailable).
ConnectionPtr openSqlite(const SqliteOptions& options);

const Dialect& sqliteDialect();

} // namespace spire::datastore::sql
