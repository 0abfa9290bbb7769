#include "x509/x509_bundle.h"

#include <gtest/gtest.h>

#include "crypto/certificate.h"
#include "crypto/pem.h"
#include "support/temp_dir.h"
#include "support/test_ca.h"
#include "x509/x509_bundle_source.h"

namespace spire::x509 {
namespace {

spiffe::TrustDomain td(std::string_view name) {
  return spiffe::TrustDomain::parse(name).value();
}

class X509BundleTest : public ::testing::Test {
protected:
  testing::TestCa ca_a_ = testing::TestCa::createRoot("example.org");
  testing::TestCa ca_b_ = testing::TestCa::createRoot("example.org");
};

TEST_F(X509BundleTest, ParsesPemAndSkipsOtherBlocks) {
  std::string pem = crypto::certificateToPem(*ca_a_.cert()) +
                    crypto::encodePem("PRIVATE KEY", "ignored") +
                    crypto::certificateToPem(*ca_b_.cert());
  Result<X509Bundle> bundle = X509Bundle::parsePem(td("example.org"), pem);
  ASSERT_TRUE(bundle.isOk()) << bundle.status().toString();
  EXPECT_EQ(bundle->trustDomain(), td("example.org"));
  ASSERT_EQ(bundle->authorities().size(), 2u);
  EXPECT_TRUE(bundle->hasAuthority(*ca_a_.cert()));
  EXPECT_TRUE(bundle->hasAuthority(*ca_b_.cert()));
  EXPECT_EQ(bundle->toPem(),
            crypto::certificateToPem(*ca_a_.cert()) + crypto::certificateToPem(*ca_b_.cert()));
}

TEST_F(X509BundleTest, ParsesDerAndRoundTrips) {
  std::string der =
      crypto::certificateToDer(*ca_a_.cert()) + crypto::certificateToDer(*ca_b_.cert());
  Result<X509Bundle> bundle = X509Bundle::parseDer(td("example.org"), der);
  ASSERT_TRUE(bundle.isOk());
  EXPECT_EQ(bundle->toDer(), der);
  Result<X509Bundle> again = X509Bundle::parsePem(td("example.org"), bundle->toPem());
  ASSERT_TRUE(again.isOk());
  EXPECT_TRUE(again->equals(*bundle));
  EXPECT_FALSE(again->equals(X509Bundle(td("other.org"), bundle->authorities())));
}

TEST_F(X509BundleTest, EmptyInputGivesEmptyBundle) {
  Result<X509Bundle> from_pem = X509Bundle::parsePem(td("example.org"), "");
  ASSERT_TRUE(from_pem.isOk());
  EXPECT_TRUE(from_pem->empty());
  Result<X509Bundle> from_der = X509Bundle::parseDer(td("example.org"), "");
  ASSERT_TRUE(from_der.isOk());
  EXPECT_TRUE(from_der->empty());
  EXPECT_EQ(from_der->toPem(), "");
}

TEST_F(X509BundleTest, ParseErrors) {
  EXPECT_EQ(X509Bundle::parsePem(td("example.org"), "not PEM").status(),
            Status(StatusCode::kInvalidArgument,
                   "x509bundle: cannot parse certificate: no PEM blocks found"));
  EXPECT_EQ(
      X509Bundle::parsePem(td("example.org"), crypto::encodePem("CERTIFICATE", "junk")).status(),
      Status(StatusCode::kInvalidArgument,
             "x509bundle: cannot parse certificate: malformed certificate"));
  EXPECT_EQ(X509Bundle::parseDer(td("example.org"), "junk").status(),
            Status(StatusCode::kInvalidArgument,
                   "x509bundle: cannot parse certificate: malformed certificate"));
}

TEST_F(X509BundleTest, AddHasRemoveAuthorities) {
  X509Bundle bundle(td("example.org"), {});
  EXPECT_FALSE(bundle.hasAuthority(*ca_a_.cert()));
  bundle.addAuthority(ca_a_.cert());
  // A DER-equal copy is the same authority.
  crypto::X509Shared same = crypto::shareX509(
      std::move(crypto::parseCertificateDer(crypto::certificateToDer(*ca_a_.cert())).value()));
  bundle.addAuthority(same);
  EXPECT_EQ(bundle.authorities().size(), 1u);
  bundle.addAuthority(ca_b_.cert());
  EXPECT_EQ(bundle.authorities().size(), 2u);
  bundle.removeAuthority(*same);
  EXPECT_FALSE(bundle.hasAuthority(*ca_a_.cert()));
  EXPECT_TRUE(bundle.hasAuthority(*ca_b_.cert()));
  EXPECT_EQ(bundle.authorities().size(), 1u);
}

TEST_F(X509BundleTest, DuplicatesInInputAreDropped) {
  std::string pem =
      crypto::certificateToPem(*ca_a_.cert()) + crypto::certificateToPem(*ca_a_.cert());
  Result<X509Bundle> bundle = X509Bundle::parsePem(td("example.org"), pem);
  ASSERT_TRUE(bundle.isOk());
  EXPECT_EQ(bundle->authorities().size(), 1u);
}

TEST_F(X509BundleTest, LoadsFromFile) {
  testing::TempDir dir;
  std::string path = dir.writeFile("bundle.pem", ca_a_.bundle().toPem());
  Result<X509Bundle> bundle = X509Bundle::load(td("example.org"), path);
  ASSERT_TRUE(bundle.isOk()) << bundle.status().toString();
  EXPECT_TRUE(bundle->hasAuthority(*ca_a_.cert()));
  std::string missing = (dir.path() / "nope.pem").string();
  EXPECT_EQ(X509Bundle::load(td("example.org"), missing).status(),
            Status(StatusCode::kNotFound, "x509bundle: unable to load X.509 bundle file: open " +
                                              missing + ": No such file or directory"));
  std::string junk = dir.writeFile("junk.pem", "junk");
  EXPECT_EQ(X509Bundle::load(td("example.org"), junk).status(),
            Status(StatusCode::kInvalidArgument,
                   "x509bundle: cannot parse certificate: no PEM blocks found"));
}

TEST_F(X509BundleTest, BundleSetFindsByTrustDomain) {
  X509BundleSet set({ca_a_.bundle()});
  EXPECT_TRUE(set.has(td("example.org")));
  EXPECT_EQ(set.size(), 1u);
  Result<X509Bundle> found = set.getX509BundleForTrustDomain(td("example.org"));
  ASSERT_TRUE(found.isOk());
  EXPECT_TRUE(found->hasAuthority(*ca_a_.cert()));

  EXPECT_EQ(set.getX509BundleForTrustDomain(td("other.org")).status(),
            Status(StatusCode::kNotFound,
                   "x509bundle: no X.509 bundle found for trust domain: \"other.org\""));

  // Adding a bundle for the same trust domain replaces it.
  set.add(ca_b_.bundle());
  EXPECT_EQ(set.size(), 1u);
  EXPECT_TRUE(set.getX509BundleForTrustDomain(td("example.org"))->hasAuthority(*ca_b_.cert()));
  set.remove(td("example.org"));
  EXPECT_FALSE(set.has(td("example.org")));
}

} // namespace
} // namespace spire::x509
