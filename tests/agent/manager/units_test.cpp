// The manager's pure parts: sync back-off, API message conversion, trust bundle parsing, the
// data_dir files and the server identity check.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "agent/manager/agent_manager.h"
#include "agent/manager/agent_storage.h"
#include "agent/manager/convert.h"
#include "agent/manager/server_channel.h"
#include "agent/manager/sync_backoff.h"
#include "agent/manager/trust_bootstrap.h"
#include "bundle/spiffe_bundle.h"
#include "crypto/certificate.h"
#include "crypto/csr.h"
#include "crypto/key.h"
#include "support/temp_dir.h"
#include "support/test_ca.h"

namespace spire::agent::manager {
namespace {

using namespace std::chrono_literals;
using spire::testing::TempDir;
using spire::testing::TestCa;

spiffe::TrustDomain td() {
  return spiffe::TrustDomain::parse("example.org").value();
}

TEST(SyncBackoffTest, DoublesFromTheIntervalUpToTheCap) {
  const std::chrono::nanoseconds cap = syncBackoffCap(5s, 0s);
  EXPECT_EQ(cap, std::chrono::nanoseconds(240s)); // 48 x 5 s < 8 min
  EXPECT_EQ(nextSyncDelay(5s, 0, cap), std::chrono::nanoseconds(5s));
  EXPECT_EQ(nextSyncDelay(5s, 1, cap), std::chrono::nanoseconds(10s));
  EXPECT_EQ(nextSyncDelay(5s, 3, cap), std::chrono::nanoseconds(40s));
  EXPECT_EQ(nextSyncDelay(5s, 6, cap), std::chrono::nanoseconds(240s));
  EXPECT_EQ(nextSyncDelay(5s, 1000, cap), std::chrono::nanoseconds(240s));
}

TEST(SyncBackoffTest, CapIsEightMinutesForLongIntervalsOrAsConfigured) {
  EXPECT_EQ(syncBackoffCap(1min, 0s), std::chrono::nanoseconds(8min));
  EXPECT_EQ(syncBackoffCap(5s, 30s), std::chrono::nanoseconds(30s));
  // An interval above the cap is still the floor.
  EXPECT_EQ(nextSyncDelay(10min, 2, syncBackoffCap(10min, 0s)), std::chrono::nanoseconds(10min));
}

spire::api::types::Entry validEntry() {
  spire::api::types::Entry entry;
  entry.set_id("e1");
  entry.mutable_spiffe_id()->set_trust_domain("example.org");
  entry.mutable_spiffe_id()->set_path("/web");
  entry.mutable_parent_id()->set_trust_domain("example.org");
  entry.mutable_parent_id()->set_path("/spire/agent/x");
  auto* selector = entry.add_selectors();
  selector->set_type("unix");
  selector->set_value("uid:1000");
  entry.set_x509_svid_ttl(60);
  entry.add_federates_with("other.org");
  entry.set_revision_number(7);
  entry.set_hint("h");
  entry.mutable_additional_attributes()->set_disable_x509_svid_prefetch(true);
  return entry;
}

TEST(ConvertTest, EntryFromProto) {
  Result<cache::AgentEntry> entry = entryFromProto(validEntry());
  ASSERT_TRUE(entry) << entry.status().toString();
  EXPECT_EQ(entry->entry_id, "e1");
  EXPECT_EQ(entry->spiffe_id, "spiffe://example.org/web");
  EXPECT_EQ(entry->parent_id, "spiffe://example.org/spire/agent/x");
  ASSERT_EQ(entry->selectors.size(), 1u);
  EXPECT_EQ(entry->selectors[0], (cache::Selector{"unix", "uid:1000"}));
  EXPECT_EQ(entry->x509_svid_ttl, 60);
  EXPECT_EQ(entry->federates_with, std::vector<std::string>{"other.org"});
  EXPECT_EQ(entry->revision_number, 7);
  EXPECT_EQ(entry->hint, "h");
  EXPECT_TRUE(entry->disable_x509_svid_prefetch);
}

TEST(ConvertTest, EntryWithInvalidIdOrNoIdIsRefused) {
  spire::api::types::Entry bad = validEntry();
  bad.mutable_spiffe_id()->set_path("web");
  Result<cache::AgentEntry> entry = entryFromProto(bad);
  ASSERT_FALSE(entry);
  EXPECT_EQ(entry.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(entry.status().message(),
            "entry e1: invalid SPIFFE ID: " +
                spiffe::SpiffeId::fromPath(spiffe::TrustDomain::parse("example.org").value(), "web")
                    .status()
                    .message());
  bad = validEntry();
  bad.clear_id();
  EXPECT_EQ(entryFromProto(bad).status(), invalidArgument("entry has no ID"));
}

TEST(ConvertTest, BundleFromProto) {
  TestCa ca = TestCa::createRoot("example.org");
  spire::api::types::Bundle proto;
  proto.set_trust_domain("example.org");
  proto.add_x509_authorities()->set_asn1(crypto::certificateToDer(*ca.root()));
  crypto::EvpPkeyPtr key = crypto::generateKey(crypto::KeyType::kEcP256).value();
  auto* jwt = proto.add_jwt_authorities();
  jwt->set_public_key(crypto::marshalPublicKeyDer(*key).value());
  jwt->set_key_id("kid");
  proto.set_refresh_hint(300);
  proto.set_sequence_number(4);
  Result<bundle::SpiffeBundle> bundle = bundleFromProto(proto);
  ASSERT_TRUE(bundle) << bundle.status().toString();
  ASSERT_EQ(bundle->x509Authorities().size(), 1u);
  EXPECT_TRUE(bundle->findJwtAuthority("kid") != nullptr);
  EXPECT_EQ(bundle->refreshHint(), std::optional<std::chrono::seconds>(300s));
  EXPECT_EQ(bundle->sequenceNumber(), std::optional<uint64_t>(4));
}

TEST(ConvertTest, BundleWithBadAuthorityOrTrustDomainIsRefused) {
  spire::api::types::Bundle proto;
  proto.set_trust_domain("example.org");
  proto.add_x509_authorities()->set_asn1("not der");
  Result<bundle::SpiffeBundle> bundle = bundleFromProto(proto);
  EXPECT_EQ(bundle.status(),
            invalidArgument("invalid X.509 authority in bundle for \"example.org\": " +
                            crypto::parseCertificateDer("not der").status().message()));
  proto.Clear();
  proto.set_trust_domain("Bad TD");
  EXPECT_EQ(bundleFromProto(proto).status(),
            invalidArgument("invalid bundle trust domain: " +
                            spiffe::TrustDomain::parse("Bad TD").status().message()));
}

TEST(ConvertTest, SvidMustMatchTheKeyOfTheCsr) {
  TestCa ca = TestCa::createRoot("example.org");
  spire::testing::IssuedLeaf leaf = ca.issueLeaf();
  spire::api::types::X509SVID proto;
  proto.add_cert_chain(crypto::certificateToDer(*leaf.chain[0]));
  proto.set_hint("internal");
  crypto::EvpPkeyPtr right = crypto::parsePkcs8PrivateKeyDer(leaf.keyDer()).value();
  Result<x509::X509Svid> svid = svidFromProto(proto, right);
  ASSERT_TRUE(svid) << svid.status().toString();
  EXPECT_EQ(svid->hint, "internal");
  crypto::EvpPkeyPtr wrong = crypto::generateKey(crypto::KeyType::kEcP256).value();
  Result<x509::X509Svid> mismatched = svidFromProto(proto, wrong);
  ASSERT_FALSE(mismatched);
  EXPECT_EQ(mismatched.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(mismatched.status().message().rfind("invalid SVID: ", 0), 0u);
}

TEST(ConvertTest, CsrCarriesTheKeyAndIsSelfSigned) {
  crypto::EvpPkeyPtr key = crypto::generateKey(crypto::KeyType::kEcP384).value();
  Result<std::string> der = makeCsrDer(*key);
  ASSERT_TRUE(der);
  crypto::X509ReqPtr csr = crypto::parseCsrDer(*der).value();
  EXPECT_TRUE(crypto::checkCsrSignature(*csr).isOk());
  EXPECT_TRUE(crypto::publicKeysEqual(*crypto::csrPublicKey(*csr), *key));
  EXPECT_TRUE(crypto::csrUriSans(*csr).empty());
}

TEST(TrustBootstrapTest, ParsesPemAndSpiffeBundles) {
  TestCa ca = TestCa::createRoot("example.org");
  Result<x509::X509Bundle> pem =
      parseTrustBundle(td(), ca.bundle().toPem(), TrustBundleFormat::kPem);
  ASSERT_TRUE(pem) << pem.status().toString();
  EXPECT_EQ(pem->authorities().size(), 1u);
  const std::string json = bundle::SpiffeBundle::fromX509Bundle(ca.bundle()).marshal().value();
  Result<x509::X509Bundle> spiffe = parseTrustBundle(td(), json, TrustBundleFormat::kSpiffe);
  ASSERT_TRUE(spiffe) << spiffe.status().toString();
  EXPECT_TRUE(crypto::certificatesEqual(*spiffe->authorities()[0], *ca.root()));
}

TEST(TrustBootstrapTest, MalformedOrEmptyBundlesAreRefused) {
  const std::string garbage = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  EXPECT_EQ(parseTrustBundle(td(), garbage, TrustBundleFormat::kPem).status(),
            invalidArgument("could not parse trust bundle: " +
                            x509::X509Bundle::parsePem(td(), garbage).status().message()));
  EXPECT_EQ(parseTrustBundle(td(), "{", TrustBundleFormat::kSpiffe).status(),
            invalidArgument("could not parse trust bundle: " +
                            bundle::SpiffeBundle::parse(td(), "{").status().message()));
  EXPECT_EQ(parseTrustBundle(td(), "", TrustBundleFormat::kPem).status(),
            invalidArgument("trust bundle contains no X.509 authorities"));
}

TEST(TrustBootstrapTest, StoredBundleWinsOverConfiguration) {
  TempDir dir;
  TestCa stored = TestCa::createRoot("example.org");
  TestCa configured = TestCa::createRoot("example.org");
  AgentStorage storage(dir.path().string());
  ManagerConfig config;
  config.trust_bundle_contents = configured.bundle().toPem();
  Result<std::optional<x509::X509Bundle>> first = bootstrapBundle(config, td(), storage);
  ASSERT_TRUE(first && first->has_value());
  EXPECT_TRUE(crypto::certificatesEqual(*(*first)->authorities()[0], *configured.root()));
  ASSERT_TRUE(storage.storeBundle({stored.root()}).isOk());
  Result<std::optional<x509::X509Bundle>> second = bootstrapBundle(config, td(), storage);
  ASSERT_TRUE(second && second->has_value());
  EXPECT_TRUE(crypto::certificatesEqual(*(*second)->authorities()[0], *stored.root()));
}

TEST(AgentStorageTest, RoundTripsAndReportsAbsentFiles) {
  TempDir dir;
  AgentStorage storage((dir.path() / "nested" / "data").string());
  EXPECT_FALSE(storage.loadSvid()->has_value());
  EXPECT_FALSE(storage.loadBundle()->has_value());
  EXPECT_FALSE(storage.loadKey()->has_value());
  TestCa ca = TestCa::createRoot("example.org");
  x509::X509Svid svid = ca.issueSvid("/spire/agent/x");
  ASSERT_TRUE(storage.storeSvid(svid.certificates).isOk());
  ASSERT_TRUE(storage.storeKey(*svid.private_key).isOk());
  auto chain = storage.loadSvid();
  ASSERT_TRUE(chain && chain->has_value());
  EXPECT_TRUE(crypto::certificatesEqual(*(**chain)[0], svid.leaf()));
  auto key = storage.loadKey();
  ASSERT_TRUE(key && key->has_value());
  EXPECT_TRUE(crypto::publicKeysEqual(***key, *svid.private_key));
  storage.deleteSvid();
  EXPECT_FALSE(storage.loadSvid()->has_value());
  EXPECT_FALSE(storage.loadKey()->has_value());
}

TEST(AgentStorageTest, MalformedFilesAreErrors) {
  TempDir dir;
  AgentStorage storage(dir.path().string());
  std::ofstream(dir.path() / kAgentSvidFile) << "junk";
  std::ofstream(dir.path() / kAgentKeyFile) << "junk";
  EXPECT_EQ(storage.loadSvid().status(),
            invalidArgument("malformed certificates in " + storage.path(kAgentSvidFile)));
  EXPECT_EQ(storage.loadKey().status(),
            invalidArgument("malformed key in " + storage.path(kAgentKeyFile)));
}

TEST(ServerTrustTest, OnlyTheServerIdOfTheTrustDomainIsAccepted) {
  TestCa ca = TestCa::createRoot("example.org");
  ServerTrust trust(td());
  trust.setBundle(ca.bundle());
  EXPECT_FALSE(trust.insecure());
  spire::testing::LeafOptions server;
  server.uri_sans = std::vector<std::string>{"spiffe://example.org/spire/server"};
  EXPECT_TRUE(trust.verify(ca.issueLeaf(server).certsPem()).isOk());

  EXPECT_EQ(trust.verify(ca.issueLeaf().certsPem()),
            Status(StatusCode::kUnauthenticated,
                   "unexpected server ID \"spiffe://example.org/workload\""));

  TestCa other = TestCa::createRoot("example.org");
  Status foreign = trust.verify(other.issueLeaf(server).certsPem());
  EXPECT_EQ(foreign.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(foreign.message(), "server certificate verification failed: x509svid: could not "
                               "verify leaf certificate: x509: certificate signed by unknown "
                               "authority");
  trust.setBundle(std::nullopt);
  EXPECT_TRUE(trust.insecure());
  EXPECT_TRUE(trust.verify("anything").isOk());
}

} // namespace
} // namespace spire::agent::manager
