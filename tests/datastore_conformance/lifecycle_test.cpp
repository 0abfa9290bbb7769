// Opening, migrating, reopening and refusing databases; plugin_data errors; connection loss.

#include <map>
#include <sstream>
#include <thread>

#include "datastore_conformance/datastore_fixture.h"
#include "datastore_conformance/tcp_proxy.h"

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

// GTEST_SKIP only leaves the function it is in, so these stand in the test body itself.
#define SKIP_UNLESS_SQLITE()                                                                       \
  if (backend() != "sqlite3") {                                                                    \
    GTEST_SKIP() << "SQLite files only";                                                           \
  }
#define SKIP_UNLESS_SERVER()                                                                       \
  if (backend() == "sqlite3") {                                                                    \
    GTEST_SKIP() << "database servers only";                                                       \
  }

// The host reports a refused configure as "failed to configure plugin: <plugin message>".
void expectRefused(const Status& status, StatusCode code, const std::string& message) {
  expectError(status, code, "failed to configure plugin: " + message);
}

TEST_P(LifecycleTest, MigratesAnEmptyDatabaseToTheLatestSchema) {
  EXPECT_EQ(rawQuery("SELECT version FROM migrations"), "25");
  EXPECT_EQ(rawQuery("SELECT code_version FROM migrations"), "0.1.0");
  EXPECT_EQ(rawQuery("SELECT COUNT(*) FROM migrations"), "1");
  for (const char* index :
       {"uix_bundles_trust_domain", "uix_attested_node_entries_spiffe_id",
        "idx_attested_node_entries_expires_at", "idx_node_resolver_map",
        "uix_registered_entries_entry_id", "idx_registered_entries_spiffe_id",
        "idx_registered_entries_parent_id", "idx_registered_entries_expiry",
        "idx_registered_entries_hint", "idx_selector_entry", "idx_selectors_type_value",
        "idx_dns_entry", "idx_federated_registration_entries_registered_entry_id",
        "uix_join_tokens_token", "uix_federated_trust_domains_trust_domain",
        "idx_ca_journals_active_x509_authority_id", "idx_ca_journals_active_jwt_authority_id"}) {
    EXPECT_TRUE(indexExists(index)) << index;
  }
  EXPECT_TRUE(columnExists("attested_node_entries", "agent_version"));
  EXPECT_TRUE(columnExists("registered_entries", "additional_attributes"));
  // SPIRE's 13 tables.
  EXPECT_EQ(tableCountOn(connectionString()), 13);
  if (backend() == "sqlite3") {
    EXPECT_EQ(rawQuery("PRAGMA journal_mode"), "wal");
  }
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
  EXPECT_EQ(rawQuery("SELECT COUNT(*) FROM migrations"), "1");
}

TEST_P(LifecycleTest, NewerSchemaIsRefused) {
  ds_.reset();
  rawExec("UPDATE migrations SET version = 26");
  expectRefused(openStatus(pluginData()), StatusCode::kFailedPrecondition,
                "database schema version 26 is newer than this plugin supports (25): upgrade the "
                "server");
  // Refusing touched nothing.
  EXPECT_EQ(rawQuery("SELECT version FROM migrations"), "26");
}

TEST_P(LifecycleTest, TooOldSchemaIsRefused) {
  ds_.reset();
  rawExec("UPDATE migrations SET version = 22");
  expectRefused(openStatus(pluginData()), StatusCode::kFailedPrecondition,
                "database schema version 22 is too old to migrate (oldest supported: 23)");
}

TEST_P(LifecycleTest, MigratesAnOlderSchemaInPlace) {
  auto entry = ds().createEntry(makeEntry("/a", "/agent", {{"unix", "uid:1"}}));
  ASSERT_TRUE(entry.isOk());
  ds_.reset();
  // Back to version 24: without registered_entries.additional_attributes.
  rawExec("ALTER TABLE registered_entries DROP COLUMN additional_attributes");
  rawExec("UPDATE migrations SET version = 24, code_version = 'old'");
  ASSERT_FALSE(columnExists("registered_entries", "additional_attributes"));
  reopen();
  EXPECT_EQ(rawQuery("SELECT version FROM migrations"), "25");
  EXPECT_EQ(rawQuery("SELECT code_version FROM migrations"), "0.1.0");
  EXPECT_TRUE(columnExists("registered_entries", "additional_attributes"));
  EXPECT_TRUE((*ds().fetchEntry(entry->entry_id)).has_value());
  Entry e = makeEntry("/b", "/agent", {{"unix", "uid:2"}});
  e.jwt_svid_include_jti = true;
  auto created = ds().createEntry(e);
  ASSERT_TRUE(created.isOk()) << created.status().message();
  EXPECT_TRUE(created->jwt_svid_include_jti);
}

TEST_P(LifecycleTest, TwoInstancesOpeningOneEmptyDatabaseMigrateOnce) {
  std::string other = freshDatabase();
  auto a = load(pluginData({{"connection_string", other}}).dump());
  auto b = load(pluginData({{"connection_string", other}}).dump());
  ASSERT_TRUE(a.isOk()) << a.status().message();
  ASSERT_TRUE(b.isOk()) << b.status().message();
  EXPECT_EQ(rawQueryOn(other, "SELECT COUNT(*) FROM migrations"), "1");
  ASSERT_TRUE((*a)->createJoinToken(plugin_host::JoinToken{"shared", 1}).isOk());
  EXPECT_TRUE((*(*b)->fetchJoinToken("shared")).has_value());
}

TEST_P(LifecycleTest, DisableMigrationAcceptsACurrentDatabase) {
  auto loaded = load(pluginData({{"disable_migration", true}}).dump());
  EXPECT_TRUE(loaded.isOk()) << loaded.status().message();
}

TEST_P(LifecycleTest, DisableMigrationRefusesAnOldDatabase) {
  ds_.reset();
  rawExec("UPDATE migrations SET version = 24");
  expectRefused(openStatus(pluginData({{"disable_migration", true}})),
                StatusCode::kFailedPrecondition,
                "database schema version 24 needs migration to 25 but disable_migration is set");
}

TEST_P(LifecycleTest, DisableMigrationRefusesAnEmptyDatabase) {
  std::string other = freshDatabase();
  expectRefused(openStatus(pluginData({{"connection_string", other}, {"disable_migration", true}})),
                StatusCode::kFailedPrecondition,
                "database is not initialized and disable_migration is set");
  // Nothing was created by the refused open.
  EXPECT_EQ(tableCountOn(other), 0);
}

TEST_P(LifecycleTest, AnUnopenableDatabaseIsUnavailable) {
  SKIP_UNLESS_SQLITE()
  std::string path = (dir_.path() / "no-such-dir" / "db.sqlite3").string();
  expectRefused(openStatus(pluginData({{"connection_string", path}})), StatusCode::kUnavailable,
                "unable to open SQLite database \"file:" + path +
                    "\": unable to open database file");
}

TEST_P(LifecycleTest, NotADatabaseIsUnavailable) {
  SKIP_UNLESS_SQLITE()
  std::string path = dir_.writeFile("garbage.db", std::string(4096, 'x'));
  Status st = openStatus(pluginData({{"connection_string", path}}));
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.message();
  EXPECT_NE(st.message().find("file is not a database"), std::string::npos) << st.message();
}

TEST_P(LifecycleTest, InMemoryDatabasesArePrivateToTheirInstance) {
  SKIP_UNLESS_SQLITE()
  auto a = load(pluginData({{"connection_string", ":memory:"}}).dump());
  auto b = load(pluginData({{"connection_string", ":memory:"}}).dump());
  ASSERT_TRUE(a.isOk()) << a.status().message();
  ASSERT_TRUE(b.isOk());
  ASSERT_TRUE((*a)->createJoinToken(plugin_host::JoinToken{"t", 1}).isOk());
  EXPECT_TRUE((*(*a)->fetchJoinToken("t")).has_value());
  EXPECT_FALSE((*(*b)->fetchJoinToken("t")).has_value());
}

TEST_P(LifecycleTest, AnUnreachableServerIsUnavailable) {
  SKIP_UNLESS_SERVER()
  // Port 1 on loopback: nothing listens there, the connect is refused at once.
  std::string cs = backend() == "postgres"
                       ? "host=127.0.0.1 port=1 user=spire dbname=spire connect_timeout=5"
                       : "spire:spire@tcp(127.0.0.1:1)/spire?timeout=5s";
  Status st = openStatus(pluginData({{"connection_string", cs}}));
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.message();
  const std::string prefix = backend() == "postgres" ? "unable to connect to PostgreSQL: "
                                                     : "unable to connect to MySQL: ";
  EXPECT_NE(st.message().find("failed to configure plugin: " + prefix), std::string::npos)
      << st.message();
}

TEST_P(LifecycleTest, ReconnectsAfterTheServerDropsEverySession) {
  SKIP_UNLESS_SERVER()
  // Several pooled connections, all idle when the server ends them (as a restart would).
  ASSERT_TRUE(ds().createJoinToken(plugin_host::JoinToken{"before", 1}).isOk());
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([this] { EXPECT_TRUE(ds().countBundles().isOk()); });
  }
  for (auto& t : readers) {
    t.join();
  }
  dropServerSessions();
  // The next operations find dead connections, drop them and open new ones.
  for (int i = 0; i < 3; ++i) {
    auto fetched = ds().fetchJoinToken("before");
    ASSERT_TRUE(fetched.isOk()) << fetched.status().message();
    EXPECT_TRUE(fetched->has_value());
  }
  ASSERT_TRUE(ds().createJoinToken(plugin_host::JoinToken{"after", 1}).isOk());
  EXPECT_TRUE((*ds().fetchJoinToken("after")).has_value());
}

// The case's connection string, sent through `proxy` instead of straight to the server.
std::string throughProxy(const std::string& cs, const std::string& backend, TcpProxy& proxy,
                         int* server_port) {
  if (backend == "postgres") {
    auto at = cs.find("port=") + 5;
    auto end = cs.find(' ', at);
    *server_port = std::stoi(cs.substr(at, end - at));
    return cs.substr(0, at) + std::to_string(proxy.port()) + cs.substr(end);
  }
  auto at = cs.find("tcp(127.0.0.1:") + 14;
  auto end = cs.find(')', at);
  *server_port = std::stoi(cs.substr(at, end - at));
  return cs.substr(0, at) + std::to_string(proxy.port()) + cs.substr(end);
}

int serverPort(const std::string& cs, const std::string& backend) {
  TcpProxy unused(0);
  int port = 0;
  throughProxy(cs, backend, unused, &port);
  return port;
}

TEST_P(LifecycleTest, AnOutageIsUnavailableAndTheStoreRecoversWhenTheServerIsBack) {
  SKIP_UNLESS_SERVER()
  TcpProxy proxy(serverPort(connectionString(), backend()));
  ASSERT_TRUE(proxy.start());
  int unused = 0;
  nlohmann::json data = pluginData(
      {{"connection_string", throughProxy(connectionString(), backend(), proxy, &unused)}});
  ds_.reset();
  auto loaded = load(data.dump());
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  ds_ = std::move(loaded).value();
  ASSERT_TRUE(ds().createJoinToken(plugin_host::JoinToken{"before", 1}).isOk());

  proxy.stop(); // the database is gone: pooled connections die, new ones are refused
  const std::string engine = backend() == "postgres" ? "PostgreSQL" : "MySQL";
  auto read = ds().fetchJoinToken("before");
  EXPECT_EQ(read.status().code(), StatusCode::kUnavailable) << read.status().message();
  EXPECT_NE(read.status().message().find(engine), std::string::npos) << read.status().message();
  Status write = ds().createJoinToken(plugin_host::JoinToken{"during", 1});
  EXPECT_EQ(write.code(), StatusCode::kUnavailable) << write.message();

  ASSERT_TRUE(proxy.start()); // back, same address: no plugin restart needed
  auto again = ds().fetchJoinToken("before");
  ASSERT_TRUE(again.isOk()) << again.status().message();
  EXPECT_TRUE(again->has_value());
  // The refused write was not half-applied.
  EXPECT_FALSE((*ds().fetchJoinToken("during")).has_value());
  EXPECT_TRUE(ds().createJoinToken(plugin_host::JoinToken{"after", 1}).isOk());
}

TEST_P(LifecycleTest, UrlConnectionStringForms) {
  SKIP_UNLESS_SERVER()
  nlohmann::json data = pluginData();
  std::string cs = connectionString();
  if (backend() == "postgres") {
    // key=value -> postgres:// URL with the same settings.
    std::map<std::string, std::string> kv;
    std::istringstream in(cs);
    for (std::string item; in >> item;) {
      auto eq = item.find('=');
      kv[item.substr(0, eq)] = item.substr(eq + 1);
    }
    data["connection_string"] = "postgres://" + kv["user"] + ":" + kv["password"] + "@" +
                                kv["host"] + ":" + kv["port"] + "/" + kv["dbname"] +
                                "?sslmode=disable&application_name=" + kv["application_name"] +
                                "&options=-csearch_path%3D" + kv["application_name"];
  } else {
    // The go-sql-driver DSN with extra parameters SPIRE configurations carry.
    data["connection_string"] = cs + "&charset=utf8mb4&timeout=10s&readTimeout=30s";
  }
  ds_.reset();
  auto loaded = load(data.dump());
  ASSERT_TRUE(loaded.isOk()) << data["connection_string"] << ": " << loaded.status().message();
  EXPECT_TRUE((*loaded)->countBundles().isOk());
}

TEST_P(LifecycleTest, AcceptsEveryDocumentedKey) {
  auto loaded = load(pluginData({{"max_open_conns", 4},
                                 {"max_idle_conns", 2},
                                 {"conn_max_lifetime", "1h30m"},
                                 {"ro_connection_string", connectionString()},
                                 {"log_sql", false},
                                 {"disable_migration", false}})
                         .dump());
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  EXPECT_TRUE((*loaded)->countBundles().isOk());
}

TEST_P(LifecycleTest, ShortConnectionLifetimeStillServes) {
  auto loaded =
      load(pluginData({{"max_open_conns", 2}, {"max_idle_conns", 1}, {"conn_max_lifetime", "1ms"}})
               .dump());
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        (*loaded)->createJoinToken(plugin_host::JoinToken{"t" + std::to_string(i), 1}).isOk());
  }
  EXPECT_TRUE((*(*loaded)->fetchJoinToken("t4")).has_value());
}

struct BadData {
  nlohmann::json data;
  std::string message;
};

TEST_P(LifecycleTest, BadPluginDataIsInvalidArgument) {
  const std::string path = (dir_.path() / "unused.sqlite3").string();
  const std::string my = "u:p@tcp(127.0.0.1:1)/db";
  std::vector<BadData> cases = {
      {nlohmann::json::object(), "database_type must be set"},
      {{{"database_type", "oracle"}, {"connection_string", path}},
       "unsupported database_type: \"oracle\""},
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
  auto add = [&](nlohmann::json data, std::string message) {
    cases.push_back({std::move(data), std::move(message)});
  };
#if SPIRE_DS_HAVE_POSTGRES
  add({{"database_type", "postgres"}}, "connection_string must be set");
  add({{"database_type", "postgres"}, {"connection_string", "dbname=x"}, {"client_key_path", "/k"}},
      "client_key_path is only valid with database_type \"mysql\"");
  // libpq's own verdict on the syntax, before any connection.
  add({{"database_type", "postgres"}, {"connection_string", "dbname"}},
      "connection_string: missing \"=\" after \"dbname\" in connection info string");
  add({{"database_type", "postgres"}, {"connection_string", "postgres://h/db?nosuch=1"}},
      "connection_string: invalid URI query parameter: \"nosuch\"");
  add({{"database_type", "postgres"},
       {"connection_string", "dbname=x"},
       {"ro_connection_string", "bogus"}},
      "ro_connection_string: missing \"=\" after \"bogus\" in connection info string");
#else
  add({{"database_type", "postgres"}, {"connection_string", "dbname=x"}},
      "database_type \"postgres\" is not supported by this build");
#endif
#if SPIRE_DS_HAVE_MYSQL
  add({{"database_type", "mysql"}, {"connection_string", "u:p@tcp(127.0.0.1:1)"}},
      "connection_string: invalid DSN: missing the slash separating the database name");
  add({{"database_type", "mysql"}, {"connection_string", "u:p@tcp(127.0.0.1:1/db"}},
      "connection_string: invalid DSN: network address not terminated (missing closing brace)");
  add({{"database_type", "mysql"}, {"connection_string", "u@udp(h)/db"}},
      "connection_string: invalid DSN: default addr for network 'udp' unknown");
  add({{"database_type", "mysql"}, {"connection_string", my + "?parseTime=maybe"}},
      "connection_string: invalid DSN: invalid bool value for parseTime: maybe");
  add({{"database_type", "mysql"}, {"connection_string", my + "?timeout=soon"}},
      "connection_string: invalid DSN: invalid duration for timeout: soon");
  add({{"database_type", "mysql"}, {"connection_string", "u@tcp(h:99999)/db"}},
      "connection_string: invalid DSN: invalid port in address h:99999");
  add({{"database_type", "mysql"}, {"connection_string", my}, {"ro_connection_string", "x"}},
      "ro_connection_string: invalid DSN: missing the slash separating the database name");
  add({{"database_type", "mysql"}, {"connection_string", my}, {"client_cert_path", "/c.pem"}},
      "client_cert_path and client_key_path must be set together");
  add({{"database_type", "mysql"},
       {"connection_string", my},
       {"client_cert_path", "/c.pem"},
       {"client_key_path", "/k.pem"}},
      "client_cert_path and client_key_path need root_ca_path");
#else
  add({{"database_type", "mysql"}, {"connection_string", my}},
      "database_type \"mysql\" is not supported by this build");
#endif
  for (const auto& c : cases) {
    SCOPED_TRACE(c.data.dump());
    expectRefused(openStatus(c.data), StatusCode::kInvalidArgument, c.message);
  }
}

SPIRE_DATASTORE_SUITE(LifecycleTest);

} // namespace
} // namespace spire::datastore_conformance
