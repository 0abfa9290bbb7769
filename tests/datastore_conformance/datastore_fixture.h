#pragma once

// Fixture of the datastore conformance suite: a fresh database per test case on the backend under
// test, the `sql` DataStore loaded through the real plugin host, raw SQL access below the ABI
// (through the plugin's own backend seam), and small record builders.
//
// Backends: "sqlite3" always (a file in the case's temp dir); "postgres" and "mysql" on the
// servers named by SPIRE_TEST_POSTGRES_DSN (libpq key=value form) and SPIRE_TEST_MYSQL_DSN
// (go-sql-driver form), whose user may create schemas / databases: each case creates its own
// (a PostgreSQL schema, a MySQL database) and drops it afterwards. A case whose server is not
// configured is skipped, or FAILS when SPIRE_REQUIRE_ALL_BACKENDS=1 (CI).
// scripts/db/with-databases.sh sets all three variables.

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <spdlog/logger.h>

#include "common/status.h"
#include "datastore/sql/db.h"
#include "plugin_host/datastore.h"
#include "support/temp_dir.h"

namespace spire::datastore_conformance {

using plugin_host::Bundle;
using plugin_host::DataStorePlugin;
using plugin_host::Entry;
using plugin_host::Selector;

// The backends the suite runs on.
std::vector<std::string> datastoreBackends();

class DataStoreTest : public ::testing::TestWithParam<std::string> {
protected:
  void SetUp() override;
  void TearDown() override;

  const std::string& backend() const { return GetParam(); }
  // plugin_data for this case's database, with `extra` keys merged in.
  nlohmann::json pluginData(const nlohmann::json& extra = nlohmann::json::object()) const;
  // Loads and configures a new instance with `plugin_data` (JSON text).
  Result<std::unique_ptr<DataStorePlugin>>
  load(const std::string& plugin_data, std::shared_ptr<spdlog::logger> logger = nullptr) const;
  // Closes the current instance and opens the same database again.
  void reopen();
  DataStorePlugin& ds() { return *ds_; }

  // This case's database as a connection_string of its backend.
  const std::string& connectionString() const { return connection_string_; }
  // Another new, empty database of the backend (dropped after the case).
  std::string freshDatabase();
  // The SQLite database file (sqlite3 only).
  std::string databasePath() const;

  // Raw SQL on this case's database (or `connection_string`), one statement, autocommit.
  void rawExec(const std::string& sql, const datastore::sql::Params& params = {});
  void rawExecOn(const std::string& connection_string, const std::string& sql);
  // The first column of the first row as text ("" when no row).
  std::string rawQuery(const std::string& sql);
  std::string rawQueryOn(const std::string& connection_string, const std::string& sql);
  std::int64_t rowCount(const std::string& table) {
    return std::stoll(rawQuery("SELECT COUNT(*) FROM " + table));
  }
  // Schema introspection in each engine's catalogue.
  bool indexExists(const std::string& index);
  bool columnExists(const std::string& table, const std::string& column);
  std::int64_t tableCountOn(const std::string& connection_string);
  // Ends every server session on this case's database, as a server restart does to its clients
  // (postgres / mysql only).
  void dropServerSessions();

  testing::TempDir dir_;
  std::unique_ptr<DataStorePlugin> ds_;

private:
  datastore::sql::ConnectionPtr open(const std::string& connection_string) const;
  // Creates a database named `name` on the backend's server; returns its connection string.
  std::string createDatabase(const std::string& name);

  datastore::sql::Connection& raw(); // one connection to this case's database, opened on first use

  std::string connection_string_;
  datastore::sql::ConnectionPtr raw_;
  std::vector<std::string> databases_; // created on a server, dropped in TearDown
};

// Builders.
Entry makeEntry(const std::string& spiffe_path, const std::string& parent_path,
                std::vector<Selector> selectors);
Bundle makeBundle(const std::string& trust_domain);

// Asserts `status` failed with `code` and exactly the message the plugin gave (the host prefixes
// it with `DataStore "sql": `).
void expectError(const Status& status, StatusCode code, const std::string& plugin_message);

// A self-signed EC certificate (DER) with a Subject Key Identifier, expiring at `not_after`
// (Unix seconds); returns the DER and its SKI as lower-case hex.
struct TestCert {
  plugin_host::Bytes der;
  std::string ski;
};
TestCert makeCert(std::int64_t not_after);

std::int64_t now();

#define SPIRE_DATASTORE_SUITE(name)                                                                \
  INSTANTIATE_TEST_SUITE_P(Backends, name, ::testing::ValuesIn(datastoreBackends()),               \
                           [](const auto& info) { return info.param; })

} // namespace spire::datastore_conformance
