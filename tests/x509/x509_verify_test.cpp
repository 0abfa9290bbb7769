#include "x509/x509_verify.h"

#include <gtest/gtest.h>

#include "support/command.h"
#include "support/temp_dir.h"
#include "support/test_ca.h"
#include "x509/x509_svid.h"

namespace spire::x509 {
namespace {

using crypto::key_usage::kCrlSign;
using crypto::key_usage::kDigitalSignature;
using crypto::key_usage::kKeyCertSign;
using std::chrono::hours;
using testing::CaOptions;
using testing::fixedNow;
using testing::IssuedLeaf;
using testing::LeafOptions;
using testing::TestCa;

constexpr std::string_view kUnknownAuthority =
    "x509svid: could not verify leaf certificate: x509: certificate signed by unknown authority";

Status invalid(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message));
}

// All CAs and leaves are made at fixedNow() (2030-01-01T00:00:00Z), and verified at that time,
// so the messages that print times are exact.
class X509VerifyTest : public ::testing::Test {
protected:
  TestCa root_ = TestCa::createRoot("example.org", {}, fixedNow());
  TestCa intermediate_ = root_.createIntermediate();
  X509BundleSet bundles_{std::vector<X509Bundle>{root_.bundle()}};

  Result<VerifiedX509Svid> verify(const std::vector<crypto::X509Shared>& chain,
                                  crypto::TimePoint now = fixedNow()) {
    return verifyX509Svid(chain, &bundles_, now);
  }
};

TEST_F(X509VerifyTest, VerifiesLeafSignedByRoot) {
  IssuedLeaf leaf = root_.issueLeaf();
  Result<VerifiedX509Svid> verified = verify(leaf.chain);
  ASSERT_TRUE(verified.isOk()) << verified.status().toString();
  EXPECT_EQ(verified->id.toString(), "spiffe://example.org/workload");
  ASSERT_EQ(verified->verified_chains.size(), 1u);
  ASSERT_EQ(verified->verified_chains[0].size(), 2u);
  EXPECT_EQ(verified->verified_chains[0][0].get(), leaf.chain[0].get());
  EXPECT_TRUE(crypto::certificatesEqual(*verified->verified_chains[0][1], *root_.cert()));
}

TEST_F(X509VerifyTest, VerifiesChainWithIntermediates) {
  TestCa second = intermediate_.createIntermediate();
  IssuedLeaf leaf = second.issueLeaf();
  ASSERT_EQ(leaf.chain.size(), 3u);
  Result<VerifiedX509Svid> verified = verify(leaf.chain);
  ASSERT_TRUE(verified.isOk()) << verified.status().toString();
  ASSERT_EQ(verified->verified_chains[0].size(), 4u);
  EXPECT_TRUE(crypto::certificatesEqual(*verified->verified_chains[0][3], *root_.cert()));
}

TEST_F(X509VerifyTest, IntermediatesMustBeSupplied) {
  IssuedLeaf leaf = intermediate_.issueLeaf();
  EXPECT_EQ(verify({leaf.chain[0]}).status(), invalid(std::string(kUnknownAuthority)));
}

TEST_F(X509VerifyTest, EmptyChainAndMissingSource) {
  EXPECT_EQ(verify({}).status(), invalid("x509svid: empty certificates chain"));
  EXPECT_EQ(verifyX509Svid(root_.issueLeaf().chain, nullptr, fixedNow()).status(),
            invalid("x509svid: bundleSource is required"));
}

TEST_F(X509VerifyTest, LeafIdErrors) {
  LeafOptions none;
  none.uri_sans = std::vector<std::string>{};
  EXPECT_EQ(verify(root_.issueLeaf(none).chain).status(),
            invalid("x509svid: could not get leaf SPIFFE ID: certificate contains no URI SAN"));
  LeafOptions two;
  two.uri_sans = std::vector<std::string>{"spiffe://example.org/a", "spiffe://example.org/b"};
  EXPECT_EQ(verify(root_.issueLeaf(two).chain).status(),
            invalid("x509svid: could not get leaf SPIFFE ID: certificate contains more than one "
                    "URI SAN"));
  LeafOptions bad;
  bad.uri_sans = std::vector<std::string>{"http://example.org/a"};
  EXPECT_EQ(verify(root_.issueLeaf(bad).chain).status(),
            invalid("x509svid: could not get leaf SPIFFE ID: scheme is missing or invalid"));
}

TEST_F(X509VerifyTest, LeafFlagErrors) {
  LeafOptions ca;
  ca.is_ca = true;
  EXPECT_EQ(verify(root_.issueLeaf(ca).chain).status(),
            invalid("x509svid: leaf certificate with CA flag set to true"));
  LeafOptions cert_sign;
  cert_sign.key_usage = kDigitalSignature | kKeyCertSign;
  EXPECT_EQ(verify(root_.issueLeaf(cert_sign).chain).status(),
            invalid("x509svid: leaf certificate with KeyCertSign key usage"));
  LeafOptions crl_sign;
  crl_sign.key_usage = kDigitalSignature | kCrlSign;
  EXPECT_EQ(verify(root_.issueLeaf(crl_sign).chain).status(),
            invalid("x509svid: leaf certificate with KeyCrlSign key usage"));
}

// go-spiffe's Verify does not check these (spiffe-standards.md §2.3 DIFF); Parse does.
TEST_F(X509VerifyTest, RootPathAndMissingDigitalSignatureAreNotCheckedHere) {
  LeafOptions root_path;
  root_path.uri_sans = std::vector<std::string>{"spiffe://example.org"};
  EXPECT_TRUE(verify(root_.issueLeaf(root_path).chain).isOk());
  LeafOptions no_ds;
  no_ds.key_usage = crypto::key_usage::kKeyEncipherment;
  EXPECT_TRUE(verify(root_.issueLeaf(no_ds).chain).isOk());
}

TEST_F(X509VerifyTest, ExtKeyUsageIsNotEnforced) {
  LeafOptions code_signing;
  code_signing.ext_key_usage = {crypto::ExtKeyUsage::kCodeSigning};
  EXPECT_TRUE(verify(root_.issueLeaf(code_signing).chain).isOk());
  LeafOptions none;
  none.ext_key_usage = {};
  EXPECT_TRUE(verify(root_.issueLeaf(none).chain).isOk());
}

TEST_F(X509VerifyTest, BundleOfLeafTrustDomainIsUsed) {
  LeafOptions foreign;
  foreign.uri_sans = std::vector<std::string>{"spiffe://other.org/workload"};
  EXPECT_EQ(verify(root_.issueLeaf(foreign).chain).status(),
            Status(StatusCode::kNotFound,
                   "x509svid: could not get X509 bundle: x509bundle: no X.509 bundle found for "
                   "trust domain: \"other.org\""));

  // A bundle exists for other.org, but it holds another root: the leaf is not trusted even
  // though example.org's root signed it.
  TestCa other_root = TestCa::createRoot("other.org", {}, fixedNow());
  bundles_.add(other_root.bundle());
  EXPECT_EQ(verify(root_.issueLeaf(foreign).chain).status(),
            invalid(std::string(kUnknownAuthority)));
}

TEST_F(X509VerifyTest, SourceErrorsKeepTheirCode) {
  FunctionX509BundleSource failing([](const spiffe::TrustDomain&) -> Result<X509Bundle> {
    return Status(StatusCode::kUnavailable, "bundle cache not ready");
  });
  EXPECT_EQ(verifyX509Svid(root_.issueLeaf().chain, &failing, fixedNow()).status(),
            Status(StatusCode::kUnavailable,
                   "x509svid: could not get X509 bundle: bundle cache not ready"));
  FunctionX509BundleSource fixed(
      [this](const spiffe::TrustDomain&) -> Result<X509Bundle> { return root_.bundle(); });
  EXPECT_TRUE(verifyX509Svid(root_.issueLeaf().chain, &fixed, fixedNow()).isOk());
}

TEST_F(X509VerifyTest, WrongBundleIsUnknownAuthority) {
  TestCa other = TestCa::createRoot("example.org", {}, fixedNow());
  IssuedLeaf leaf = other.issueLeaf();
  EXPECT_EQ(verify(leaf.chain).status(), invalid(std::string(kUnknownAuthority)));
  // Putting the issuer in the chain does not help: it is not an anchor.
  IssuedLeaf via_intermediate = other.createIntermediate().issueLeaf();
  std::vector<crypto::X509Shared> with_root = via_intermediate.chain;
  with_root.push_back(other.cert());
  EXPECT_EQ(verify(with_root).status(), invalid(std::string(kUnknownAuthority)));
}

TEST_F(X509VerifyTest, NonSelfSignedBundleAuthorityIsAnAnchor) {
  // Go's root pool treats every certificate as an anchor; so do we.
  X509BundleSet only_intermediate({X509Bundle(root_.trustDomain(), {intermediate_.cert()})});
  IssuedLeaf leaf = intermediate_.issueLeaf();
  Result<VerifiedX509Svid> verified =
      verifyX509Svid({leaf.chain[0]}, &only_intermediate, fixedNow());
  ASSERT_TRUE(verified.isOk()) << verified.status().toString();
  EXPECT_EQ(verified->verified_chains[0].size(), 2u);
}

TEST_F(X509VerifyTest, ExpiredAndNotYetValidLeaf) {
  LeafOptions expired;
  expired.not_before = fixedNow() - hours(2);
  expired.not_after = fixedNow() - hours(1);
  EXPECT_EQ(verify(root_.issueLeaf(expired).chain).status(),
            invalid("x509svid: could not verify leaf certificate: x509: certificate has expired "
                    "or is not yet valid: current time 2030-01-01T00:00:00Z is after "
                    "2029-12-31T23:00:00Z"));
  LeafOptions future;
  future.not_before = fixedNow() + hours(1);
  future.not_after = fixedNow() + hours(2);
  EXPECT_EQ(verify(root_.issueLeaf(future).chain).status(),
            invalid("x509svid: could not verify leaf certificate: x509: certificate has expired "
                    "or is not yet valid: current time 2030-01-01T00:00:00Z is before "
                    "2030-01-01T01:00:00Z"));
}

TEST_F(X509VerifyTest, TimeComesFromTheCaller) {
  IssuedLeaf leaf = root_.issueLeaf(); // valid 2029-12-31T23:59:50Z .. 2030-01-01T01:00:00Z
  EXPECT_TRUE(verify(leaf.chain, fixedNow() + std::chrono::minutes(59)).isOk());
  EXPECT_EQ(verify(leaf.chain, fixedNow() + hours(2)).status(),
            invalid("x509svid: could not verify leaf certificate: x509: certificate has expired "
                    "or is not yet valid: current time 2030-01-01T02:00:00Z is after "
                    "2030-01-01T01:00:00Z"));
}

TEST_F(X509VerifyTest, ExpiredIntermediateIsReportedAsGoDoes) {
  CaOptions expired;
  expired.not_before = fixedNow() - hours(3);
  expired.not_after = fixedNow() - hours(1);
  IssuedLeaf leaf = root_.createIntermediate(expired).issueLeaf();
  EXPECT_EQ(verify(leaf.chain).status(),
            invalid(std::string(kUnknownAuthority) +
                    " (possibly because of \"x509: certificate has expired or is not yet valid: "
                    "current time 2030-01-01T00:00:00Z is after 2029-12-31T23:00:00Z\" while "
                    "trying to verify candidate authority certificate \"SPIFFE\")"));
}

TEST_F(X509VerifyTest, IntermediateMustBeCa) {
  CaOptions not_ca;
  not_ca.is_ca = false;
  not_ca.subject = {{"CN", "not-a-ca"}};
  IssuedLeaf leaf = root_.createIntermediate(not_ca).issueLeaf();
  EXPECT_EQ(verify(leaf.chain).status(),
            invalid(std::string(kUnknownAuthority) +
                    " (possibly because of \"x509: certificate is not authorized to sign other "
                    "certificates\" while trying to verify candidate authority certificate "
                    "\"not-a-ca\")"));
}

// Cross-check with `openssl verify`: same verdict for a good chain, a wrong root and an expired
// leaf (pinned with -attime).
TEST_F(X509VerifyTest, CrossCheckOpenSslVerifyAgrees) {
  if (!testing::haveOpenSslCli()) {
    GTEST_SKIP() << "openssl CLI not available";
  }
  testing::TempDir dir;
  std::string attime =
      " -attime " + std::to_string(std::chrono::system_clock::to_time_t(fixedNow()));
  std::string root_path = dir.writeFile("root.pem", crypto::certificateToPem(*root_.cert()));
  std::string inter_path =
      dir.writeFile("inter.pem", crypto::certificateToPem(*intermediate_.cert()));
  auto opensslVerifies = [&](const IssuedLeaf& leaf, const std::string& ca_path) {
    std::string leaf_path = dir.writeFile("leaf.pem", crypto::certificateToPem(*leaf.chain[0]));
    testing::CommandResult r =
        testing::runCommand("openssl verify" + attime + " -CAfile " + ca_path + " -untrusted " +
                            inter_path + " " + leaf_path);
    return r.exit_code == 0;
  };

  IssuedLeaf good = intermediate_.issueLeaf();
  EXPECT_TRUE(verify(good.chain).isOk());
  EXPECT_TRUE(opensslVerifies(good, root_path));

  TestCa other = TestCa::createRoot("example.org", {}, fixedNow());
  std::string other_path = dir.writeFile("other.pem", crypto::certificateToPem(*other.cert()));
  X509BundleSet other_set({other.bundle()});
  EXPECT_FALSE(verifyX509Svid(good.chain, &other_set, fixedNow()).isOk());
  EXPECT_FALSE(opensslVerifies(good, other_path));

  LeafOptions expired;
  expired.not_before = fixedNow() - hours(2);
  expired.not_after = fixedNow() - hours(1);
  IssuedLeaf old = intermediate_.issueLeaf(expired);
  EXPECT_FALSE(verify(old.chain).isOk());
  EXPECT_FALSE(opensslVerifies(old, root_path));
}

} // namespace
} // namespace spire::x509
