#include "datastore_conformance/datastore_fixture.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>

#include "crypto/openssl_ptr.h"
#include "datastore/sql/config.h"
#if SPIRE_DS_HAVE_MYSQL
#include "datastore/sql/mysql_db.h"
#endif
#if SPIRE_DS_HAVE_POSTGRES
#include "datastore/sql/pg_db.h"
#endif
#include "datastore/sql/sqlite_db.h"
#include "plugin_host/loader.h"

// LeakSanitizer: libpqxx 6.4 leaks one PGresult when a statement it runs itself through PQexec
// (not the plugin's exec_params) meets a connection the server terminated (the reconnect case).
// The leak is inside libpqxx, not in the plugin, so that library alone is suppressed.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libpqxx-6.4.so\n";
}

namespace spire::datastore_conformance {

namespace sqldb = datastore::sql;

namespace {

std::string envString(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

const char* serverVariable(const std::string& backend) {
  return backend == "postgres" ? "SPIRE_TEST_POSTGRES_DSN" : "SPIRE_TEST_MYSQL_DSN";
}

// The go-sql-driver DSN with its database name replaced.
std::string withMysqlDatabase(const std::string& dsn, const std::string& database) {
  auto slash = dsn.rfind('/');
  auto question = dsn.find('?', slash);
  return dsn.substr(0, slash + 1) + database +
         (question == std::string::npos ? "" : dsn.substr(question));
}

std::string nameOf(const std::string& connection_string, const std::string& backend) {
  if (backend == "postgres") {
    return connection_string.substr(connection_string.rfind("application_name=") + 17);
  }
  return sqldb::parseMysqlDsn(connection_string).database;
}

} // namespace

std::vector<std::string> datastoreBackends() {
  return {"sqlite3", "postgres", "mysql"};
}

void DataStoreTest::SetUp() {
  if (backend() != "sqlite3" && envString(serverVariable(backend())).empty()) {
    if (envString("SPIRE_REQUIRE_ALL_BACKENDS") == "1") {
      FAIL() << "SPIRE_REQUIRE_ALL_BACKENDS=1 but " << serverVariable(backend())
             << " is not set (scripts/db/with-databases.sh starts the servers and sets it)";
    }
    GTEST_SKIP() << serverVariable(backend())
                 << " is not set (scripts/db/with-databases.sh starts the servers and sets it)";
  }
  connection_string_ = freshDatabase();
  if (HasFatalFailure()) {
    return;
  }
  auto loaded = load(pluginData().dump());
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  ds_ = std::move(loaded).value();
}

void DataStoreTest::TearDown() {
  ds_.reset();
  raw_.reset();
  if (databases_.empty()) {
    return;
  }
  try {
    auto admin = open(envString(serverVariable(backend())));
    for (const auto& name : databases_) {
      admin->exec(backend() == "postgres" ? "DROP SCHEMA IF EXISTS " + name + " CASCADE"
                                          : "DROP DATABASE IF EXISTS " + name);
    }
  } catch (const sqldb::DbError& e) {
    ADD_FAILURE() << "dropping the case's databases: " << e.what();
  }
}

std::string DataStoreTest::databasePath() const {
  return (dir_.path() / "datastore.sqlite3").string();
}

std::string DataStoreTest::freshDatabase() {
  static int counter = 0;
  ++counter;
  if (backend() == "sqlite3") {
    return connection_string_.empty()
               ? databasePath()
               : (dir_.path() / ("datastore-" + std::to_string(counter) + ".sqlite3")).string();
  }
  return createDatabase("spire_t_" + std::to_string(::getpid()) + "_" + std::to_string(counter));
}

std::string DataStoreTest::createDatabase(const std::string& name) {
  const std::string server = envString(serverVariable(backend()));
  try {
    auto admin = open(server);
    if (backend() == "postgres") {
      // A schema per case (CREATE DATABASE costs ~0.5 s); the plugin works in the connection's
      // current schema. application_name lets dropServerSessions() find the case's sessions.
      admin->exec("CREATE SCHEMA " + name);
      databases_.push_back(name);
      return server + " options='-csearch_path=" + name + "' application_name=" + name;
    }
    admin->exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
    databases_.push_back(name);
    return withMysqlDatabase(server, name);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "creating database " << name << ": " << e.what();
    return {};
  }
}

sqldb::ConnectionPtr DataStoreTest::open(const std::string& connection_string) const {
  if (backend() == "postgres") {
#if SPIRE_DS_HAVE_POSTGRES
    return sqldb::openPostgres(sqldb::PostgresOptions{connection_string, nullptr});
#else
    throw std::runtime_error("this build has no postgres backend");
#endif
  }
  if (backend() == "mysql") {
#if SPIRE_DS_HAVE_MYSQL
    sqldb::MysqlOptions options;
    options.dsn = sqldb::parseMysqlDsn(connection_string);
    return sqldb::openMysql(options);
#else
    throw std::runtime_error("this build has no mysql backend");
#endif
  }
  sqldb::SqliteOptions options;
  options.uri = sqldb::sqliteUri(connection_string, "unused");
  return sqldb::openSqlite(options);
}

sqldb::Connection& DataStoreTest::raw() {
  if (!raw_ || !raw_->healthy()) {
    raw_ = open(connection_string_);
  }
  return *raw_;
}

void DataStoreTest::rawExec(const std::string& sql, const sqldb::Params& params) {
  try {
    raw().exec(sql, params);
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what() << " in " << sql;
  }
}

void DataStoreTest::rawExecOn(const std::string& connection_string, const std::string& sql) {
  try {
    open(connection_string)->exec(sql);
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what() << " in " << sql;
  }
}

std::string DataStoreTest::rawQuery(const std::string& sql) {
  try {
    auto st = raw().query(sql, {});
    return st->next() && !st->isNull(0) ? st->getText(0) : std::string();
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what() << " in " << sql;
    return {};
  }
}

std::string DataStoreTest::rawQueryOn(const std::string& connection_string,
                                      const std::string& sql) {
  try {
    auto conn = open(connection_string); // outlives its statement
    auto st = conn->query(sql, {});
    return st->next() && !st->isNull(0) ? st->getText(0) : std::string();
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what() << " in " << sql;
    return {};
  }
}

bool DataStoreTest::indexExists(const std::string& index) {
  std::string sql;
  if (backend() == "postgres") {
    sql = "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = '";
  } else if (backend() == "mysql") {
    sql = "SELECT COUNT(DISTINCT index_name) FROM information_schema.statistics WHERE "
          "table_schema = DATABASE() AND index_name = '";
  } else {
    sql = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = '";
  }
  return rawQuery(sql + index + "'") == "1";
}

bool DataStoreTest::columnExists(const std::string& table, const std::string& column) {
  if (backend() == "sqlite3") {
    return rawQuery("SELECT COUNT(*) FROM pragma_table_info('" + table + "') WHERE name = '" +
                    column + "'") == "1";
  }
  std::string schema = backend() == "postgres" ? "current_schema()" : "DATABASE()";
  return rawQuery("SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = " + schema +
                  " AND table_name = '" + table + "' AND column_name = '" + column + "'") == "1";
}

std::int64_t DataStoreTest::tableCountOn(const std::string& connection_string) {
  std::string sql;
  if (backend() == "sqlite3") {
    sql = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
  } else {
    sql = std::string("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ") +
          (backend() == "postgres" ? "current_schema()" : "DATABASE()");
  }
  std::string n = rawQueryOn(connection_string, sql);
  return n.empty() ? -1 : std::stoll(n);
}

void DataStoreTest::dropServerSessions() {
  raw_.reset();
  const std::string name = nameOf(connection_string_, backend());
  try {
    auto admin = open(envString(serverVariable(backend())));
    if (backend() == "postgres") {
      auto st = admin->query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                             "application_name = ? AND pid <> pg_backend_pid()",
                             {name});
      while (st->next()) {
      }
      return;
    }
    std::vector<std::int64_t> ids;
    auto st = admin->query("SELECT id FROM information_schema.processlist WHERE db = ? AND "
                           "id <> CONNECTION_ID()",
                           {name});
    while (st->next()) {
      ids.push_back(st->getInt(0));
    }
    st.reset();
    for (std::int64_t id : ids) {
      admin->exec("KILL CONNECTION " + std::to_string(id));
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "ending the server sessions: " << e.what();
  }
}

nlohmann::json DataStoreTest::pluginData(const nlohmann::json& extra) const {
  nlohmann::json data = {{"database_type", GetParam()}, {"connection_string", connection_string_}};
  data.update(extra);
  return data;
}

Result<std::unique_ptr<DataStorePlugin>>
DataStoreTest::load(const std::string& plugin_data, std::shared_ptr<spdlog::logger> logger) const {
  config::PluginSpec spec;
  spec.type = "DataStore";
  spec.name = "sql";
  spec.data_json = plugin_data;
  plugin_host::LoaderOptions options;
  options.role = plugin_host::Role::kServer;
  options.plugin_dir = SPIRE_TEST_PLUGIN_DIR;
  options.trust_domain = "example.org";
  options.logger = std::move(logger);
  auto loaded = plugin_host::loadPlugin(spec, options);
  if (!loaded.isOk()) {
    return loaded.status();
  }
  return std::make_unique<DataStorePlugin>(std::move(loaded).value());
}

void DataStoreTest::reopen() {
  ds_.reset();
  auto loaded = load(pluginData().dump());
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  ds_ = std::move(loaded).value();
}

Entry makeEntry(const std::string& spiffe_path, const std::string& parent_path,
                std::vector<Selector> selectors) {
  Entry e;
  e.spiffe_id = "spiffe://example.org" + spiffe_path;
  e.parent_id = "spiffe://example.org" + parent_path;
  e.selectors = std::move(selectors);
  return e;
}

Bundle makeBundle(const std::string& trust_domain) {
  Bundle b;
  b.trust_domain = trust_domain;
  b.refresh_hint = 300;
  b.sequence_number = 1;
  return b;
}

void expectError(const Status& status, StatusCode code, const std::string& plugin_message) {
  EXPECT_EQ(status.code(), code) << status.message();
  EXPECT_EQ(status.message(), "DataStore \"sql\": " + plugin_message);
}

std::int64_t now() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

TestCert makeCert(std::int64_t not_after) {
  crypto::EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  crypto::X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), not_after - 3600);
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), not_after);
  X509_set_pubkey(cert.get(), key.get());
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  crypto::X509ExtensionPtr ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_key_identifier, "hash"));
  X509_add_ext(cert.get(), ext.get(), -1);
  X509_sign(cert.get(), key.get(), EVP_sha256());
  unsigned char* der = nullptr;
  int len = i2d_X509(cert.get(), &der);
  TestCert out;
  out.der.assign(der, der + len);
  OPENSSL_free(der);
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(cert.get());
  static const char* kHex = "0123456789abcdef";
  for (int i = 0; i < ASN1_STRING_length(ski); ++i) {
    unsigned char c = ASN1_STRING_get0_data(ski)[i];
    out.ski += kHex[c >> 4];
    out.ski += kHex[c & 15];
  }
  return out;
}

} // namespace spire::datastore_conformance
