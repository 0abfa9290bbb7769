// Credential templates, checked field by field on certificates signed from them, and once by the
// openssl CLI's text dump.

#include <gtest/gtest.h>

#include "ca_test_util.h"
#include "crypto/certificate.h"
#include "server/ca/credential_builder.h"
#include "server/ca/remote_certificate.h"
#include "support/command.h"
#include "support/temp_dir.h"

namespace spire::server::ca {
namespace {

using namespace std::chrono_literals;

using testing::startTime;

class CredentialBuilderTest : public ::testing::Test {
protected:
  CredentialBuilderTest() {
    config_.trust_domain = *spiffe::TrustDomain::parse("example.org");
    config_.ca_ttl = 48h;
    config_.x509_svid_ttl = 2h;
    config_.jwt_svid_ttl = 10min;
    config_.agent_ttl = 3h;
  }
  void SetUp() override {
    auto key = keys_.generateKey("ca", crypto::KeyType::kEcP256);
    signer_ = std::make_unique<RemoteSigner>(*RemoteSigner::create(keys_, "ca", std::move(*key)));
    auto ca = createRemoteCertificate(builder().selfSignedCa(startTime()), signer_->publicKey(),
                                      nullptr, *signer_);
    ASSERT_TRUE(ca.isOk()) << ca.status().message();
    ca_ = *ca;
    leaf_key_ = crypto::generateKey(crypto::KeyType::kEcP256).value();
  }
  CredentialBuilder builder() const { return CredentialBuilder(config_); }
  crypto::X509Shared sign(const crypto::CertificateTemplate& tmpl) {
    auto cert = createRemoteCertificate(tmpl, *leaf_key_, ca_.get(), *signer_);
    EXPECT_TRUE(cert.isOk()) << cert.status().message();
    return *cert;
  }
  spiffe::SpiffeId id(const std::string& text) { return *spiffe::SpiffeId::parse(text); }

  CredentialConfig config_;
  testing::LocalKeyStore keys_;
  std::unique_ptr<RemoteSigner> signer_;
  crypto::X509Shared ca_;
  crypto::EvpPkeyPtr leaf_key_;
};

TEST_F(CredentialBuilderTest, SelfSignedCaProfile) {
  const X509& ca = *ca_;
  std::string serial = crypto::serialNumberDecimal(ca);
  EXPECT_EQ(crypto::subjectName(ca), "serialNumber=" + serial + ",O=SPIFFE,C=US");
  EXPECT_EQ(crypto::issuerName(ca), crypto::subjectName(ca));
  EXPECT_TRUE(crypto::isCa(ca));
  EXPECT_EQ(crypto::keyUsage(ca), crypto::key_usage::kKeyCertSign | crypto::key_usage::kCrlSign);
  EXPECT_TRUE(crypto::isKeyUsageCritical(ca));
  EXPECT_TRUE(crypto::extKeyUsages(ca).empty());
  EXPECT_EQ(crypto::uriSans(ca), std::vector<std::string>{"spiffe://example.org"});
  EXPECT_EQ(crypto::notBefore(ca), startTime() - 10s);
  EXPECT_EQ(crypto::notAfter(ca), startTime() + 48h);
  EXPECT_EQ(crypto::subjectKeyId(ca).size(), 20u);
  // 128-bit random serial, positive: at most 16 bytes, hex never has the sign bit set.
  std::string hex = crypto::serialNumberHex(ca);
  EXPECT_LE(hex.size(), 32u);
  EXPECT_GE(hex.size(), 16u);
}

TEST_F(CredentialBuilderTest, SerialsDiffer) {
  EXPECT_NE(builder().selfSignedCa(startTime()).serial, builder().selfSignedCa(startTime()).serial);
}

TEST_F(CredentialBuilderTest, WorkloadSvidProfile) {
  auto tmpl = builder().workloadX509Svid(id("spiffe://example.org/web"), {"web.local", "www"}, 0s,
                                         startTime(), crypto::notAfter(*ca_));
  ASSERT_TRUE(tmpl.isOk());
  crypto::X509Shared leaf = sign(*tmpl);
  EXPECT_EQ(crypto::subjectName(*leaf), "CN=web.local,O=SPIRE,C=US");
  EXPECT_EQ(crypto::issuerName(*leaf), crypto::subjectName(*ca_));
  EXPECT_EQ(crypto::uriSans(*leaf), std::vector<std::string>{"spiffe://example.org/web"});
  EXPECT_EQ(crypto::dnsSans(*leaf), (std::vector<std::string>{"web.local", "www"}));
  EXPECT_FALSE(crypto::isCa(*leaf));
  EXPECT_EQ(crypto::keyUsage(*leaf), crypto::key_usage::kDigitalSignature |
                                         crypto::key_usage::kKeyEncipherment |
                                         crypto::key_usage::kKeyAgreement);
  EXPECT_EQ(crypto::extKeyUsages(*leaf),
            (std::vector<crypto::ExtKeyUsage>{crypto::ExtKeyUsage::kServerAuth,
                                              crypto::ExtKeyUsage::kClientAuth}));
  EXPECT_EQ(crypto::authorityKeyId(*leaf), crypto::subjectKeyId(*ca_));
  EXPECT_FALSE(crypto::subjectKeyId(*leaf).empty());
  EXPECT_EQ(crypto::notBefore(*leaf), startTime() - 10s);
  EXPECT_EQ(crypto::notAfter(*leaf), startTime() + 2h); // default_x509_svid_ttl
  EXPECT_TRUE(crypto::isSignedBy(*leaf, signer_->publicKey()));
}

TEST_F(CredentialBuilderTest, WorkloadSvidWithoutDnsHasNoCn) {
  auto tmpl = builder().workloadX509Svid(id("spiffe://example.org/w"), {}, 30min, startTime(),
                                         crypto::notAfter(*ca_));
  ASSERT_TRUE(tmpl.isOk());
  crypto::X509Shared leaf = sign(*tmpl);
  EXPECT_EQ(crypto::subjectName(*leaf), "O=SPIRE,C=US");
  EXPECT_TRUE(crypto::dnsSans(*leaf).empty());
  EXPECT_EQ(crypto::notAfter(*leaf), startTime() + 30min);
}

TEST_F(CredentialBuilderTest, TtlCappedToCaNotAfter) {
  auto tmpl = builder().workloadX509Svid(id("spiffe://example.org/w"), {}, 100h, startTime(),
                                         startTime() + 1h);
  ASSERT_TRUE(tmpl.isOk());
  EXPECT_EQ(tmpl->not_after, startTime() + 1h);
}

TEST_F(CredentialBuilderTest, AgentAndServerSvids) {
  auto agent = builder().agentX509Svid(id("spiffe://example.org/spire/agent/x/1"), startTime(),
                                       crypto::notAfter(*ca_));
  ASSERT_TRUE(agent.isOk());
  EXPECT_EQ(agent->not_after, startTime() + 3h); // agent_ttl
  EXPECT_EQ(agent->uri_sans, std::vector<std::string>{"spiffe://example.org/spire/agent/x/1"});
  config_.agent_ttl = 0s;
  auto fallback = builder().agentX509Svid(id("spiffe://example.org/spire/agent/x/1"), startTime(),
                                          crypto::notAfter(*ca_));
  EXPECT_EQ(fallback->not_after, startTime() + 2h); // agent_ttl unset: default_x509_svid_ttl
  crypto::X509Shared server = sign(builder().serverX509Svid(startTime(), crypto::notAfter(*ca_)));
  EXPECT_EQ(crypto::uriSans(*server),
            std::vector<std::string>{"spiffe://example.org/spire/server"});
  EXPECT_EQ(crypto::notAfter(*server), startTime() + 2h);
}

TEST_F(CredentialBuilderTest, ForeignOrEmptyIdRefused) {
  auto foreign = builder().workloadX509Svid(id("spiffe://other.org/w"), {}, 0s, startTime(),
                                            crypto::notAfter(*ca_));
  EXPECT_EQ(foreign.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(foreign.status().message(),
            "invalid X509-SVID ID: \"spiffe://other.org/w\" is not a member of trust domain "
            "\"example.org\"");
  auto empty =
      builder().workloadX509Svid(spiffe::SpiffeId(), {}, 0s, startTime(), crypto::notAfter(*ca_));
  EXPECT_EQ(empty.status().message(), "invalid X509-SVID ID: SPIFFE ID is empty");
  auto negative = builder().workloadX509Svid(id("spiffe://example.org/w"), {}, -1s, startTime(),
                                             crypto::notAfter(*ca_));
  EXPECT_EQ(negative.status().message(), "invalid X509-SVID TTL: must not be negative");
}

TEST_F(CredentialBuilderTest, JwtClaims) {
  config_.jwt_issuer = "https://issuer.example";
  auto claims =
      builder().jwtSvidClaims(id("spiffe://example.org/w"), {"a", "", "b"}, 0s, startTime(),
                              startTime() + 1h, {{"extra", 1}, {"sub", "ignored"}});
  ASSERT_TRUE(claims.isOk());
  std::int64_t now = 1893456000;
  EXPECT_EQ(*claims, (nlohmann::json{{"sub", "spiffe://example.org/w"},
                                     {"aud", {"a", "b"}},
                                     {"exp", now + 600},
                                     {"iat", now},
                                     {"iss", "https://issuer.example"},
                                     {"extra", 1}}));
  auto capped = builder().jwtSvidClaims(id("spiffe://example.org/w"), {"a"}, 5h, startTime(),
                                        startTime() + 1h, nlohmann::json::object());
  EXPECT_EQ((*capped)["exp"], now + 3600);
  config_.jwt_issuer.clear();
  auto no_issuer = builder().jwtSvidClaims(id("spiffe://example.org/w"), {"a"}, 0s, startTime(),
                                           startTime() + 1h, nlohmann::json::object());
  EXPECT_FALSE(no_issuer->contains("iss"));
}

TEST_F(CredentialBuilderTest, JwtClaimsErrors) {
  auto no_aud = builder().jwtSvidClaims(id("spiffe://example.org/w"), {""}, 0s, startTime(),
                                        startTime() + 1h, nlohmann::json::object());
  EXPECT_EQ(no_aud.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(no_aud.status().message(), kErrNoAudience);
  auto foreign = builder().jwtSvidClaims(id("spiffe://other.org/w"), {"a"}, 0s, startTime(),
                                         startTime() + 1h, nlohmann::json::object());
  EXPECT_EQ(foreign.status().message(),
            "invalid JWT-SVID ID: \"spiffe://other.org/w\" is not a member of trust domain "
            "\"example.org\"");
  auto bad_extra = builder().jwtSvidClaims(id("spiffe://example.org/w"), {"a"}, 0s, startTime(),
                                           startTime() + 1h, nlohmann::json::array());
  EXPECT_EQ(bad_extra.status().message(), "extra claims must be a JSON object");
}

TEST(MaxSvidTtlTest, SixthOfCaTtlCappedAtSevenDays) {
  EXPECT_EQ(maxSvidTtlForCaTtl(24h), 4h);
  EXPECT_EQ(maxSvidTtlForCaTtl(std::chrono::hours(24 * 365)), std::chrono::hours(24 * 7));
}

TEST_F(CredentialBuilderTest, OpenSslCliCrossCheck) {
  if (!spire::testing::haveOpenSslCli()) {
    GTEST_SKIP() << "openssl CLI not available";
  }
  auto tmpl = builder().workloadX509Svid(id("spiffe://example.org/web"), {"web.local"}, 0s,
                                         startTime(), crypto::notAfter(*ca_));
  crypto::X509Shared leaf = sign(*tmpl);
  spire::testing::TempDir dir;
  std::string ca_path = dir.writeFile("ca.pem", crypto::certificateToPem(*ca_));
  std::string leaf_path = dir.writeFile("leaf.pem", crypto::certificateToPem(*leaf));
  auto ca_text = spire::testing::runCommand("openssl x509 -noout -text -in " + ca_path);
  ASSERT_EQ(ca_text.exit_code, 0) << ca_text.output;
  EXPECT_NE(ca_text.output.find("CA:TRUE"), std::string::npos) << ca_text.output;
  EXPECT_NE(ca_text.output.find("Certificate Sign, CRL Sign"), std::string::npos);
  EXPECT_NE(ca_text.output.find("URI:spiffe://example.org"), std::string::npos);
  EXPECT_NE(ca_text.output.find("serialNumber"), std::string::npos);
  auto leaf_text = spire::testing::runCommand("openssl x509 -noout -text -in " + leaf_path);
  ASSERT_EQ(leaf_text.exit_code, 0) << leaf_text.output;
  for (const char* needle :
       {"C = US, O = SPIRE, CN = web.local", "CA:FALSE",
        "Digital Signature, Key Encipherment, Key Agreement",
        "TLS Web Server Authentication, TLS Web Client Authentication",
        "URI:spiffe://example.org/web", "DNS:web.local", "X509v3 Authority Key Identifier",
        "X509v3 Subject Key Identifier", "ecdsa-with-SHA256"}) {
    EXPECT_NE(leaf_text.output.find(needle), std::string::npos) << needle << "\n"
                                                                << leaf_text.output;
  }
  // Validity is in the future (2030), so check the signature chain at that time.
  auto verify = spire::testing::runCommand("openssl verify -attime 1893456100 -CAfile " + ca_path +
                                           " " + leaf_path);
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

} // namespace
} // namespace spire::server::ca
