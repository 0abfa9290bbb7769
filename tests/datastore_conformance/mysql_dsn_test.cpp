// The go-sql-driver DSN parser that translates SPIRE's MySQL connection_string for
// Connector/C++ (no server needed).

#include <gtest/gtest.h>

#include "datastore/sql/mysql_dsn.h"
#include "spire/plugin/cpp/error.hpp"

namespace spire::datastore_conformance {
namespace {

using datastore::sql::MysqlDsn;
using datastore::sql::parseMysqlDsn;

TEST(MysqlDsnTest, FullTcpForm) {
  MysqlDsn d = parseMysqlDsn("spire:s3cret@tcp(db.example.org:3307)/spire?parseTime=true");
  EXPECT_EQ(d.user, "spire");
  EXPECT_EQ(d.password, "s3cret");
  EXPECT_EQ(d.net, "tcp");
  EXPECT_EQ(d.host, "db.example.org");
  EXPECT_EQ(d.port, 3307);
  EXPECT_EQ(d.database, "spire");
  EXPECT_TRUE(d.system_vars.empty());
}

TEST(MysqlDsnTest, DefaultsAsTheGoDriver) {
  MysqlDsn d = parseMysqlDsn("/spire");
  EXPECT_EQ(d.user, "");
  EXPECT_EQ(d.net, "tcp");
  EXPECT_EQ(d.host, "127.0.0.1");
  EXPECT_EQ(d.port, 3306);
  MysqlDsn no_port = parseMysqlDsn("u@tcp(db)/x");
  EXPECT_EQ(no_port.host, "db");
  EXPECT_EQ(no_port.port, 3306);
  MysqlDsn unix_default = parseMysqlDsn("u@unix/x");
  EXPECT_EQ(unix_default.socket, "/tmp/mysql.sock");
}

TEST(MysqlDsnTest, PasswordMayHoldAtSignsAndColons) {
  MysqlDsn d = parseMysqlDsn("user:p@ss:w0rd@tcp(h:1)/db");
  EXPECT_EQ(d.user, "user");
  EXPECT_EQ(d.password, "p@ss:w0rd");
  EXPECT_EQ(d.host, "h");
}

TEST(MysqlDsnTest, UnixSocketAndIpv6) {
  MysqlDsn s = parseMysqlDsn("spire@unix(/run/mysqld/mysqld.sock)/spire");
  EXPECT_EQ(s.net, "unix");
  EXPECT_EQ(s.socket, "/run/mysqld/mysqld.sock");
  EXPECT_EQ(s.database, "spire");
  MysqlDsn v6 = parseMysqlDsn("u@tcp([::1]:3310)/db");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 3310);
}

TEST(MysqlDsnTest, ParametersAreUnescapedAndTranslated) {
  MysqlDsn d = parseMysqlDsn("u@tcp(h)/my%2Fdb?timeout=2s&readTimeout=1m&writeTimeout=500ms&"
                             "tls=skip-verify&charset=utf8mb4,utf8&loc=Local&"
                             "sql_notes=0&time_zone=%27%2B00%3A00%27");
  EXPECT_EQ(d.database, "my/db");
  EXPECT_EQ(d.connect_timeout_ms, 2000);
  EXPECT_EQ(d.read_timeout_ms, 60000);
  EXPECT_EQ(d.write_timeout_ms, 500);
  EXPECT_EQ(d.tls, "skip-verify");
  EXPECT_EQ(d.charset, "utf8mb4");
  ASSERT_EQ(d.system_vars.size(), 2u);
  EXPECT_EQ(d.system_vars[0], (std::pair<std::string, std::string>{"sql_notes", "0"}));
  EXPECT_EQ(d.system_vars[1], (std::pair<std::string, std::string>{"time_zone", "'+00:00'"}));
}

void expectInvalid(const std::string& dsn, const std::string& message) {
  try {
    parseMysqlDsn(dsn);
    ADD_FAILURE() << dsn << " was accepted";
  } catch (const spire::plugin::Error& e) {
    EXPECT_EQ(e.code(), SPIRE_INVALID_ARGUMENT) << dsn;
    EXPECT_EQ(std::string(e.what()), message) << dsn;
  }
}

TEST(MysqlDsnTest, InvalidFormsSayWhy) {
  expectInvalid("u:p@tcp(h:1)", "invalid DSN: missing the slash separating the database name");
  expectInvalid("u@tcp(h:1/db",
                "invalid DSN: network address not terminated (missing closing brace)");
  expectInvalid("u@tcp(h:1)x/db", "invalid DSN: did you forget to escape a param value?");
  expectInvalid("u@pipe(x)/db", "invalid DSN: default addr for network 'pipe' unknown");
  expectInvalid("u@tcp(h:0)/db", "invalid DSN: invalid port in address h:0");
  expectInvalid("u@tcp(::1)/db", "invalid DSN: invalid address ::1 (IPv6 needs brackets)");
  expectInvalid("/db?parseTime", "invalid DSN: invalid parameter \"parseTime\"");
  expectInvalid("/db?tls=custom",
                "invalid DSN: tls=custom is not supported (use true, false, skip-verify or "
                "preferred, and root_ca_path for a custom CA)");
  expectInvalid("/db?x%=1", "invalid DSN: invalid system variable name \"x%\"");
  expectInvalid("/db?a=%zz", "invalid DSN: invalid URL escape \"%zz\"");
  expectInvalid("/db?a-b=1", "invalid DSN: invalid system variable name \"a-b\"");
}

} // namespace
} // namespace spire::datastore_conformance
