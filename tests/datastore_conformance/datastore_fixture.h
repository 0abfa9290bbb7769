#pragma once

// Fixture of the datastore conformance suite: a fresh database per test case (in its own temp
// dir), the `sql` DataStore loaded through the real plugin host, and small record builders.

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <spdlog/logger.h>

#include "common/status.h"
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
  void TearDown() override { ds_.reset(); }

  // plugin_data for this case's database, with `extra` keys merged in.
  nlohmann::json pluginData(const nlohmann::json& extra = nlohmann::json::object()) const;
  // Loads and configures a new instance with `plugin_data` (JSON text).
  Result<std::unique_ptr<DataStorePlugin>>
  load(const std::string& plugin_data, std::shared_ptr<spdlog::logger> logger = nullptr) const;
  // Closes the current instance and opens the same database again.
  void reopen();
  DataStorePlugin& ds() { return *ds_; }
  // The database file (SQLite).
  std::string databasePath() const;

  testing::TempDir dir_;
  std::unique_ptr<DataStorePlugin> ds_;
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

// Runs SQL directly on a SQLite database file (below the ABI: to seed or to age a schema).
void rawExec(const std::string& path, const std::string& sql);
// The first column of the first row of `sql` as text ("" when no row).
std::string rawQuery(const std::string& path, const std::string& sql);

#define SPIRE_DATASTORE_SUITE(name)                                                                \
  INSTANTIATE_TEST_SUITE_P(Backends, name, ::testing::ValuesIn(datastoreBackends()),               \
                           [](const auto& info) { return info.param; })

} // namespace spire::datastore_conformance
