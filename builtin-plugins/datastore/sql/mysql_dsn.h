#pragma once

// SPIRE's MySQL connection_string is a go-sql-driver DSN:
//   [user[:password]@][net[(address)]]/dbname[?param1=value1&...&paramN=valueN]
// e.g. "spire:secret@tcp(db.example.org:3306)/spire?parseTime=true" or
//      "spire@unix(/run/mysqld/mysqld.sock)/spire". This parses it the way that driver does (last
// '/' separates the database, last '@' the credentials, defaults tcp 127.0.0.1:3306 and
// /tmp/mysql.sock), so the plugin can hand the pieces to MySQL Connector/C++.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spire::datastore::sql {

struct MysqlDsn {
  std::string user;
  std::string password;
  std::string net;    // "tcp" or "unix"
  std::string host;   // tcp: host name or IP (IPv6 without brackets)
  int port = 3306;    // tcp
  std::string socket; // unix: socket path
  std::string database;
  std::string tls;                     // tls=...: "", "true", "false", "skip-verify", "preferred"
  std::int64_t connect_timeout_ms = 0; // timeout=
  std::int64_t read_timeout_ms = 0;    // readTimeout=
  std::int64_t write_timeout_ms = 0;   // writeTimeout=
  std::string charset;                 // charset= (first of a comma list)
  // Parameters the driver does not know are session system variables, `SET name=value`.
  std::vector<std::pair<std::string, std::string>> system_vars;
};

// Throws spire::plugin::Error(SPIRE_INVALID_ARGUMENT) with go-sql-driver's wording.
MysqlDsn parseMysqlDsn(std::string_view dsn);

} // namespace spire::datastore::sql
