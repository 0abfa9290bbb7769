#include "x509/x509_svid.h"

#include <gtest/gtest.h>

#include <openssl/pem.h>

#include "crypto/key.h"
#include "crypto/pem.h"
#include "support/temp_dir.h"
#include "support/test_ca.h"

namespace spire::x509 {
namespace {

using crypto::key_usage::kCrlSign;
using crypto::key_usage::kDigitalSignature;
using crypto::key_usage::kKeyCertSign;
using testing::CaOptions;
using testing::IssuedLeaf;
using testing::LeafOptions;
using testing::TestCa;

Status certError(std::string_view reason) {
  return Status(StatusCode::kInvalidArgument,
                "x509svid: certificate validation failed: " + std::string(reason));
}

Status keyError(std::string_view reason) {
  return Status(StatusCode::kInvalidArgument,
                "x509svid: private key validation failed: " + std::string(reason));
}

class X509SvidTest : public ::testing::Test {
protected:
  TestCa root_ = TestCa::createRoot("example.org");
  TestCa intermediate_ = root_.createIntermediate();

  // Parses the leaf through both entry points and checks they agree.
  Status parseBoth(const IssuedLeaf& leaf) {
    Status pem = X509Svid::parsePem(leaf.certsPem(), leaf.keyPem()).status();
    Status der = X509Svid::parseDer(leaf.certsDer(), leaf.keyDer()).status();
    EXPECT_EQ(pem, der);
    return pem;
  }
};

TEST_F(X509SvidTest, ParsesSingleLeaf) {
  IssuedLeaf leaf = root_.issueLeaf();
  Result<X509Svid> svid = X509Svid::parsePem(leaf.certsPem(), leaf.keyPem());
  ASSERT_TRUE(svid.isOk()) << svid.status().toString();
  EXPECT_EQ(svid->id.toString(), "spiffe://example.org/workload");
  EXPECT_EQ(svid->certificates.size(), 1u);
  EXPECT_TRUE(crypto::publicKeysEqual(*svid->private_key, *leaf.key));
  EXPECT_EQ(svid->expiresAt(), crypto::notAfter(*leaf.chain[0]));
  EXPECT_EQ(svid->hint, "");
}

TEST_F(X509SvidTest, ParsesLeafWithIntermediates) {
  TestCa second = intermediate_.createIntermediate();
  IssuedLeaf leaf = second.issueLeaf();
  ASSERT_EQ(leaf.chain.size(), 3u);
  Result<X509Svid> svid = X509Svid::parseDer(leaf.certsDer(), leaf.keyDer());
  ASSERT_TRUE(svid.isOk()) << svid.status().toString();
  EXPECT_EQ(svid->certificates.size(), 3u);
  EXPECT_TRUE(parseBoth(leaf).isOk());
}

TEST_F(X509SvidTest, ParsesEveryKeyType) {
  for (crypto::KeyType type : {crypto::KeyType::kEcP256, crypto::KeyType::kEcP384,
                               crypto::KeyType::kRsa2048, crypto::KeyType::kRsa4096}) {
    LeafOptions options;
    options.key_type = type;
    IssuedLeaf leaf = intermediate_.issueLeaf(options);
    EXPECT_TRUE(parseBoth(leaf).isOk()) << crypto::keyTypeName(type);
  }
}

TEST_F(X509SvidTest, CertificatesAndKeyMayShareOneText) {
  IssuedLeaf leaf = intermediate_.issueLeaf();
  std::string key_then_certs = leaf.keyPem() + leaf.certsPem();
  std::string certs_then_key = leaf.certsPem() + leaf.keyPem();
  for (const std::string& text : {key_then_certs, certs_then_key}) {
    Result<X509Svid> svid = X509Svid::parsePem(text, text);
    ASSERT_TRUE(svid.isOk()) << svid.status().toString();
    EXPECT_EQ(svid->certificates.size(), 2u);
  }
}

TEST_F(X509SvidTest, MissingCertificatesOrKey) {
  IssuedLeaf leaf = root_.issueLeaf();
  EXPECT_EQ(X509Svid::parsePem(leaf.keyPem(), leaf.keyPem()).status(),
            certError("no certificates found"));
  EXPECT_EQ(X509Svid::parsePem(leaf.certsPem(), leaf.certsPem()).status(),
            keyError("no private key found"));
  EXPECT_EQ(X509Svid::parseDer("", leaf.keyDer()).status(), certError("no certificates found"));
  EXPECT_EQ(X509Svid::fromParts(leaf.chain, nullptr).status(), keyError("no private key found"));
}

TEST_F(X509SvidTest, NotPemAndCorruptInput) {
  IssuedLeaf leaf = root_.issueLeaf();
  EXPECT_EQ(X509Svid::parsePem(leaf.certsPem(), "not PEM").status(),
            Status(StatusCode::kInvalidArgument,
                   "x509svid: cannot parse PEM encoded private key: no PEM blocks found"));
  EXPECT_EQ(X509Svid::parsePem("not PEM", leaf.keyPem()).status(),
            Status(StatusCode::kInvalidArgument,
                   "x509svid: cannot parse PEM encoded certificate: no PEM blocks found"));
  EXPECT_EQ(X509Svid::parsePem(leaf.certsPem(), crypto::encodePem("PRIVATE KEY", "junk")).status(),
            Status(StatusCode::kInvalidArgument,
                   "x509svid: cannot parse PEM encoded private key: malformed PKCS#8 private key"));
  EXPECT_EQ(X509Svid::parsePem(crypto::encodePem("CERTIFICATE", "junk"), leaf.keyPem()).status(),
            Status(StatusCode::kInvalidArgument,
                   "x509svid: cannot parse PEM encoded certificate: malformed certificate"));
  EXPECT_EQ(X509Svid::parseDer("not-DER-encoded", leaf.keyDer()).status(),
            Status(StatusCode::kInvalidArgument,
                   "x509svid: cannot parse DER encoded certificate: malformed certificate"));
  EXPECT_EQ(X509Svid::parseDer(leaf.certsDer(), "not-DER-encoded").status(),
            Status(StatusCode::kInvalidArgument,
                   "x509svid: cannot parse DER encoded private key: malformed PKCS#8 private key"));
}

TEST_F(X509SvidTest, RefusesPkcs1AndSec1Keys) {
  for (crypto::KeyType type : {crypto::KeyType::kRsa2048, crypto::KeyType::kEcP256}) {
    LeafOptions options;
    options.key_type = type;
    IssuedLeaf leaf = root_.issueLeaf(options);
    int len = i2d_PrivateKey(leaf.key.get(), nullptr);
    std::string traditional(static_cast<size_t>(len), '\0');
    auto* p = reinterpret_cast<unsigned char*>(traditional.data());
    i2d_PrivateKey(leaf.key.get(), &p);
    EXPECT_EQ(X509Svid::parseDer(leaf.certsDer(), traditional).status(),
              Status(StatusCode::kInvalidArgument,
                     "x509svid: cannot parse DER encoded private key: malformed PKCS#8 private "
                     "key"));
    // In PEM the block type differs ("RSA PRIVATE KEY" / "EC PRIVATE KEY"), so it is skipped.
    std::string pem = crypto::encodePem(
        type == crypto::KeyType::kRsa2048 ? "RSA PRIVATE KEY" : "EC PRIVATE KEY", traditional);
    EXPECT_EQ(X509Svid::parsePem(leaf.certsPem(), pem).status(), keyError("no private key found"));
  }
}

TEST_F(X509SvidTest, KeyMustMatchLeaf) {
  IssuedLeaf leaf = root_.issueLeaf();
  IssuedLeaf other = root_.issueLeaf();
  EXPECT_EQ(X509Svid::parsePem(leaf.certsPem(), other.keyPem()).status(),
            keyError("leaf certificate does not match private key"));
  // Not even the issuing CA's key.
  std::string ca_key = crypto::marshalPkcs8PrivateKeyDer(root_.key()).value();
  EXPECT_EQ(X509Svid::parseDer(leaf.certsDer(), ca_key).status(),
            keyError("leaf certificate does not match private key"));
  // A key of another type.
  LeafOptions rsa;
  rsa.key_type = crypto::KeyType::kRsa2048;
  EXPECT_EQ(X509Svid::parseDer(leaf.certsDer(), root_.issueLeaf(rsa).keyDer()).status(),
            keyError("leaf certificate does not match private key"));
}

TEST_F(X509SvidTest, LeafUriSanRules) {
  LeafOptions none;
  none.uri_sans = std::vector<std::string>{};
  none.dns_sans = {"web.example.org"};
  EXPECT_EQ(parseBoth(root_.issueLeaf(none)),
            certError("cannot get leaf certificate SPIFFE ID: certificate contains no URI SAN"));

  LeafOptions two;
  two.uri_sans = std::vector<std::string>{"spiffe://example.org/a", "spiffe://example.org/b"};
  EXPECT_EQ(parseBoth(root_.issueLeaf(two)),
            certError("cannot get leaf certificate SPIFFE ID: certificate contains more than one "
                      "URI SAN"));

  LeafOptions bad_scheme;
  bad_scheme.uri_sans = std::vector<std::string>{"https://example.org/workload"};
  EXPECT_EQ(parseBoth(root_.issueLeaf(bad_scheme)),
            certError("cannot get leaf certificate SPIFFE ID: scheme is missing or invalid"));

  LeafOptions bad_td;
  bad_td.uri_sans = std::vector<std::string>{"spiffe://Example.org/workload"};
  EXPECT_EQ(parseBoth(root_.issueLeaf(bad_td)),
            certError("cannot get leaf certificate SPIFFE ID: trust domain characters are limited "
                      "to lowercase letters, numbers, dots, dashes, and underscores"));

  LeafOptions root_path;
  root_path.uri_sans = std::vector<std::string>{"spiffe://example.org"};
  EXPECT_EQ(parseBoth(root_.issueLeaf(root_path)),
            certError("leaf certificate SPIFFE ID must have a non-root path"));

  // Other SAN types next to the single URI SAN are fine.
  LeafOptions with_dns;
  with_dns.dns_sans = {"web.example.org"};
  EXPECT_TRUE(parseBoth(root_.issueLeaf(with_dns)).isOk());
}

TEST_F(X509SvidTest, LeafMustNotBeCa) {
  LeafOptions options;
  options.is_ca = true;
  EXPECT_EQ(parseBoth(root_.issueLeaf(options)),
            certError("leaf certificate must not have CA flag set to true"));
  // Without basicConstraints at all the leaf is not a CA (Go's IsCA is false).
  LeafOptions no_bc;
  no_bc.basic_constraints = false;
  EXPECT_TRUE(parseBoth(root_.issueLeaf(no_bc)).isOk());
}

TEST_F(X509SvidTest, LeafKeyUsageRules) {
  LeafOptions no_ds;
  no_ds.key_usage = crypto::key_usage::kKeyEncipherment;
  EXPECT_EQ(parseBoth(root_.issueLeaf(no_ds)),
            certError("leaf certificate must have 'digitalSignature' set as key usage"));
  LeafOptions no_ku;
  no_ku.key_usage = 0;
  EXPECT_EQ(parseBoth(root_.issueLeaf(no_ku)),
            certError("leaf certificate must have 'digitalSignature' set as key usage"));
  LeafOptions cert_sign;
  cert_sign.key_usage = kDigitalSignature | kKeyCertSign;
  EXPECT_EQ(parseBoth(root_.issueLeaf(cert_sign)),
            certError("leaf certificate must not have 'keyCertSign' set as key usage"));
  LeafOptions crl_sign;
  crl_sign.key_usage = kDigitalSignature | kCrlSign;
  EXPECT_EQ(parseBoth(root_.issueLeaf(crl_sign)),
            certError("leaf certificate must not have 'cRLSign' set as key usage"));
  LeafOptions minimal;
  minimal.key_usage = kDigitalSignature;
  EXPECT_TRUE(parseBoth(root_.issueLeaf(minimal)).isOk());
}

TEST_F(X509SvidTest, SigningCertificateRules) {
  CaOptions not_ca;
  not_ca.is_ca = false;
  EXPECT_EQ(parseBoth(root_.createIntermediate(not_ca).issueLeaf()),
            certError("signing certificate must have CA flag set to true"));
  CaOptions no_cert_sign;
  no_cert_sign.key_usage = kCrlSign;
  EXPECT_EQ(parseBoth(root_.createIntermediate(no_cert_sign).issueLeaf()),
            certError("signing certificate must have 'keyCertSign' set as key usage"));
  // The check covers every certificate after the leaf, not only the first.
  TestCa bad_upper = root_.createIntermediate(not_ca);
  EXPECT_EQ(parseBoth(bad_upper.createIntermediate().issueLeaf()),
            certError("signing certificate must have CA flag set to true"));
}

TEST_F(X509SvidTest, LeafRulesComeBeforeSigningRulesAndKey) {
  CaOptions not_ca;
  not_ca.is_ca = false;
  LeafOptions is_ca;
  is_ca.is_ca = true;
  IssuedLeaf leaf = root_.createIntermediate(not_ca).issueLeaf(is_ca);
  IssuedLeaf other = root_.issueLeaf();
  EXPECT_EQ(X509Svid::parsePem(leaf.certsPem(), other.keyPem()).status(),
            certError("leaf certificate must not have CA flag set to true"));
}

TEST_F(X509SvidTest, SerialisesBackToPemAndDer) {
  IssuedLeaf leaf = intermediate_.issueLeaf();
  X509Svid svid = leaf.svid();
  Result<EncodedX509Svid> pem = svid.toPem();
  ASSERT_TRUE(pem.isOk());
  EXPECT_EQ(pem->certificates, leaf.certsPem());
  EXPECT_EQ(pem->private_key, leaf.keyPem());
  Result<EncodedX509Svid> der = svid.toDer();
  ASSERT_TRUE(der.isOk());
  EXPECT_EQ(der->certificates, leaf.certsDer());
  EXPECT_EQ(der->private_key, leaf.keyDer());
  Result<X509Svid> again = X509Svid::parseDer(der->certificates, der->private_key);
  ASSERT_TRUE(again.isOk());
  EXPECT_EQ(again->id, svid.id);
}

TEST_F(X509SvidTest, SerialiseErrors) {
  X509Svid svid = root_.issueSvid();
  X509Svid no_key = svid.clone();
  no_key.private_key.reset();
  EXPECT_EQ(no_key.toPem().status(), Status(StatusCode::kInvalidArgument,
                                            "x509svid: cannot encode private key: no private key"));
  X509Svid no_certs = svid.clone();
  no_certs.certificates.clear();
  EXPECT_EQ(no_certs.toDer().status(),
            Status(StatusCode::kInvalidArgument, "x509svid: no certificates to marshal"));
}

TEST_F(X509SvidTest, CloneSharesObjects) {
  X509Svid svid = root_.issueSvid("/db");
  svid.hint = "internal";
  X509Svid copy = svid.clone();
  EXPECT_EQ(copy.id.toString(), "spiffe://example.org/db");
  EXPECT_EQ(copy.hint, "internal");
  EXPECT_EQ(copy.certificates[0].get(), svid.certificates[0].get());
  EXPECT_EQ(copy.private_key.get(), svid.private_key.get());
}

TEST_F(X509SvidTest, LoadsFromFiles) {
  testing::TempDir dir;
  IssuedLeaf leaf = intermediate_.issueLeaf();
  std::string certs = dir.writeFile("svid.pem", leaf.certsPem());
  std::string key = dir.writeFile("svid.key", leaf.keyPem());
  std::string both = dir.writeFile("both.pem", leaf.keyPem() + leaf.certsPem());
  Result<X509Svid> svid = X509Svid::loadPem(certs, key);
  ASSERT_TRUE(svid.isOk()) << svid.status().toString();
  EXPECT_EQ(svid->certificates.size(), 2u);
  EXPECT_TRUE(X509Svid::loadPem(both, both).isOk());

  std::string missing = (dir.path() / "missing.pem").string();
  EXPECT_EQ(X509Svid::loadPem(missing, key).status(),
            Status(StatusCode::kNotFound, "x509svid: cannot read certificate file: open " +
                                              missing + ": No such file or directory"));
  EXPECT_EQ(X509Svid::loadPem(certs, missing).status(),
            Status(StatusCode::kNotFound, "x509svid: cannot read key file: open " + missing +
                                              ": No such file or directory"));
  // Parse errors come through unchanged.
  EXPECT_EQ(X509Svid::loadPem(key, key).status(), certError("no certificates found"));
}

TEST_F(X509SvidTest, IdFromCert) {
  Result<spiffe::SpiffeId> id = idFromCert(*root_.issueSvid("/x/y").certificates[0]);
  ASSERT_TRUE(id.isOk());
  EXPECT_EQ(id->toString(), "spiffe://example.org/x/y");
  // The root CA's own URI SAN is the trust domain ID.
  EXPECT_EQ(idFromCert(*root_.cert())->toString(), "spiffe://example.org");
}

} // namespace
} // namespace spire::x509
