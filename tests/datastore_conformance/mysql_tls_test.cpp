// MySQL TLS keys (root_ca_path) against the throw-away MariaDB, whose certificate is signed by the
// CA in SPIRE_TEST_MYSQL_CA (scripts/db/start-mariadb.sh). A user that REQUIRE SSL proves the
// session really is encrypted; an unrelated CA proves the server is verified.

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "crypto/openssl_ptr.h"
#include "datastore_conformance/datastore_fixture.h"

namespace spire::datastore_conformance {
namespace {

class MysqlTlsTest : public DataStoreTest {
protected:
  void SetUp() override {
    DataStoreTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) {
      return;
    }
    if (backend() != "mysql") {
      GTEST_SKIP() << "MySQL only";
    }
    const char* ca = std::getenv("SPIRE_TEST_MYSQL_CA");
    if (ca == nullptr || *ca == '\0') {
      if (const char* all = std::getenv("SPIRE_REQUIRE_ALL_BACKENDS");
          all && std::string(all) == "1") {
        FAIL() << "SPIRE_REQUIRE_ALL_BACKENDS=1 but SPIRE_TEST_MYSQL_CA is not set";
      }
      GTEST_SKIP() << "SPIRE_TEST_MYSQL_CA is not set";
    }
    ca_ = ca;
    // A user that may only connect over TLS, on this case's database.
    user_ = "tls_" + std::to_string(::getpid());
    rawExec("DROP USER IF EXISTS '" + user_ + "'@'%'");
    rawExec("CREATE USER '" + user_ + "'@'%' IDENTIFIED BY 'pw' REQUIRE SSL");
    rawExec("GRANT ALL PRIVILEGES ON *.* TO '" + user_ + "'@'%'");
  }
  void TearDown() override {
    if (!user_.empty()) {
      rawExec("DROP USER IF EXISTS '" + user_ + "'@'%'");
    }
    DataStoreTest::TearDown();
  }
  // The case's DSN with the TLS-only user.
  std::string tlsDsn() const {
    const std::string& cs = connectionString();
    return user_ + ":pw" + cs.substr(cs.find('@'));
  }

  std::string ca_;
  std::string user_;
};

TEST_P(MysqlTlsTest, RootCaPathEncryptsAndVerifiesTheServer) {
  auto loaded = load(pluginData({{"connection_string", tlsDsn()}, {"root_ca_path", ca_}}).dump());
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  EXPECT_TRUE((*loaded)->createJoinToken(plugin_host::JoinToken{"over-tls", 1}).isOk());
}

TEST_P(MysqlTlsTest, WithoutTlsTheTlsOnlyUserIsRefused) {
  auto loaded = load(pluginData({{"connection_string", tlsDsn()}}).dump());
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.status().code(), StatusCode::kUnavailable) << loaded.status().message();
  EXPECT_NE(loaded.status().message().find("unable to connect to MySQL: Access denied"),
            std::string::npos)
      << loaded.status().message();
}

TEST_P(MysqlTlsTest, AServerCertificateFromAnotherCaIsRefused) {
  // An unrelated self-signed certificate as the trusted CA.
  TestCert other = makeCert(now() + 3600);
  const unsigned char* p = other.der.data();
  crypto::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(other.der.size())));
  ASSERT_NE(cert, nullptr);
  std::string path = (dir_.path() / "other-ca.pem").string();
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  PEM_write_X509(f, cert.get());
  std::fclose(f);
  auto loaded = load(pluginData({{"connection_string", tlsDsn()}, {"root_ca_path", path}}).dump());
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.status().code(), StatusCode::kUnavailable) << loaded.status().message();
  EXPECT_NE(loaded.status().message().find("unable to connect to MySQL: "), std::string::npos)
      << loaded.status().message();
}

SPIRE_DATASTORE_SUITE(MysqlTlsTest);

} // namespace
} // namespace spire::datastore_conformance
