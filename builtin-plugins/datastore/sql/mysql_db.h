#pragma once

// The MySQL / MariaDB implementation of the backend seam (db.h), over MySQL Connector/C++ 1.1
// (the legacy `cppconn` API Debian ships as libmysqlcppconn-dev).
//
// Tables are InnoDB, utf8mb4 with the binary collation (case-sensitive, byte order, as SQLite and
// PostgreSQL with COLLATE "C"). Write transactions run SERIALIZABLE (plain reads take shared
// locks, so a read-modify-write that raced another writer deadlocks and is run again by pool.h
// instead of losing an update); read transactions are REPEATABLE READ, READ ONLY with a
// consistent snapshot. Statements are server-side prepared and cached per connection.
// CLIENT_FOUND_ROWS is on, so UPDATE reports matched rows like the other engines.
// MySQL commits DDL implicitly: a migration is not atomic there (it is on SQLite and PostgreSQL).

#include <string>

#include "datastore/sql/db.h"
#include "datastore/sql/mysql_dsn.h"

namespace spire::datastore::sql {

struct MysqlOptions {
  MysqlDsn dsn;
  std::string root_ca_path;     // TLS: verify the server against this CA
  std::string client_cert_path; // TLS client authentication (with client_key_path)
  std::string client_key_path;
  SqlLogger logger; // null = no statement logging
};

// Opens one connection. Throws DbError(kUnavailable) when the server cannot be reached.
ConnectionPtr openMysql(const MysqlOptions& options);

const Dialect& mysqlDialect();

} // namespace spire::datastore::sql
