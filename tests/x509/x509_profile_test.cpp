#include "x509/x509_profile.h"

#include <gtest/gtest.h>

#include "support/test_ca.h"

namespace spire::x509 {
namespace {

using crypto::key_usage::kCrlSign;
using crypto::key_usage::kDigitalSignature;
using crypto::key_usage::kKeyCertSign;
using testing::CaOptions;
using testing::LeafOptions;
using testing::TestCa;

Status invalid(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message));
}

TEST(SigningCertificateProfileTest, AcceptsSpireStyleCa) {
  TestCa root = TestCa::createRoot("example.org");
  EXPECT_TRUE(checkSigningCertificateProfile(*root.cert()).isOk());
  CaOptions no_uri;
  no_uri.uri_sans = std::vector<std::string>{};
  no_uri.key_usage = kKeyCertSign;
  EXPECT_TRUE(checkSigningCertificateProfile(*root.createIntermediate(no_uri).cert()).isOk());
}

TEST(SigningCertificateProfileTest, RejectsEachBrokenRule) {
  TestCa root = TestCa::createRoot("example.org");
  auto check = [&](const CaOptions& options) {
    return checkSigningCertificateProfile(*root.createIntermediate(options).cert());
  };
  CaOptions not_ca;
  not_ca.is_ca = false;
  EXPECT_EQ(check(not_ca), invalid("signing certificate must have CA flag set to true"));
  CaOptions no_bc;
  no_bc.basic_constraints = false;
  EXPECT_EQ(check(no_bc), invalid("signing certificate must have CA flag set to true"));
  CaOptions no_ku;
  no_ku.key_usage = 0;
  EXPECT_EQ(check(no_ku), invalid("signing certificate must have the keyUsage extension"));
  CaOptions not_critical;
  not_critical.key_usage_critical = false;
  EXPECT_EQ(check(not_critical),
            invalid("signing certificate keyUsage extension must be critical"));
  CaOptions no_cert_sign;
  no_cert_sign.key_usage = kCrlSign | kDigitalSignature;
  EXPECT_EQ(check(no_cert_sign),
            invalid("signing certificate must have 'keyCertSign' set as key usage"));
  CaOptions two_uris;
  two_uris.uri_sans = std::vector<std::string>{"spiffe://example.org", "spiffe://other.org"};
  EXPECT_EQ(check(two_uris), invalid("signing certificate must not have more than one URI SAN"));
  CaOptions bad_id;
  bad_id.uri_sans = std::vector<std::string>{"spiffe://"};
  EXPECT_EQ(check(bad_id), invalid("signing certificate SPIFFE ID is invalid: trust domain is "
                                   "missing"));
  CaOptions with_path;
  with_path.uri_sans = std::vector<std::string>{"spiffe://example.org/ca"};
  EXPECT_EQ(check(with_path), invalid("signing certificate SPIFFE ID must not have a path"));
}

TEST(LeafSvidProfileTest, AcceptsSpireStyleLeaf) {
  TestCa root = TestCa::createRoot("example.org");
  EXPECT_TRUE(checkLeafSvidProfile(*root.issueLeaf().chain[0]).isOk());
  LeafOptions no_eku;
  no_eku.ext_key_usage = {};
  EXPECT_TRUE(checkLeafSvidProfile(*root.issueLeaf(no_eku).chain[0]).isOk());
  LeafOptions empty_subject;
  empty_subject.subject = {};
  EXPECT_TRUE(checkLeafSvidProfile(*root.issueLeaf(empty_subject).chain[0]).isOk());
}

TEST(LeafSvidProfileTest, RejectsEachBrokenRule) {
  TestCa root = TestCa::createRoot("example.org");
  auto check = [&](const LeafOptions& options) {
    return checkLeafSvidProfile(*root.issueLeaf(options).chain[0]);
  };
  LeafOptions no_uri;
  no_uri.uri_sans = std::vector<std::string>{};
  EXPECT_EQ(check(no_uri),
            invalid("cannot get leaf certificate SPIFFE ID: certificate contains no URI SAN"));
  LeafOptions two_uris;
  two_uris.uri_sans = std::vector<std::string>{"spiffe://example.org/a", "spiffe://example.org/b"};
  EXPECT_EQ(check(two_uris), invalid("cannot get leaf certificate SPIFFE ID: certificate contains "
                                     "more than one URI SAN"));
  LeafOptions root_path;
  root_path.uri_sans = std::vector<std::string>{"spiffe://example.org"};
  EXPECT_EQ(check(root_path), invalid("leaf certificate SPIFFE ID must have a non-root path"));
  LeafOptions ca;
  ca.is_ca = true;
  EXPECT_EQ(check(ca), invalid("leaf certificate must not have CA flag set to true"));
  LeafOptions no_ku;
  no_ku.key_usage = 0;
  EXPECT_EQ(check(no_ku), invalid("leaf certificate must have the keyUsage extension"));
  LeafOptions ku_not_critical;
  ku_not_critical.key_usage_critical = false;
  EXPECT_EQ(check(ku_not_critical),
            invalid("leaf certificate keyUsage extension must be critical"));
  LeafOptions no_ds;
  no_ds.key_usage = crypto::key_usage::kKeyAgreement;
  EXPECT_EQ(check(no_ds),
            invalid("leaf certificate must have 'digitalSignature' set as key usage"));
  LeafOptions cert_sign;
  cert_sign.key_usage = kDigitalSignature | kKeyCertSign;
  EXPECT_EQ(check(cert_sign),
            invalid("leaf certificate must not have 'keyCertSign' set as key usage"));
  LeafOptions crl_sign;
  crl_sign.key_usage = kDigitalSignature | kCrlSign;
  EXPECT_EQ(check(crl_sign), invalid("leaf certificate must not have 'cRLSign' set as key usage"));
  for (auto ekus : {std::vector<crypto::ExtKeyUsage>{crypto::ExtKeyUsage::kServerAuth},
                    std::vector<crypto::ExtKeyUsage>{crypto::ExtKeyUsage::kClientAuth},
                    std::vector<crypto::ExtKeyUsage>{crypto::ExtKeyUsage::kCodeSigning}}) {
    LeafOptions options;
    options.ext_key_usage = ekus;
    EXPECT_EQ(check(options),
              invalid("leaf certificate extKeyUsage must include serverAuth and clientAuth"));
  }
}

TEST(LeafSvidProfileTest, EmptySubjectNeedsCriticalSan) {
  // The builder marks the SAN critical for an empty subject; strip the flag by hand to get a
  // certificate that breaks the rule.
  TestCa root = TestCa::createRoot("example.org");
  LeafOptions empty_subject;
  empty_subject.subject = {};
  crypto::X509Ptr cert(X509_dup(root.issueLeaf(empty_subject).chain[0].get()));
  int idx = X509_get_ext_by_NID(cert.get(), NID_subject_alt_name, -1);
  ASSERT_GE(idx, 0);
  X509_EXTENSION_set_critical(X509_get_ext(cert.get(), idx), 0);
  EXPECT_EQ(checkLeafSvidProfile(*cert),
            invalid("leaf certificate with an empty subject must have a critical subjectAltName "
                    "extension"));
}

} // namespace
} // namespace spire::x509
