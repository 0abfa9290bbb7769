#include "datastore_conformance/datastore_fixture.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sqlite3.h>

#include <ctime>

#include "crypto/openssl_ptr.h"
#include "plugin_host/loader.h"

namespace spire::datastore_conformance {

std::vector<std::string> datastoreBackends() {
  return {"sqlite3"};
}

void DataStoreTest::SetUp() {
  auto loaded = load(pluginData().dump());
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  ds_ = std::move(loaded).value();
}

std::string DataStoreTest::databasePath() const {
  return (dir_.path() / "datastore.sqlite3").string();
}

nlohmann::json DataStoreTest::pluginData(const nlohmann::json& extra) const {
  nlohmann::json data = {{"database_type", GetParam()}, {"connection_string", databasePath()}};
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

void rawExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "") << " in " << sql;
  sqlite3_free(error);
  sqlite3_close(db);
}

std::string rawQuery(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
  std::string out;
  if (st != nullptr && sqlite3_step(st) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(st, 0);
    out = text != nullptr ? reinterpret_cast<const char*>(text) : "";
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
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
