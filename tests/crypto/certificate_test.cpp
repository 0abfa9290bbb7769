#include "crypto/certificate.h"

#include <gtest/gtest.h>

#include <openssl/x509v3.h>

#include "common/encoding.h"
#include "crypto/certificate_builder.h"
#include "crypto/digest.h"
#include "crypto/key.h"
#include "crypto/pem.h"
#include "support/command.h"
#include "support/temp_dir.h"

namespace spire::crypto {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

// 2030-01-01T00:00:00Z, so that validity round trips are exact.
const TimePoint kNow = std::chrono::system_clock::from_time_t(1893456000);

EvpPkeyPtr newKey(KeyType type = KeyType::kEcP256) {
  Result<EvpPkeyPtr> key = generateKey(type);
  EXPECT_TRUE(key.isOk());
  return std::move(*key);
}

CertificateTemplate rootTemplate() {
  CertificateTemplate tmpl;
  tmpl.subject = {{"C", "US"}, {"O", "SPIFFE"}};
  tmpl.not_before = kNow - hours(1);
  tmpl.not_after = kNow + hours(24);
  tmpl.uri_sans = {"spiffe://example.org"};
  tmpl.is_ca = true;
  tmpl.max_path_len = 1;
  tmpl.key_usage = key_usage::kKeyCertSign | key_usage::kCrlSign;
  return tmpl;
}

CertificateTemplate leafTemplate() {
  CertificateTemplate tmpl;
  tmpl.subject = {{"C", "US"}, {"O", "SPIRE"}, {"CN", "web.example.org"}};
  tmpl.not_before = kNow - seconds(10);
  tmpl.not_after = kNow + hours(1);
  tmpl.uri_sans = {"spiffe://example.org/workload"};
  tmpl.dns_sans = {"web.example.org", "www.example.org"};
  tmpl.key_usage =
      key_usage::kDigitalSignature | key_usage::kKeyEncipherment | key_usage::kKeyAgreement;
  tmpl.ext_key_usage = {ExtKeyUsage::kServerAuth, ExtKeyUsage::kClientAuth};
  return tmpl;
}

X509Ptr build(const CertificateTemplate& tmpl, const EVP_PKEY& subject_key, const X509* issuer,
              const EVP_PKEY& signer) {
  Result<X509Ptr> cert = createCertificate(tmpl, subject_key, issuer, signer);
  EXPECT_TRUE(cert.isOk()) << cert.status().toString();
  return cert.isOk() ? std::move(*cert) : X509Ptr();
}

bool isExtensionCritical(const X509& cert, int nid) {
  int idx = X509_get_ext_by_NID(&cert, nid, -1);
  return idx >= 0 && X509_EXTENSION_get_critical(X509_get_ext(&cert, idx)) == 1;
}

TEST(CertificateBuilderTest, SelfSignedRootHasTheRequestedFields) {
  EvpPkeyPtr key = newKey();
  X509Ptr root = build(rootTemplate(), *key, nullptr, *key);
  ASSERT_TRUE(root);
  EXPECT_EQ(subjectName(*root), "O=SPIFFE,C=US");
  EXPECT_EQ(issuerName(*root), "O=SPIFFE,C=US");
  EXPECT_EQ(X509_get_version(root.get()), X509_VERSION_3);
  EXPECT_TRUE(isCa(*root));
  EXPECT_EQ(maxPathLen(*root), 1);
  EXPECT_TRUE(isExtensionCritical(*root, NID_basic_constraints));
  EXPECT_EQ(keyUsage(*root), key_usage::kKeyCertSign | key_usage::kCrlSign);
  EXPECT_TRUE(hasKeyUsageExtension(*root));
  EXPECT_TRUE(isKeyUsageCritical(*root));
  EXPECT_TRUE(extKeyUsages(*root).empty());
  EXPECT_EQ(uriSans(*root), std::vector<std::string>{"spiffe://example.org"});
  EXPECT_TRUE(dnsSans(*root).empty());
  EXPECT_FALSE(isExtensionCritical(*root, NID_subject_alt_name));
  EXPECT_EQ(notBefore(*root), kNow - hours(1));
  EXPECT_EQ(notAfter(*root), kNow + hours(24));
  // SKI is SHA-1 of the subjectPublicKey bits; a self-signed certificate has no AKI (as Go).
  EXPECT_EQ(subjectKeyId(*root).size(), 20u);
  EXPECT_EQ(authorityKeyId(*root), "");
  EXPECT_TRUE(isSignedBy(*root, *key));
  EXPECT_TRUE(publicKeysEqual(*publicKeyOf(*root), *key));
  // A random positive 128-bit serial.
  std::string serial_hex = serialNumberHex(*root);
  EXPECT_FALSE(serial_hex.empty());
  EXPECT_LE(serial_hex.size(), 32u);
  EXPECT_EQ(serial_hex.find('-'), std::string::npos);
}

TEST(CertificateBuilderTest, LeafIsSignedByIssuerWithKeyIdsAndNames) {
  EvpPkeyPtr ca_key = newKey();
  X509Ptr ca = build(rootTemplate(), *ca_key, nullptr, *ca_key);
  EvpPkeyPtr leaf_key = newKey();
  X509Ptr leaf = build(leafTemplate(), *leaf_key, ca.get(), *ca_key);
  ASSERT_TRUE(leaf);
  EXPECT_EQ(subjectName(*leaf), "CN=web.example.org,O=SPIRE,C=US");
  EXPECT_EQ(issuerName(*leaf), "O=SPIFFE,C=US");
  EXPECT_FALSE(isCa(*leaf));
  EXPECT_EQ(maxPathLen(*leaf), -1);
  EXPECT_EQ(keyUsage(*leaf),
            key_usage::kDigitalSignature | key_usage::kKeyEncipherment | key_usage::kKeyAgreement);
  EXPECT_EQ(extKeyUsages(*leaf),
            (std::vector<ExtKeyUsage>{ExtKeyUsage::kServerAuth, ExtKeyUsage::kClientAuth}));
  EXPECT_EQ(uriSans(*leaf), std::vector<std::string>{"spiffe://example.org/workload"});
  EXPECT_EQ(dnsSans(*leaf), (std::vector<std::string>{"web.example.org", "www.example.org"}));
  EXPECT_EQ(authorityKeyId(*leaf), subjectKeyId(*ca));
  EXPECT_NE(subjectKeyId(*leaf), subjectKeyId(*ca));
  EXPECT_TRUE(isSignedBy(*leaf, *ca_key));
  EXPECT_FALSE(isSignedBy(*leaf, *leaf_key));
}

TEST(CertificateBuilderTest, ExplicitSerialAndKeyIdsAndEveryKeyUsageBit) {
  EvpPkeyPtr key = newKey();
  CertificateTemplate tmpl = leafTemplate();
  tmpl.serial = std::string("\x01\x00", 2);
  tmpl.subject_key_id = "my-ski";
  tmpl.key_usage = key_usage::kDigitalSignature | key_usage::kNonRepudiation |
                   key_usage::kKeyEncipherment | key_usage::kDataEncipherment |
                   key_usage::kKeyAgreement | key_usage::kKeyCertSign | key_usage::kCrlSign |
                   key_usage::kEncipherOnly | key_usage::kDecipherOnly;
  tmpl.key_usage_critical = false;
  tmpl.ext_key_usage = {ExtKeyUsage::kAny, ExtKeyUsage::kCodeSigning, ExtKeyUsage::kEmailProtection,
                        ExtKeyUsage::kTimeStamping, ExtKeyUsage::kOcspSigning};
  X509Ptr cert = build(tmpl, *key, nullptr, *key);
  ASSERT_TRUE(cert);
  EXPECT_EQ(serialNumberDecimal(*cert), "256");
  EXPECT_EQ(serialNumberHex(*cert), "0100");
  EXPECT_EQ(subjectKeyId(*cert), "my-ski");
  EXPECT_EQ(keyUsage(*cert), tmpl.key_usage);
  EXPECT_FALSE(isKeyUsageCritical(*cert));
  EXPECT_EQ(extKeyUsages(*cert), tmpl.ext_key_usage);
}

TEST(CertificateBuilderTest, OptionalExtensionsCanBeLeftOut) {
  EvpPkeyPtr key = newKey();
  CertificateTemplate tmpl;
  tmpl.not_before = kNow;
  tmpl.not_after = kNow + hours(1);
  tmpl.basic_constraints_valid = false;
  tmpl.include_subject_key_id = false;
  X509Ptr cert = build(tmpl, *key, nullptr, *key);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_get_ext_count(cert.get()), 0);
  EXPECT_FALSE(isCa(*cert));
  EXPECT_EQ(keyUsage(*cert), 0u);
  EXPECT_FALSE(hasKeyUsageExtension(*cert));
  EXPECT_EQ(subjectKeyId(*cert), "");
  EXPECT_EQ(subjectName(*cert), "");
}

TEST(CertificateBuilderTest, SanIsCriticalWhenSubjectIsEmpty) {
  EvpPkeyPtr key = newKey();
  CertificateTemplate tmpl = leafTemplate();
  tmpl.subject.clear();
  X509Ptr cert = build(tmpl, *key, nullptr, *key);
  ASSERT_TRUE(cert);
  EXPECT_TRUE(isExtensionCritical(*cert, NID_subject_alt_name));
  tmpl = leafTemplate();
  tmpl.san_critical = true;
  cert = build(tmpl, *key, nullptr, *key);
  EXPECT_TRUE(isExtensionCritical(*cert, NID_subject_alt_name));
}

TEST(CertificateBuilderTest, SignatureDigestFollowsSignerKeyType) {
  const std::pair<KeyType, int> cases[] = {{KeyType::kEcP256, NID_ecdsa_with_SHA256},
                                           {KeyType::kEcP384, NID_ecdsa_with_SHA384},
                                           {KeyType::kRsa2048, NID_sha256WithRSAEncryption}};
  for (const auto& [type, nid] : cases) {
    EvpPkeyPtr key = newKey(type);
    X509Ptr cert = build(rootTemplate(), *key, nullptr, *key);
    ASSERT_TRUE(cert);
    EXPECT_EQ(X509_get_signature_nid(cert.get()), nid) << keyTypeName(type);
  }
}

TEST(CertificateBuilderTest, TimesAfter2049UseGeneralizedTime) {
  EvpPkeyPtr key = newKey();
  CertificateTemplate tmpl = rootTemplate();
  tmpl.not_after = std::chrono::system_clock::from_time_t(2556144000); // 2051-01-01
  X509Ptr cert = build(tmpl, *key, nullptr, *key);
  ASSERT_TRUE(cert);
  EXPECT_EQ(ASN1_STRING_type(X509_get0_notAfter(cert.get())), V_ASN1_GENERALIZEDTIME);
  EXPECT_EQ(ASN1_STRING_type(X509_get0_notBefore(cert.get())), V_ASN1_UTCTIME);
  EXPECT_EQ(notAfter(*cert), tmpl.not_after);
}

TEST(CertificateBuilderTest, RejectsSignerNotMatchingIssuer) {
  EvpPkeyPtr ca_key = newKey();
  EvpPkeyPtr other = newKey();
  X509Ptr ca = build(rootTemplate(), *ca_key, nullptr, *ca_key);
  EXPECT_EQ(
      createCertificate(leafTemplate(), *other, ca.get(), *other).status(),
      Status(StatusCode::kInvalidArgument, "signer key does not match the issuer certificate"));
  EXPECT_EQ(createCertificate(rootTemplate(), *ca_key, nullptr, *other).status(),
            Status(StatusCode::kInvalidArgument,
                   "signer key does not match the self-signed subject key"));
}

TEST(CertificateBuilderTest, RejectsBadNameAttributes) {
  EXPECT_EQ(makeName({{"NOPE", "x"}}).status(),
            Status(StatusCode::kInvalidArgument, "invalid name attribute NOPE=x"));
  // countryName is a two-letter PrintableString.
  EXPECT_EQ(makeName({{"C", "USA"}}).status(),
            Status(StatusCode::kInvalidArgument, "invalid name attribute C=USA"));
  Result<X509NamePtr> name = makeName({{"C", "US"}, {"serialNumber", "42"}, {"2.5.4.10", "O"}});
  ASSERT_TRUE(name.isOk()) << name.status().toString();
  EXPECT_EQ(X509_NAME_entry_count(name->get()), 3);
}

TEST(CertificateBuilderTest, RandomSerialsArePositiveAndDiffer) {
  std::string a = randomSerial();
  std::string b = randomSerial();
  EXPECT_EQ(a.size(), 16u);
  EXPECT_NE(a, b);
  EXPECT_EQ(static_cast<unsigned char>(a[0]) & 0x80, 0);
}

class CertificateParseTest : public ::testing::Test {
protected:
  void SetUp() override {
    key_ = newKey();
    root_ = shareX509(build(rootTemplate(), *key_, nullptr, *key_));
    leaf_key_ = newKey();
    leaf_ = shareX509(build(leafTemplate(), *leaf_key_, root_.get(), *key_));
  }
  EvpPkeyPtr key_;
  EvpPkeyPtr leaf_key_;
  X509Shared root_;
  X509Shared leaf_;
};

TEST_F(CertificateParseTest, DerRoundTrip) {
  std::string der = certificateToDer(*leaf_);
  Result<X509Ptr> parsed = parseCertificateDer(der);
  ASSERT_TRUE(parsed.isOk());
  EXPECT_TRUE(certificatesEqual(**parsed, *leaf_));
  EXPECT_FALSE(certificatesEqual(**parsed, *root_));

  Result<std::vector<X509Shared>> chain = parseCertificatesDer(der + certificateToDer(*root_));
  ASSERT_TRUE(chain.isOk());
  ASSERT_EQ(chain->size(), 2u);
  EXPECT_TRUE(certificatesEqual(*(*chain)[1], *root_));
  EXPECT_EQ(certificatesToDer(*chain), der + certificateToDer(*root_));

  Result<std::vector<X509Shared>> empty = parseCertificatesDer("");
  ASSERT_TRUE(empty.isOk());
  EXPECT_TRUE(empty->empty());
}

TEST_F(CertificateParseTest, DerErrors) {
  const Status malformed(StatusCode::kInvalidArgument, "malformed certificate");
  std::string der = certificateToDer(*leaf_);
  EXPECT_EQ(parseCertificateDer("").status(), malformed);
  EXPECT_EQ(parseCertificateDer("not DER").status(), malformed);
  EXPECT_EQ(parseCertificateDer(der.substr(0, der.size() - 1)).status(), malformed);
  EXPECT_EQ(parseCertificateDer(der + "x").status(),
            Status(StatusCode::kInvalidArgument, "trailing data after certificate"));
  EXPECT_EQ(parseCertificatesDer(der + "x").status(), malformed);
}

TEST_F(CertificateParseTest, RejectsDuplicateExtensions) {
  // A second subjectAltName extension, then re-signed so only the duplicate is wrong.
  X509Ptr cert(X509_dup(leaf_.get()));
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  ASSERT_EQ(X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, names.get(), 0, X509V3_ADD_APPEND),
            1);
  ASSERT_GT(X509_sign(cert.get(), key_.get(), EVP_sha256()), 0);
  EXPECT_EQ(parseCertificateDer(certificateToDer(*cert)).status(),
            Status(StatusCode::kInvalidArgument, "malformed certificate"));
}

TEST_F(CertificateParseTest, PemTakesOnlyCertificateBlocks) {
  std::string pem = *marshalPkcs8PrivateKeyPem(*leaf_key_) + certificateToPem(*leaf_) +
                    encodePem("X509 CRL", "whatever") + "comment\n" + certificateToPem(*root_);
  Result<std::vector<X509Shared>> certs = parseCertificatesPem(pem);
  ASSERT_TRUE(certs.isOk()) << certs.status().toString();
  ASSERT_EQ(certs->size(), 2u);
  EXPECT_TRUE(certificatesEqual(*(*certs)[0], *leaf_));
  EXPECT_TRUE(certificatesEqual(*(*certs)[1], *root_));
  EXPECT_EQ(certificatesToPem(*certs), certificateToPem(*leaf_) + certificateToPem(*root_));

  Result<std::vector<X509Shared>> none = parseCertificatesPem(*marshalPkcs8PrivateKeyPem(*key_));
  ASSERT_TRUE(none.isOk());
  EXPECT_TRUE(none->empty());
}

TEST_F(CertificateParseTest, PemErrors) {
  EXPECT_EQ(parseCertificatesPem("").status(),
            Status(StatusCode::kInvalidArgument, "no PEM blocks found"));
  EXPECT_EQ(parseCertificatesPem("just text").status(),
            Status(StatusCode::kInvalidArgument, "no PEM blocks found"));
  EXPECT_EQ(
      parseCertificatesPem(certificateToPem(*leaf_) + encodePem("CERTIFICATE", "junk")).status(),
      Status(StatusCode::kInvalidArgument, "malformed certificate"));
}

// Cross-check with the openssl CLI: it reads our SANs and serial, and its chain verdict agrees
// with the issuer relationship we built.
TEST_F(CertificateParseTest, CrossCheckOpenSslCliReadsFields) {
  if (!testing::haveOpenSslCli()) {
    GTEST_SKIP() << "openssl CLI not available";
  }
  testing::TempDir dir;
  std::string leaf_path = dir.writeFile("leaf.pem", certificateToPem(*leaf_));
  testing::CommandResult san =
      testing::runCommand("openssl x509 -in " + leaf_path + " -noout -ext subjectAltName");
  ASSERT_EQ(san.exit_code, 0) << san.output;
  EXPECT_NE(san.output.find("URI:spiffe://example.org/workload, DNS:web.example.org, "
                            "DNS:www.example.org"),
            std::string::npos)
      << san.output;

  testing::CommandResult serial =
      testing::runCommand("openssl x509 -in " + leaf_path + " -noout -serial");
  ASSERT_EQ(serial.exit_code, 0);
  std::string hex = serialNumberHex(*leaf_);
  if (hex.size() % 2 == 1) {
    hex = "0" + hex;
  }
  std::transform(hex.begin(), hex.end(), hex.begin(), ::toupper);
  EXPECT_EQ(serial.output, "serial=" + hex + "\n");

  testing::CommandResult subject =
      testing::runCommand("openssl x509 -in " + leaf_path + " -noout -subject -nameopt RFC2253");
  EXPECT_EQ(subject.output, "subject=" + subjectName(*leaf_) + "\n");
}

TEST_F(CertificateParseTest, CrossCheckOpenSslVerifyAgrees) {
  if (!testing::haveOpenSslCli()) {
    GTEST_SKIP() << "openssl CLI not available";
  }
  testing::TempDir dir;
  std::string leaf_path = dir.writeFile("leaf.pem", certificateToPem(*leaf_));
  std::string root_path = dir.writeFile("root.pem", certificateToPem(*root_));
  EvpPkeyPtr other_key = newKey();
  X509Ptr other_root = build(rootTemplate(), *other_key, nullptr, *other_key);
  std::string other_path = dir.writeFile("other.pem", certificateToPem(*other_root));
  // kNow is in 2030; -attime pins the CLI to it.
  std::string attime = " -attime " + std::to_string(std::chrono::system_clock::to_time_t(kNow));
  testing::CommandResult ok =
      testing::runCommand("openssl verify" + attime + " -CAfile " + root_path + " " + leaf_path);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_TRUE(isSignedBy(*leaf_, *key_));
  testing::CommandResult bad =
      testing::runCommand("openssl verify" + attime + " -CAfile " + other_path + " " + leaf_path);
  EXPECT_NE(bad.exit_code, 0) << bad.output;
  EXPECT_FALSE(isSignedBy(*leaf_, *other_key));
}

std::string spkiDer(const EVP_PKEY& key) {
  unsigned char* out = nullptr;
  int len = i2d_PUBKEY(&key, &out);
  OpenSslBytesPtr owner(out);
  return len > 0 ? std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(len)) : "";
}

// setSubjectPublicKeyInfo puts exactly the given SPKI in the certificate, for every key type,
// and the signed result re-parses to that key.
TEST(SubjectPublicKeyInfoTest, CopiesTheKeyBytesForEveryKeyType) {
  EvpPkeyPtr ca_key = newKey();
  X509Ptr ca = build(rootTemplate(), *ca_key, nullptr, *ca_key);
  std::vector<EvpPkeyPtr> keys;
  keys.push_back(newKey(KeyType::kEcP256));
  keys.push_back(newKey(KeyType::kEcP384));
  keys.push_back(newKey(KeyType::kRsa2048));
  keys.push_back(EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")));
  for (const EvpPkeyPtr& key : keys) {
    ASSERT_TRUE(key);
    X509Ptr cert = build(leafTemplate(), *ca_key, ca.get(), *ca_key);
    ASSERT_TRUE(cert);
    const std::string spki = spkiDer(*key);
    ASSERT_TRUE(setSubjectPublicKeyInfo(cert.get(), spki).isOk());
    ASSERT_GT(X509_sign(cert.get(), ca_key.get(), EVP_sha256()), 0);
    Result<X509Ptr> parsed = parseCertificateDer(certificateToDer(*cert));
    ASSERT_TRUE(parsed.isOk());
    EXPECT_TRUE(publicKeysEqual(*publicKeyOf(**parsed), *key));
    EXPECT_EQ(spkiDer(*publicKeyOf(**parsed)), spki);
    EXPECT_TRUE(isSignedBy(**parsed, *ca_key));
  }
}

TEST(SubjectPublicKeyInfoTest, RejectsMalformedInput) {
  const Status malformed(StatusCode::kInvalidArgument, "malformed subject public key info");
  const std::string spki = spkiDer(*newKey());
  X509Ptr cert(X509_new());
  std::string unused_bits = spki;
  unused_bits[unused_bits.find(std::string("\x03\x42\x00", 3)) + 2] = 0x01;
  for (const std::string& bad :
       {std::string(), std::string("x"), spki + "x", spki.substr(0, spki.size() - 1),
        spki.substr(0, 10), unused_bits, std::string("\x30\x00", 2)}) {
    EXPECT_EQ(setSubjectPublicKeyInfo(cert.get(), bad), malformed) << hexEncode(bad);
  }
}

} // namespace
} // namespace spire::crypto
