// Trust bootstrap, join-token attestation over real TLS, and resuming from data_dir.

#include <filesystem>
#include <fstream>

#include "agent/manager/fake_server.h"
#include "agent/manager/manager_fixture.h"
#include "bundle/spiffe_bundle.h"
#include "crypto/certificate.h"
#include "x509/x509_svid.h"

namespace spire::testing {
namespace {

using agent::manager::AgentManager;
using agent::manager::kAgentKeyFile;
using agent::manager::kAgentSvidFile;
using agent::manager::kBundleFile;

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST_F(ManagerTest, AttestsWithJoinTokenAndStoresSvidAndBundle) {
  auto catalog = loadCatalog("disk");
  ASSERT_NE(catalog, nullptr);
  auto manager = startManager(config(), *catalog);
  ASSERT_TRUE(manager) << manager.status().toString();
  EXPECT_EQ((*manager)->agentId(), agentId());
  const agent::manager::ManagerStatus status = (*manager)->status();
  EXPECT_TRUE(status.attested_this_run);
  EXPECT_EQ(status.agent_id, agentId());
  ASSERT_EQ(status.agent_svid_chain_der.size(), 1u);
  EXPECT_EQ(server_.counters().attest, 1);

  const std::filesystem::path data = dir_.path() / "data";
  EXPECT_EQ(readFile(data / kAgentSvidFile), status.agent_svid_chain_der[0]);
  EXPECT_EQ(readFile(data / kBundleFile), crypto::certificateToDer(*server_.ca().root()));
  EXPECT_TRUE(std::filesystem::exists(data / kAgentKeyFile));
  const auto perms = std::filesystem::status(data / kAgentKeyFile).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(ManagerTest, RestartResumesFromDataDirWithoutAttesting) {
  auto catalog = loadCatalog("disk");
  ASSERT_NE(catalog, nullptr);
  {
    auto first = startManager(config(), *catalog);
    ASSERT_TRUE(first) << first.status().toString();
  }
  // The join token is single-use: attesting again would fail, so success means resumption.
  auto second = startManager(config(), *catalog);
  ASSERT_TRUE(second) << second.status().toString();
  EXPECT_EQ((*second)->agentId(), agentId());
  EXPECT_FALSE((*second)->status().attested_this_run);
  EXPECT_EQ(server_.counters().attest, 1);
  EXPECT_GE((*second)->status().sync_count, 1u);
}

TEST_F(ManagerTest, MemoryKeyManagerAttestsAgainOnRestartAndTheUsedTokenIsRefused) {
  auto catalog = loadCatalog("memory");
  ASSERT_NE(catalog, nullptr);
  {
    auto first = startManager(config(), *catalog);
    ASSERT_TRUE(first) << first.status().toString();
    EXPECT_FALSE(std::filesystem::exists(dir_.path() / "data" / kAgentKeyFile));
  }
  auto second = startManager(config(), *catalog);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(second.status().message(),
            "failed to attest: join token does not exist or has already been used");
  EXPECT_EQ(server_.counters().attest, 2);
}

TEST_F(ManagerTest, ExpiredStoredSvidMeansAttestingAgain) {
  auto catalog = loadCatalog("disk");
  ASSERT_NE(catalog, nullptr);
  {
    auto first = startManager(config(), *catalog);
    ASSERT_TRUE(first) << first.status().toString();
  }
  clock_.advance(std::chrono::hours(2)); // agent SVID TTL is 1 h
  server_.addJoinToken(kToken);
  auto second = startManager(config(), *catalog);
  ASSERT_TRUE(second) << second.status().toString();
  EXPECT_TRUE((*second)->status().attested_this_run);
  EXPECT_EQ(server_.counters().attest, 2);
}

TEST_F(ManagerTest, ServerNotSignedByTheTrustBundleIsRefused) {
  auto catalog = loadCatalog();
  ASSERT_NE(catalog, nullptr);
  agent::manager::ManagerConfig cfg = config();
  cfg.trust_bundle_contents = crypto::certificateToPem(*TestCa::createRoot("example.org").root());
  auto manager = startManager(cfg, *catalog);
  ASSERT_FALSE(manager);
  EXPECT_EQ(manager.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(manager.status().message().rfind("failed to attest: ", 0), 0u)
      << manager.status().message();
  EXPECT_EQ(server_.counters().attest, 0);
}

TEST_F(ManagerTest, InsecureBootstrapTakesTheBundleFromTheServer) {
  auto catalog = loadCatalog();
  ASSERT_NE(catalog, nullptr);
  agent::manager::ManagerConfig cfg = config();
  cfg.trust_bundle_contents.clear();
  cfg.insecure_bootstrap = true;
  auto manager = startManager(cfg, *catalog);
  ASSERT_TRUE(manager) << manager.status().toString();
  EXPECT_EQ((*manager)->agentId(), agentId());
  EXPECT_EQ(readFile(dir_.path() / "data" / kBundleFile),
            crypto::certificateToDer(*server_.ca().root()));
}

TEST_F(ManagerTest, NoBootstrapSourceIsAnError) {
  auto catalog = loadCatalog();
  ASSERT_NE(catalog, nullptr);
  agent::manager::ManagerConfig cfg = config();
  cfg.trust_bundle_contents.clear();
  auto manager = startManager(cfg, *catalog);
  ASSERT_FALSE(manager);
  EXPECT_EQ(manager.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(manager.status().message(),
            "no trust bundle configured: set trust_bundle_path or insecure_bootstrap");
}

TEST_F(ManagerTest, TrustBundleFromFileInSpiffeFormat) {
  auto catalog = loadCatalog();
  ASSERT_NE(catalog, nullptr);
  bundle::SpiffeBundle spiffe = bundle::SpiffeBundle::fromX509Bundle(server_.ca().bundle());
  const std::filesystem::path path = dir_.path() / "bundle.json";
  std::ofstream(path) << spiffe.marshal().value();
  agent::manager::ManagerConfig cfg = config();
  cfg.trust_bundle_contents.clear();
  cfg.trust_bundle_path = path.string();
  cfg.trust_bundle_format = agent::manager::TrustBundleFormat::kSpiffe;
  auto manager = startManager(cfg, *catalog);
  ASSERT_TRUE(manager) << manager.status().toString();
  EXPECT_EQ((*manager)->agentId(), agentId());
}

TEST_F(ManagerTest, MissingTrustBundleFileIsAnError) {
  auto catalog = loadCatalog();
  ASSERT_NE(catalog, nullptr);
  agent::manager::ManagerConfig cfg = config();
  cfg.trust_bundle_path = (dir_.path() / "absent.pem").string();
  auto manager = startManager(cfg, *catalog);
  ASSERT_FALSE(manager);
  EXPECT_EQ(manager.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(manager.status().message(), "could not load trust bundle: open " +
                                            cfg.trust_bundle_path + ": No such file or directory");
}

TEST_F(ManagerTest, InvalidConfigIsRefusedBeforeAnyCall) {
  auto catalog = loadCatalog();
  ASSERT_NE(catalog, nullptr);
  agent::manager::ManagerConfig cfg = config();
  cfg.trust_domain = "Not A Domain";
  auto bad_td = startManager(cfg, *catalog);
  ASSERT_FALSE(bad_td);
  EXPECT_EQ(bad_td.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_td.status().message().rfind("invalid trust domain: ", 0), 0u);
  cfg = config();
  cfg.server_port = 0;
  auto bad_port = startManager(cfg, *catalog);
  ASSERT_FALSE(bad_port);
  EXPECT_EQ(bad_port.status(),
            Status(StatusCode::kInvalidArgument, "server_address and server_port are required"));
  EXPECT_EQ(server_.counters().attest, 0);
}

} // namespace
} // namespace spire::testing
