// callerFromPeer: local vs TCP callers, and the client X.509-SVID verified with SPIRE's texts.
#include <gtest/gtest.h>

#include "server/endpoints/peer_identity.h"
#include "support/test_ca.h"

namespace spire::server::endpoints {
namespace {

using spire::testing::LeafOptions;
using spire::testing::TestCa;

class PeerIdentityTest : public ::testing::Test {
protected:
  PeerIdentityTest()
      : ca_(TestCa::createRoot("example.org")), bundles_({ca_.bundle()}),
        now_(std::chrono::system_clock::now()) {}

  PeerInfo tcpWith(const std::vector<crypto::X509Shared>& chain) const {
    PeerInfo peer{.address = "ipv4:127.0.0.1:1234", .tls = true};
    peer.leaf_pem = crypto::certificateToPem(*chain.front());
    std::vector<crypto::X509Shared> rest(chain.begin() + 1, chain.end());
    peer.chain_pem = crypto::certificatesToPem(rest);
    return peer;
  }
  void expectUnauthenticated(const PeerInfo& peer, const std::string& message) const {
    auto caller = callerFromPeer(peer, bundles_, now_);
    ASSERT_FALSE(caller.isOk());
    EXPECT_EQ(caller.status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(caller.status().message(), message);
  }

  TestCa ca_;
  x509::X509BundleSet bundles_;
  crypto::TimePoint now_;
};

TEST_F(PeerIdentityTest, UnixPeerIsLocal) {
  auto caller = callerFromPeer({.address = "unix:/run/api.sock"}, bundles_, now_);
  ASSERT_TRUE(caller.isOk());
  EXPECT_TRUE(caller->local);
  EXPECT_EQ(caller->address, "unix:/run/api.sock");
  auto bare = callerFromPeer({.address = "unix:"}, bundles_, now_);
  ASSERT_TRUE(bare.isOk());
  EXPECT_TRUE(bare->local);
}

TEST_F(PeerIdentityTest, UnixPeerWithTlsIsRefused) {
  auto caller = callerFromPeer({.address = "unix:/x", .tls = true}, bundles_, now_);
  ASSERT_FALSE(caller.isOk());
  EXPECT_EQ(caller.status().code(), StatusCode::kInternal);
  EXPECT_EQ(caller.status().message(), "unsupported network \"unix:/x\"");
}

TEST_F(PeerIdentityTest, UnknownNetworkIsInternal) {
  auto caller = callerFromPeer({.address = "inproc"}, bundles_, now_);
  ASSERT_FALSE(caller.isOk());
  EXPECT_EQ(caller.status().code(), StatusCode::kInternal);
  EXPECT_EQ(caller.status().message(), "unsupported network \"inproc\"");
}

TEST_F(PeerIdentityTest, TcpWithoutCertificateIsAnonymous) {
  for (const PeerInfo& peer :
       {PeerInfo{.address = "ipv4:10.0.0.1:5"}, PeerInfo{.address = "ipv6:[::1]:5", .tls = true}}) {
    auto caller = callerFromPeer(peer, bundles_, now_);
    ASSERT_TRUE(caller.isOk());
    EXPECT_FALSE(caller->local);
    EXPECT_FALSE(caller->id.has_value());
    EXPECT_TRUE(caller->chain.empty());
  }
}

TEST_F(PeerIdentityTest, VerifiedSvidGivesTheId) {
  auto leaf = ca_.issueLeaf(
      LeafOptions{.uri_sans = std::vector<std::string>{"spiffe://example.org/spire/agent/x"}});
  auto caller = callerFromPeer(tcpWith(leaf.chain), bundles_, now_);
  ASSERT_TRUE(caller.isOk()) << caller.status().message();
  EXPECT_EQ(caller->id->toString(), "spiffe://example.org/spire/agent/x");
  ASSERT_EQ(caller->chain.size(), 1u);
}

TEST_F(PeerIdentityTest, IntermediatesFromTheChainPropertyAreUsed) {
  TestCa intermediate = ca_.createIntermediate();
  auto leaf = intermediate.issueLeaf();
  ASSERT_EQ(leaf.chain.size(), 2u);
  auto caller = callerFromPeer(tcpWith(leaf.chain), bundles_, now_);
  ASSERT_TRUE(caller.isOk()) << caller.status().message();
  EXPECT_EQ(caller->chain.size(), 2u);
  // The same chain property with the leaf repeated in front (BoringSSL's shape).
  PeerInfo peer = tcpWith(leaf.chain);
  peer.chain_pem = crypto::certificatesToPem(leaf.chain);
  auto again = callerFromPeer(peer, bundles_, now_);
  ASSERT_TRUE(again.isOk()) << again.status().message();
  EXPECT_EQ(again->chain.size(), 2u);
  // The verified-chain shape: leaf, intermediate and the trust anchor; the anchor is dropped.
  std::vector<crypto::X509Shared> full = leaf.chain;
  full.push_back(ca_.cert());
  peer.chain_pem = crypto::certificatesToPem(full);
  auto verified = callerFromPeer(peer, bundles_, now_);
  ASSERT_TRUE(verified.isOk()) << verified.status().message();
  EXPECT_EQ(verified->chain.size(), 2u);
  // Without the intermediate the leaf does not verify.
  peer.chain_pem.clear();
  EXPECT_FALSE(callerFromPeer(peer, bundles_, now_).isOk());
}

TEST_F(PeerIdentityTest, UriSanRulesUseSpireTexts) {
  auto none = ca_.issueLeaf(
      LeafOptions{.uri_sans = std::vector<std::string>{}, .dns_sans = {"host.example.org"}});
  expectUnauthenticated(tcpWith(none.chain), "client certificate has no URI SAN");
  auto two = ca_.issueLeaf(LeafOptions{
      .uri_sans = std::vector<std::string>{"spiffe://example.org/a", "spiffe://example.org/b"}});
  expectUnauthenticated(tcpWith(two.chain), "client certificate has more than one URI SAN");
  auto bad =
      ca_.issueLeaf(LeafOptions{.uri_sans = std::vector<std::string>{"https://example.org/a"}});
  auto caller = callerFromPeer(tcpWith(bad.chain), bundles_, now_);
  ASSERT_FALSE(caller.isOk());
  EXPECT_EQ(caller.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(caller.status().message().rfind("client certificate has a malformed URI SAN: ", 0), 0u)
      << caller.status().message();
}

TEST_F(PeerIdentityTest, CertificateFromAnotherCaIsRefused) {
  TestCa other = TestCa::createRoot("example.org");
  auto leaf = other.issueLeaf();
  expectUnauthenticated(tcpWith(leaf.chain),
                        "x509svid: could not verify leaf certificate: x509: certificate signed "
                        "by unknown authority");
}

TEST_F(PeerIdentityTest, CertificateOfAnotherTrustDomainIsRefused) {
  TestCa other = TestCa::createRoot("other.org");
  auto leaf = other.issueLeaf();
  expectUnauthenticated(tcpWith(leaf.chain), "x509svid: could not get X509 bundle: x509bundle: "
                                             "no X.509 bundle found for trust domain: "
                                             "\"other.org\"");
}

TEST_F(PeerIdentityTest, CaCertificateAsLeafIsRefused) {
  auto leaf = ca_.issueLeaf(LeafOptions{.is_ca = true});
  expectUnauthenticated(tcpWith(leaf.chain), "x509svid: leaf certificate with CA flag set to true");
}

TEST_F(PeerIdentityTest, ExpiredSvidIsRefused) {
  auto leaf = ca_.issueLeaf();
  auto caller = callerFromPeer(tcpWith(leaf.chain), bundles_, now_ + std::chrono::hours(48));
  ASSERT_FALSE(caller.isOk());
  EXPECT_EQ(caller.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(caller.status().message().find("certificate has expired or is not yet valid"),
            std::string::npos)
      << caller.status().message();
}

} // namespace
} // namespace spire::server::endpoints
