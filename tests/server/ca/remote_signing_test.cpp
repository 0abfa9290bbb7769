// RemoteSigner, certificates and CSRs signed through a KeyStore, compact JWS: against the real
// KeyManager "memory" plugin for every key type, and against LocalKeyStore for failures.

#include <gtest/gtest.h>

#include "ca_test_util.h"
#include "crypto/certificate.h"
#include "crypto/certificate_builder.h"
#include "crypto/pem.h"
#include "jwt/jws.h"
#include "plugin_host/key_manager.h"
#include "server/ca/credential_builder.h"
#include "server/ca/remote_certificate.h"
#include "server/ca/remote_jws.h"
#include "server/ca/remote_signer.h"
#include "support/command.h"
#include "support/temp_dir.h"

namespace spire::server::ca {
namespace {

using namespace std::chrono_literals;

using testing::LocalKeyStore;

crypto::CertificateTemplate caTemplate() {
  CredentialConfig config;
  config.trust_domain = *spiffe::TrustDomain::parse("example.org");
  return CredentialBuilder(config).selfSignedCa(testing::startTime());
}

class PluginSigningTest : public ::testing::TestWithParam<crypto::KeyType> {
protected:
  void SetUp() override {
    auto loaded = testing::loadBuiltin("KeyManager", "memory");
    ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
    plugin_ = std::make_unique<plugin_host::KeyManagerPlugin>(*loaded);
    keys_ = std::make_unique<PluginKeyStore>(*plugin_);
  }

  RemoteSigner makeSigner(const std::string& key_id) {
    Result<crypto::EvpPkeyPtr> key = keys_->generateKey(key_id, GetParam());
    EXPECT_TRUE(key.isOk()) << key.status().message();
    Result<RemoteSigner> signer = RemoteSigner::create(*keys_, key_id, std::move(*key));
    EXPECT_TRUE(signer.isOk()) << signer.status().message();
    return std::move(*signer);
  }

  std::unique_ptr<plugin_host::KeyManagerPlugin> plugin_;
  std::unique_ptr<PluginKeyStore> keys_;
};

TEST_P(PluginSigningTest, SelfSignedCertificateVerifies) {
  RemoteSigner signer = makeSigner("x509-CA-A");
  EXPECT_EQ(signer.hash(), GetParam() == crypto::KeyType::kEcP384 ? crypto::HashAlgorithm::kSha384
                                                                  : crypto::HashAlgorithm::kSha256);
  auto cert = createRemoteCertificate(caTemplate(), signer.publicKey(), nullptr, signer);
  ASSERT_TRUE(cert.isOk()) << cert.status().message();
  EXPECT_TRUE(crypto::isSignedBy(**cert, signer.publicKey()));
  EXPECT_TRUE(crypto::isCa(**cert));
  // The DER re-parses identically (no stale cached encoding).
  auto again = crypto::parseCertificateDer(crypto::certificateToDer(**cert));
  ASSERT_TRUE(again.isOk());
  EXPECT_TRUE(crypto::certificatesEqual(**again, **cert));
}

TEST_P(PluginSigningTest, LeafVerifiesWithOpenSslCli) {
  if (!spire::testing::haveOpenSslCli()) {
    GTEST_SKIP() << "openssl CLI not available";
  }
  RemoteSigner signer = makeSigner("x509-CA-B");
  CredentialConfig config;
  config.trust_domain = *spiffe::TrustDomain::parse("example.org");
  CredentialBuilder builder(config);
  auto ca = createRemoteCertificate(builder.selfSignedCa(std::chrono::system_clock::now()),
                                    signer.publicKey(), nullptr, signer);
  ASSERT_TRUE(ca.isOk()) << ca.status().message();
  auto leaf_key = crypto::generateKey(crypto::KeyType::kEcP256);
  auto tmpl = builder.workloadX509Svid(*spiffe::SpiffeId::parse("spiffe://example.org/w"), {}, 0s,
                                       std::chrono::system_clock::now(), crypto::notAfter(**ca));
  ASSERT_TRUE(tmpl.isOk());
  auto leaf = createRemoteCertificate(*tmpl, **leaf_key, ca->get(), signer, false);
  ASSERT_TRUE(leaf.isOk()) << leaf.status().message();
  spire::testing::TempDir dir;
  std::string ca_path = dir.writeFile("ca.pem", crypto::certificateToPem(**ca));
  std::string leaf_path = dir.writeFile("leaf.pem", crypto::certificateToPem(**leaf));
  auto result = spire::testing::runCommand("openssl verify -CAfile " + ca_path + " " + leaf_path);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find(": OK"), std::string::npos) << result.output;
}

// The SPKI path: the leaf carries the given key bytes, names are copied byte for byte (including
// a multi-valued RDN in the issuer), and the openssl CLI accepts the chain.
TEST_P(PluginSigningTest, LeafFromKeyInfoCopiesKeyAndIssuerExactly) {
  RemoteSigner signer = makeSigner("x509-CA-A");
  CredentialConfig config;
  config.trust_domain = *spiffe::TrustDomain::parse("example.org");
  CredentialBuilder builder(config);
  auto ca = createRemoteCertificate(builder.selfSignedCa(std::chrono::system_clock::now()),
                                    signer.publicKey(), nullptr, signer);
  ASSERT_TRUE(ca.isOk()) << ca.status().message();
  // An issuer whose subject ends in a two-valued RDN (OU=a+OU=b).
  crypto::X509Ptr issuer(X509_dup(ca->get()));
  X509_NAME* issuer_subject = X509_get_subject_name(issuer.get());
  ASSERT_EQ(X509_NAME_add_entry_by_txt(issuer_subject, "OU", MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>("a"), -1, -1, 0),
            1);
  ASSERT_EQ(X509_NAME_add_entry_by_txt(issuer_subject, "OU", MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>("b"), -1, -1, -1),
            1);
  auto leaf_key = crypto::generateKey(crypto::KeyType::kEcP256);
  unsigned char* spki_bytes = nullptr;
  int spki_len = i2d_PUBKEY(leaf_key->get(), &spki_bytes);
  crypto::OpenSslBytesPtr spki_owner(spki_bytes);
  std::string spki(reinterpret_cast<const char*>(spki_bytes), static_cast<size_t>(spki_len));
  auto tmpl = builder.workloadX509Svid(*spiffe::SpiffeId::parse("spiffe://example.org/w"), {}, 0s,
                                       std::chrono::system_clock::now(), crypto::notAfter(**ca));
  ASSERT_TRUE(tmpl.isOk());
  auto leaf = createRemoteCertificateForKeyInfo(*tmpl, spki, *issuer, signer);
  ASSERT_TRUE(leaf.isOk()) << leaf.status().message();
  auto parsed = crypto::parseCertificateDer(crypto::certificateToDer(**leaf));
  ASSERT_TRUE(parsed.isOk());
  EXPECT_TRUE(crypto::publicKeysEqual(*crypto::publicKeyOf(**parsed), **leaf_key));
  EXPECT_TRUE(crypto::isSignedBy(**parsed, signer.publicKey()));
  auto nameDer = [](const X509_NAME* name) {
    unsigned char* out = nullptr;
    int len = i2d_X509_NAME(name, &out);
    crypto::OpenSslBytesPtr owner(out);
    return std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(len));
  };
  EXPECT_EQ(nameDer(X509_get_issuer_name(parsed->get())), nameDer(issuer_subject));
  EXPECT_EQ(crypto::issuerName(**parsed), crypto::subjectName(*issuer));
  EXPECT_EQ(crypto::authorityKeyId(**parsed), crypto::subjectKeyId(**ca));

  // Malformed key info and a foreign issuer are refused.
  auto bad = createRemoteCertificateForKeyInfo(*tmpl, "garbage", *issuer, signer);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "malformed subject public key info");
  auto other_key = crypto::generateKey(crypto::KeyType::kEcP256);
  auto foreign = crypto::createCertificate(builder.selfSignedCa(std::chrono::system_clock::now()),
                                           **other_key, nullptr, **other_key);
  ASSERT_TRUE(foreign.isOk());
  auto wrong = createRemoteCertificateForKeyInfo(*tmpl, spki, **foreign, signer);
  EXPECT_EQ(wrong.status().message(), "signer key does not match the issuer certificate");

  if (!spire::testing::haveOpenSslCli()) {
    return;
  }
  spire::testing::TempDir dir;
  std::string ca_path = dir.writeFile("ca.pem", crypto::certificateToPem(**ca));
  std::string leaf_pem = crypto::certificateToPem(**parsed);
  auto plain = createRemoteCertificateForKeyInfo(*tmpl, spki, **ca, signer);
  ASSERT_TRUE(plain.isOk());
  std::string leaf_path = dir.writeFile("leaf.pem", crypto::certificateToPem(**plain));
  auto result = spire::testing::runCommand("openssl verify -CAfile " + ca_path + " " + leaf_path);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find(": OK"), std::string::npos) << result.output;
}

TEST_P(PluginSigningTest, CsrSignatureChecks) {
  RemoteSigner signer = makeSigner("x509-CA-A");
  CredentialConfig config;
  config.trust_domain = *spiffe::TrustDomain::parse("example.org");
  auto csr = createRemoteCsr(CredentialBuilder(config).upstreamCaCsr(), signer);
  ASSERT_TRUE(csr.isOk()) << csr.status().message();
  EXPECT_TRUE(crypto::checkCsrSignature(**csr).isOk());
  EXPECT_EQ(crypto::csrUriSans(**csr), std::vector<std::string>{"spiffe://example.org"});
  EXPECT_EQ(crypto::csrSubjectName(**csr), "O=SPIFFE,C=US");
  EXPECT_TRUE(crypto::publicKeysEqual(*crypto::csrPublicKey(**csr), signer.publicKey()));
}

TEST_P(PluginSigningTest, JwsVerifiesWithCoreJwt) {
  RemoteSigner signer = makeSigner("JWT-Signer-A");
  std::string alg(jwsAlgorithmFor(signer));
  std::string header = R"({"alg":")" + alg + R"(","kid":"k1","typ":"JWT"})";
  auto token = signCompactJwsRemote(header, R"({"sub":"spiffe://example.org/w"})", signer);
  ASSERT_TRUE(token.isOk()) << token.status().message();
  auto parsed = jwt::parseCompactJws(*token);
  ASSERT_TRUE(parsed.isOk()) << parsed.status().message();
  EXPECT_EQ(parsed->kid, "k1");
  EXPECT_TRUE(jwt::verifyCompactJws(*parsed, signer.publicKey()).isOk());
  // A different key of the same type does not verify it.
  RemoteSigner other = makeSigner("JWT-Signer-B");
  Status bad = jwt::verifyCompactJws(*parsed, other.publicKey());
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.message(), jwt::kErrCryptoFailure);
}

INSTANTIATE_TEST_SUITE_P(KeyTypes, PluginSigningTest,
                         ::testing::Values(crypto::KeyType::kEcP256, crypto::KeyType::kEcP384,
                                           crypto::KeyType::kRsa2048),
                         [](const auto& info) {
                           std::string name(crypto::keyTypeName(info.param));
                           std::erase(name, '-');
                           return name;
                         });

TEST(RemoteSignerTest, AlgorithmNames) {
  LocalKeyStore keys;
  for (auto [type, name] :
       {std::pair{crypto::KeyType::kEcP256, "ES256"}, std::pair{crypto::KeyType::kEcP384, "ES384"},
        std::pair{crypto::KeyType::kRsa2048, "RS256"}}) {
    auto signer = RemoteSigner::create(keys, "k", keys.generateKey("k", type).value());
    ASSERT_TRUE(signer.isOk());
    EXPECT_EQ(jwsAlgorithmFor(*signer), name);
  }
}

TEST(RemoteSignerTest, MissingOrUnsupportedKeyRefused) {
  LocalKeyStore keys;
  auto missing = RemoteSigner::create(keys, "k", nullptr);
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.status().message(), "public key for \"k\" is missing");
  crypto::EvpPkeyPtr ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  auto unsupported = RemoteSigner::create(keys, "k", std::move(ed));
  EXPECT_EQ(unsupported.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(unsupported.status().message(), "unsupported key type for \"k\"");
}

TEST(RemoteSignerTest, KeyGoneIsReportedWithKeyId) {
  LocalKeyStore keys;
  auto signer = RemoteSigner::create(
      keys, "x509-CA-A", keys.generateKey("x509-CA-A", crypto::KeyType::kEcP256).value());
  ASSERT_TRUE(signer.isOk());
  keys.forget("x509-CA-A");
  auto signature = signer->sign("data");
  EXPECT_EQ(signature.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(signature.status().message(),
            "unable to sign with \"x509-CA-A\": no such key \"x509-CA-A\"");
}

TEST(RemoteCertificateTest, BadSignatureCaughtBySelfCheck) {
  LocalKeyStore keys;
  auto signer = RemoteSigner::create(
      keys, "x509-CA-A", keys.generateKey("x509-CA-A", crypto::KeyType::kEcP256).value());
  ASSERT_TRUE(signer.isOk());
  keys.corrupt_signatures = true;
  auto cert = createRemoteCertificate(caTemplate(), signer->publicKey(), nullptr, *signer);
  EXPECT_EQ(cert.status().code(), StatusCode::kInternal);
  EXPECT_EQ(cert.status().message(),
            "key manager signature for \"x509-CA-A\" does not verify with its public key");
}

TEST(RemoteCertificateTest, SignerMustMatchIssuerOrSubject) {
  LocalKeyStore keys;
  auto signer =
      RemoteSigner::create(keys, "a", keys.generateKey("a", crypto::KeyType::kEcP256).value());
  auto other = crypto::generateKey(crypto::KeyType::kEcP256);
  auto self = createRemoteCertificate(caTemplate(), **other, nullptr, *signer);
  EXPECT_EQ(self.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(self.status().message(), "signer key does not match the self-signed subject key");
  auto ca = createRemoteCertificate(caTemplate(), signer->publicKey(), nullptr, *signer);
  ASSERT_TRUE(ca.isOk());
  auto signer_b =
      RemoteSigner::create(keys, "b", keys.generateKey("b", crypto::KeyType::kEcP256).value());
  auto leaf = createRemoteCertificate(caTemplate(), **other, ca->get(), *signer_b);
  EXPECT_EQ(leaf.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(leaf.status().message(), "signer key does not match the issuer certificate");
}

TEST(EcdsaDerToJoseTest, ConvertsAndRejects) {
  auto key = crypto::generateKey(crypto::KeyType::kEcP256);
  std::string digest = crypto::sha256("m");
  auto der = crypto::signDigest(**key, digest, crypto::HashAlgorithm::kSha256);
  auto jose = ecdsaDerToJose(*der, 32);
  ASSERT_TRUE(jose.isOk());
  EXPECT_EQ(jose->size(), 64u);
  auto garbage = ecdsaDerToJose("not der", 32);
  EXPECT_EQ(garbage.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(garbage.status().message(), "malformed ECDSA signature");
  auto too_small = ecdsaDerToJose(*der, 8);
  EXPECT_EQ(too_small.status().message(), "malformed ECDSA signature");
  auto trailing = ecdsaDerToJose(*der + "x", 32);
  EXPECT_EQ(trailing.status().message(), "malformed ECDSA signature");
}

} // namespace
} // namespace spire::server::ca
