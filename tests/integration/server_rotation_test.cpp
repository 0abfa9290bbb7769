// CA rotation on the real server with a tiny ca_ttl: the next CA joins the bundle before it signs
// (prepare at half its life, activate at five sixths), and SVIDs minted before, during and after
// the rotation verify against the bundle served at the time, while they are within their own
// lifetime. Slow by nature (SPIRE's rotator ticks every 10s): about 90s.

#include <regex>

#include "integration/server_test_util.h"
#include "integration/support/wait.h"

namespace spire::integration {
namespace {

int certificateCount(const std::string& pem) {
  int count = 0;
  for (std::size_t at = pem.find("BEGIN CERTIFICATE"); at != std::string::npos;
       at = pem.find("BEGIN CERTIFICATE", at + 1)) {
    ++count;
  }
  return count;
}

// x509 mint; the SVID PEM.
std::string mint(ServerUnderTest& server, const std::string& name, const std::string& ttl) {
  const std::filesystem::path dir = server.dir() / name;
  std::filesystem::create_directories(dir);
  CommandOutput out = server.cli(
      {"x509", "mint", "-spiffeID", "spiffe://example.org/w", "-ttl", ttl, "-write", dir.string()});
  EXPECT_EQ(out.exitCode(), 0) << out.describe();
  return readFileText(dir / "svid.pem");
}

// The issuer line of a certificate, as openssl prints it.
std::string issuerOf(ServerUnderTest& server, const std::string& pem) {
  const std::string path = writeTemp(server, "issuer-of.pem", pem);
  return testing::runCommand("openssl x509 -noout -issuer -in " + path).output;
}

TEST(ServerRotationTest, SvidsStayValidAcrossACaRotation) {
  if (!testing::haveOpenSslCli()) {
    GTEST_SKIP() << "the openssl CLI is not installed";
  }
  ServerConfigOptions o;
  o.ca_ttl = "90s";
  o.default_x509_svid_ttl = "10s";
  o.default_jwt_svid_ttl = "10s";
  ServerUnderTest server(o);
  ASSERT_SERVING(server);

  const std::string bundle_before = bundlePem(server);
  ASSERT_EQ(certificateCount(bundle_before), 1) << bundle_before;
  // Lives past the preparation (~45s); the NotAfter is capped to the CA's anyway.
  const std::string svid_before = mint(server, "before", "75s");
  EXPECT_EQ(opensslVerify(server, bundle_before, svid_before).exit_code, 0);
  const std::string first_issuer = issuerOf(server, svid_before);

  // Prepared: the next CA joins the bundle (at ~45s) while the first one still signs.
  std::string bundle_both;
  ASSERT_TRUE(waitFor(
      [&] {
        bundle_both = bundlePem(server);
        return certificateCount(bundle_both) >= 2;
      },
      std::chrono::seconds(120), std::chrono::milliseconds(1000)))
      << server.describe();
  EXPECT_NE(bundle_both.find(bundle_before.substr(0, bundle_before.find("-----END"))),
            std::string::npos)
      << "the old CA must stay in the bundle";
  // The SVID the first CA signed is still valid and still trusted.
  testing::CommandResult before_ok = opensslVerify(server, bundle_both, svid_before);
  EXPECT_EQ(before_ok.exit_code, 0) << before_ok.output;

  // Activated (~75s): new SVIDs come from the new CA, which the old bundle does not know.
  std::string svid_after;
  ASSERT_TRUE(waitFor(
      [&] {
        svid_after = mint(server, "after", "10s");
        return !svid_after.empty() && issuerOf(server, svid_after) != first_issuer;
      },
      std::chrono::seconds(120), std::chrono::milliseconds(1000)))
      << server.describe();
  const std::string bundle_after = bundlePem(server);
  testing::CommandResult after_ok = opensslVerify(server, bundle_after, svid_after);
  EXPECT_EQ(after_ok.exit_code, 0) << after_ok.output;
  EXPECT_NE(opensslVerify(server, bundle_before, svid_after).exit_code, 0);
  // The old CA is still trusted: it has not expired yet.
  EXPECT_GE(certificateCount(bundle_after), 2);
  EXPECT_TRUE(server.stop().success()) << server.describe();
}

} // namespace
} // namespace spire::integration
