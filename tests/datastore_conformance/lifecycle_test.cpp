// Opening, migrating, reopening and refusing databases; plugin_data errors.

#include "datastore_conformance/datastore_fixture.h"

namespace spire::datastore_conformance {
namespace {

using plugin_host::AttestedNode;

class LifecycleTest : public DataStoreTest {
protected:
  Status openStatus(const nlohmann::json& data) {
    auto loaded = load(data.dump());
    return loaded.isOk() ? Status() : loaded.status();
  }
};

// The host reports a refused configure as "failed to configure plugin: <plugin message>".
void expectRefused(const Status& status, StatusCode code, const std::string& message) {
  expectError(status, code, "failed to configure plugin: " + message);
}

TEST_P(LifecycleTest, MigratesAnEmptyDatabaseToTheLatestSchema) {
  EXPECT_EQ(rawQuery(databasePath(), "SELECT version FROM migrations"), "25");
  EXPECT_EQ(rawQuery(databasePath(), "SELECT code_version FROM migrations"), "0.1.0");
  EXPECT_EQ(rawQuery(databasePath(), "SELECT COUNT(*) FROM migrations"), "1");
  for (const char* index :
       {"uix_bundles_trust_domain", "uix_attested_node_entries_spiffe_id",
        "idx_attested_node_entries_expires_at", "idx_node_resolver_map",
        "uix_registered_entries_entry_id", "idx_registered_entries_spiffe_id",
        "idx_registered_entries_parent_id", "idx_registered_entries_expiry",
        "idx_registered_entries_hint", "idx_selector_entry", "idx_selectors_type_value",
        "idx_dns_entry", "idx_federated_registration_entries_registered_entry_id",
        "uix_join_tokens_token", "uix_federated_trust_domains_trust_domain",
        "idx_ca_journals_active_x509_authority_id", "idx_ca_journals_active_jwt_authority_id"}) {
    EXPECT_EQ(rawQuery(databasePath(), std::string("SELECT COUNT(*) FROM sqlite_master WHERE "
                                                   "type = 'index' AND name = '") +
                                           index + "'"),
              "1")
        << index;
  }
  EXPECT_EQ(rawQuery(databasePath(), "SELECT COUNT(*) FROM pragma_table_info("
                                     "'attested_node_entries') WHERE name = 'agent_version'"),
            "1");
  EXPECT_EQ(rawQuery(databasePath(), "PRAGMA journal_mode"), "wal");
}

TEST_P(LifecycleTest, ReopenKeepsData) {
  auto entry = ds().createEntry(makeEntry("/a", "/agent", {{"unix", "uid:1"}}));
  ASSERT_TRUE(entry.isOk());
  ASSERT_TRUE(ds().createBundle(makeBundle("example.org")).isOk());
  AttestedNode n;
  n.spiffe_id = "spiffe://example.org/spire/agent/a";
  ASSERT_TRUE(ds().createAttestedNode(n).isOk());
  reopen();
  EXPECT_TRUE((*ds().fetchEntry(entry->entry_id)).has_value());
  EXPECT_TRUE((*ds().fetchBundle("example.org")).has_value());
  EXPECT_TRUE((*ds().fetchAttestedNode(n.spiffe_id)).has_value());
  EXPECT_EQ(rawQuery(databasePath(), "SELECT COUNT(*) FROM migrations"), "1");
}

TEST_P(LifecycleTest, NewerSchemaIsRefused) {
  ds_.reset();
  rawExec(databasePath(), "UPDATE migrations SET version = 26");
  expectRefused(openStatus(pluginData()), StatusCode::kFailedPrecondition,
                "database schema version 26 is newer than this plugin supports (25): upgrade the "
                "server");
}

TEST_P(LifecycleTest, TooOldSchemaIsRefused) {
  ds_.reset();
  rawExec(databasePath(), "UPDATE migrations SET version = 22");
  expectRefused(openStatus(pluginData()), StatusCode::kFailedPrecondition,
                "database schema version 22 is too old to migrate (oldest supported: 23)");
}

TEST_P(LifecycleTest, MigratesAnOlderSchemaInPlace) {
  auto entry = ds().createEntry(makeEntry("/a", "/agent", {{"unix", "uid:1"}}));
  ASSERT_TRUE(entry.isOk());
  ds_.reset();
  // Back to version 24: without registered_entries.additional_attributes.
  rawExec(databasePath(), "ALTER TABLE registered_entries DROP COLUMN additional_attributes; "
                          "UPDATE migrations SET version = 24, code_version = 'old'");
  reopen();
  EXPECT_EQ(rawQuery(databasePath(), "SELECT version FROM migrations"), "25");
  EXPECT_EQ(rawQuery(databasePath(), "SELECT code_version FROM migrations"), "0.1.0");
  EXPECT_TRUE((*ds().fetchEntry(entry->entry_id)).has_value());
  Entry e = makeEntry("/b", "/agent", {{"unix", "uid:2"}});
  e.jwt_svid_include_jti = true;
  auto created = ds().createEntry(e);
  ASSERT_TRUE(created.isOk()) << created.status().message();
  EXPECT_TRUE(created->jwt_svid_include_jti);
}

TEST_P(LifecycleTest, DisableMigrationAcceptsACurrentDatabase) {
  auto loaded = load(pluginData({{"disable_migration", true}}).dump());
  EXPECT_TRUE(loaded.isOk()) << loaded.status().message();
}

TEST_P(LifecycleTest, DisableMigrationRefusesAnOldDatabase) {
  ds_.reset();
  rawExec(databasePath(), "UPDATE migrations SET version = 24");
  expectRefused(openStatus(pluginData({{"disable_migration", true}})),
                StatusCode::kFailedPrecondition,
                "database schema version 24 needs migration to 25 but disable_migration is set");
}

TEST_P(LifecycleTest, DisableMigrationRefusesAnEmptyDatabase) {
  std::string other = (dir_.path() / "empty.sqlite3").string();
  expectRefused(openStatus(pluginData({{"connection_string", other}, {"disable_migration", true}})),
                StatusCode::kFailedPrecondition,
                "database is not initialized and disable_migration is set");
  // Nothing was created by the refused open.
  EXPECT_EQ(rawQuery(other, "SELECT COUNT(*) FROM sqlite_master"), "0");
}

TEST_P(LifecycleTest, AnUnopenableDatabaseIsUnavailable) {
  std::string path = (dir_.path() / "no-such-dir" / "db.sqlite3").string();
  expectRefused(openStatus(pluginData({{"connection_string", path}})), StatusCode::kUnavailable,
                "unable to open SQLite database \"file:" + path +
                    "\": unable to open database file");
}

TEST_P(LifecycleTest, NotADatabaseIsUnavailable) {
  std::string path = dir_.writeFile("garbage.db", std::string(4096, 'x'));
  Status st = openStatus(pluginData({{"connection_string", path}}));
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.message();
  EXPECT_NE(st.message().find("file is not a database"), std::string::npos) << st.message();
}

TEST_P(LifecycleTest, InMemoryDatabasesArePrivateToTheirInstance) {
  auto a = load(pluginData({{"connection_string", ":memory:"}}).dump());
  auto b = load(pluginData({{"connection_string", ":memory:"}}).dump());
  ASSERT_TRUE(a.isOk()) << a.status().message();
  ASSERT_TRUE(b.isOk());
  ASSERT_TRUE((*a)->createJoinToken(plugin_host::JoinToken{"t", 1}).isOk());
  EXPECT_TRUE((*(*a)->fetchJoinToken("t")).has_value());
  EXPECT_FALSE((*(*b)->fetchJoinToken("t")).has_value());
}

TEST_P(LifecycleTest, AcceptsEveryDocumentedKey) {
  auto loaded = load(pluginData({{"max_open_conns", 4},
                                 {"max_idle_conns", 2},
                                 {"conn_max_lifetime", "1h30m"},
                                 {"ro_connection_string", databasePath()},
                                 {"log_sql", false},
                                 {"disable_migration", false}})
                         .dump());
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  EXPECT_TRUE((*loaded)->countBundles().isOk());
}

struct BadData {
  nlohmann::json data;
  std::string message;
};

TEST_P(LifecycleTest, BadPluginDataIsInvalidArgument) {
  const std::string path = databasePath();
  std::vector<BadData> cases = {
      {nlohmann::json::object(), "database_type must be set"},
      {{{"database_type", "oracle"}, {"connection_string", path}},
       "unsupported database_type: \"oracle\""},
      {{{"database_type", "postgres"}, {"connection_string", "dbname=x"}},
       "database_type \"postgres\" is not available in this build (supported: \"sqlite3\")"},
      {{{"database_type", "sqlite3"}}, "connection_string must be set"},
      {{{"database_type", 3}}, "database_type must be a string"},
      {{{"database_type", "sqlite3"}, {"connection_string", path}, {"bogus", 1}},
       "unknown key \"bogus\" in plugin_data"},
      {{{"database_type", "sqlite3"}, {"connection_string", path}, {"max_open_conns", "x"}},
       "max_open_conns must be an integer"},
      {{{"database_type", "sqlite3"}, {"connection_string", path}, {"max_idle_conns", -1}},
       "max_idle_conns must be between 0 and 100000"},
      {{{"database_type", "sqlite3"}, {"connection_string", path}, {"disable_migration", "yes"}},
       "disable_migration must be a boolean"},
      {{{"database_type", "sqlite3"}, {"connection_string", path}, {"conn_max_lifetime", "soon"}},
       "conn_max_lifetime: invalid duration \"soon\""},
      {{{"database_type", "sqlite3"}, {"connection_string", path}, {"root_ca_path", "/ca.pem"}},
       "root_ca_path is only valid with database_type \"mysql\""},
      {{{"database_type", "sqlite3"},
        {"connection_string", path},
        {"aws_postgres", nlohmann::json::object()}},
       "aws_postgres is not supported by this build"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.data.dump());
    expectRefused(openStatus(c.data), StatusCode::kInvalidArgument, c.message);
  }
}

SPIRE_DATASTORE_SUITE(LifecycleTest);

} // namespace
} // namespace spire::datastore_conformance
