// The CA manager over the real built-in plugins: KeyManager "memory", DataStore "sql" (SQLite in
// a temp dir), UpstreamAuthority "disk".

#include <gtest/gtest.h>

#include "ca_test_util.h"
#include "crypto/certificate.h"
#include "crypto/pem.h"
#include "plugin_host/datastore.h"
#include "plugin_host/key_manager.h"
#include "plugin_host/upstream_authority.h"
#include "server/ca/ca_manager.h"
#include "support/temp_dir.h"
#include "support/test_ca.h"
#include "x509/x509_verify.h"

namespace spire::server::ca {
namespace {

using namespace std::chrono_literals;

spiffe::SpiffeId id(const std::string& text) {
  return *spiffe::SpiffeId::parse(text);
}

class PluginIntegrationTest : public ::testing::Test {
protected:
  void SetUp() override {
    for (const char* file : {"key_manager_memory.so", "data_store_sql.so"}) {
      if (!std::filesystem::exists(testing::pluginDir() / file)) {
        GTEST_SKIP() << file << " is not built in this tree";
      }
    }
    auto km = testing::loadBuiltin("KeyManager", "memory");
    ASSERT_TRUE(km.isOk()) << km.status().message();
    key_manager_ = std::make_unique<plugin_host::KeyManagerPlugin>(*km);
    keys_ = std::make_unique<PluginKeyStore>(*key_manager_);
    openDatastore();
  }
  void openDatastore() {
    store_.reset();
    datastore_.reset();
    nlohmann::json data = {{"database_type", "sqlite3"},
                           {"connection_string", (dir_.path() / "ds.sqlite3").string()}};
    auto ds = testing::loadBuiltin("DataStore", "sql", data.dump());
    ASSERT_TRUE(ds.isOk()) << ds.status().message();
    datastore_ = std::make_unique<plugin_host::DataStorePlugin>(*ds);
    store_ = std::make_unique<DataStoreCaStore>(*datastore_);
  }
  CaManagerConfig config() const {
    CaManagerConfig config;
    config.credentials.trust_domain = *spiffe::TrustDomain::parse("example.org");
    config.clock = clock_.clock();
    return config;
  }

  spire::testing::TempDir dir_;
  testing::FakeClock clock_;
  std::unique_ptr<plugin_host::KeyManagerPlugin> key_manager_;
  std::unique_ptr<PluginKeyStore> keys_;
  std::unique_ptr<plugin_host::DataStorePlugin> datastore_;
  std::unique_ptr<DataStoreCaStore> store_;
};

TEST_F(PluginIntegrationTest, IssuesAndRestartsOnSqlDatastore) {
  auto first = CaManager::start(config(), *keys_, *store_);
  ASSERT_TRUE(first.isOk()) << first.status().message();
  auto snap = (*first)->snapshot();
  auto key = crypto::generateKey(crypto::KeyType::kEcP256);
  auto chain = (*first)->signWorkloadX509Svid(id("spiffe://example.org/w"), key->get(), 0s, {});
  ASSERT_TRUE(chain.isOk()) << chain.status().message();
  x509::X509BundleSet set({*snap->bundle});
  EXPECT_TRUE(x509::verifyX509Svid(*chain, &set, clock_.now()).isOk());
  // The journal row names the active authorities.
  auto journals = datastore_->listCaJournals();
  ASSERT_TRUE(journals.isOk());
  ASSERT_EQ(journals->size(), 1u);
  EXPECT_EQ(journals->front().active_x509_authority_id, snap->x509->authority_id);
  EXPECT_EQ(journals->front().active_jwt_authority_id, snap->jwt->kid);
  // The stored bundle holds the CA and the JWT key.
  auto bundle = datastore_->fetchBundle("example.org");
  ASSERT_TRUE(bundle.isOk() && bundle->has_value());
  EXPECT_EQ((*bundle)->x509_authorities.size(), 1u);
  EXPECT_EQ((*bundle)->jwt_authorities.size(), 1u);

  first->reset();
  openDatastore(); // a new DataStore instance on the same database file
  clock_.advance(2h);
  auto second = CaManager::start(config(), *keys_, *store_);
  ASSERT_TRUE(second.isOk()) << second.status().message();
  EXPECT_EQ((*second)->snapshot()->x509->authority_id, snap->x509->authority_id);
  EXPECT_EQ((*second)->snapshot()->jwt->kid, snap->jwt->kid);
}

// Over the memory KeyManager and an in-memory CaStore (the sql DataStore is covered above).
TEST(UpstreamDiskTest, UpstreamDiskMintsTheCa) {
  if (!std::filesystem::exists(testing::pluginDir() / "key_manager_memory.so")) {
    GTEST_SKIP() << "key_manager_memory.so is not built in this tree";
  }
  auto km = testing::loadBuiltin("KeyManager", "memory");
  ASSERT_TRUE(km.isOk()) << km.status().message();
  plugin_host::KeyManagerPlugin key_manager(*km);
  PluginKeyStore keys(key_manager);
  testing::MemoryCaStore store;
  spire::testing::TempDir dir;
  // The disk plugin stamps certificates with the wall clock, so this test runs on it too.
  spire::testing::TestCa root = spire::testing::TestCa::createRoot("example.org");
  std::string cert_path = dir.writeFile("upstream.crt", crypto::certificateToPem(*root.cert()));
  std::string key_path =
      dir.writeFile("upstream.key", *crypto::marshalPkcs8PrivateKeyPem(root.key()));
  nlohmann::json data = {{"cert_file_path", cert_path}, {"key_file_path", key_path}};
  auto loaded = testing::loadBuiltin("UpstreamAuthority", "disk", data.dump());
  if (!loaded.isOk()) {
    GTEST_SKIP() << "UpstreamAuthority disk not usable: " << loaded.status().message();
  }
  plugin_host::UpstreamAuthorityPlugin upstream(*loaded);
  CaManagerConfig cfg;
  cfg.credentials.trust_domain = *spiffe::TrustDomain::parse("example.org");
  cfg.credentials.ca_ttl = 1h;
  cfg.upstream = pluginUpstreamMinter(upstream);
  auto manager = CaManager::start(cfg, keys, store);
  ASSERT_TRUE(manager.isOk()) << manager.status().message();
  auto snap = (*manager)->snapshot();
  // The bundle holds the upstream root, not the intermediate.
  ASSERT_EQ(snap->bundle->authorities().size(), 1u);
  EXPECT_TRUE(crypto::certificatesEqual(*snap->bundle->authorities().front(), *root.cert()));
  EXPECT_EQ(crypto::issuerName(*snap->x509->certificate), crypto::subjectName(*root.cert()));
  EXPECT_TRUE(crypto::isCa(*snap->x509->certificate));
  auto key = crypto::generateKey(crypto::KeyType::kEcP256);
  auto chain = (*manager)->signWorkloadX509Svid(id("spiffe://example.org/w"), key->get(), 0s, {});
  ASSERT_TRUE(chain.isOk()) << chain.status().message();
  ASSERT_EQ(chain->size(), 2u); // leaf + minted CA
  x509::X509BundleSet set({*snap->bundle});
  auto verified = x509::verifyX509Svid(*chain, &set, std::chrono::system_clock::now());
  EXPECT_TRUE(verified.isOk()) << verified.status().message();
}

TEST(UpstreamMinterTest, MintedCaMustHoldOurKey) {
  testing::LocalKeyStore keys;
  testing::MemoryCaStore store;
  spire::testing::TestCa root = spire::testing::TestCa::createRoot("example.org");
  CaManagerConfig cfg;
  cfg.credentials.trust_domain = *spiffe::TrustDomain::parse("example.org");
  // An "upstream" that ignores the CSR and returns some other CA.
  cfg.upstream = [&](const std::string&, std::chrono::seconds) -> Result<UpstreamCa> {
    spire::testing::TestCa other = root.createIntermediate();
    return UpstreamCa{{other.cert()}, {root.cert()}};
  };
  auto manager = CaManager::start(cfg, keys, store);
  EXPECT_EQ(manager.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(manager.status().message(), "upstream authority returned a CA for a different key");
  cfg.upstream = [](const std::string&, std::chrono::seconds) -> Result<UpstreamCa> {
    return Status(StatusCode::kUnavailable, "down");
  };
  auto down = CaManager::start(cfg, keys, store);
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(down.status().message(), "upstream authority failed to mint X509 CA: down");
}

TEST(UpstreamMinterTest, ParseUpstreamAnswerChecks) {
  spire::testing::TestCa root = spire::testing::TestCa::createRoot("example.org");
  auto der = [](const crypto::X509Shared& c) { return toBytes(crypto::certificateToDer(*c)); };
  EXPECT_EQ(parseUpstreamAnswer({}, {der(root.cert())}).status().message(),
            "upstream authority returned an empty X509 CA chain");
  EXPECT_EQ(parseUpstreamAnswer({der(root.cert())}, {}).status().message(),
            "upstream authority returned no upstream roots");
  auto leaf = root.issueLeaf();
  EXPECT_EQ(parseUpstreamAnswer({der(leaf.chain.front())}, {der(root.cert())}).status().message(),
            "upstream authority returned a non-CA certificate");
  auto bad = parseUpstreamAnswer({toBytes("junk")}, {der(root.cert())});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(
      bad.status().message().rfind("upstream authority returned a malformed X509 CA chain: ", 0),
      0u);
  EXPECT_TRUE(parseUpstreamAnswer({der(root.createIntermediate().cert())}, {der(root.cert())}));
}

} // namespace
} // namespace spire::server::ca

namespace spire::server::ca {
namespace {

// An authority another server of an HA deployment stored reaches this CA's snapshot on reload.
TEST_F(PluginIntegrationTest, ReloadBundlePicksUpAuthoritiesAddedToTheStore) {
  auto manager = CaManager::start(config(), *keys_, *store_);
  ASSERT_TRUE(manager.isOk()) << manager.status().message();
  ASSERT_EQ((*manager)->snapshot()->bundle->authorities().size(), 1u);

  spire::testing::TestCa other = spire::testing::TestCa::createRoot("example.org");
  std::string der = crypto::certificateToDer(*other.cert());
  plugin_host::Bundle addition;
  addition.trust_domain = "example.org";
  addition.x509_authorities.push_back({plugin_host::Bytes(der.begin(), der.end()), false});
  ASSERT_TRUE(datastore_->appendBundle(addition).isOk());
  EXPECT_EQ((*manager)->snapshot()->bundle->authorities().size(), 1u);

  ASSERT_TRUE((*manager)->reloadBundle().isOk());
  EXPECT_EQ((*manager)->snapshot()->bundle->authorities().size(), 2u);
  // Signing still works from the same active CA.
  EXPECT_NE((*manager)->snapshot()->x509, nullptr);
}

} // namespace
} // namespace spire::server::ca
