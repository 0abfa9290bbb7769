// x509 mint and jwt mint against the real server, checked by independent parsers (the openssl
// CLI for X.509; JSON decoding of the JWT's segments).

#include "common/encoding.h"
#include "integration/server_test_util.h"

namespace spire::integration {
namespace {

class ServerMintTest : public ::testing::Test {
protected:
  void SetUp() override {
    if (!testing::haveOpenSslCli()) {
      GTEST_SKIP() << "the openssl CLI is not installed";
    }
    Status started = server_.startAndWait();
    ASSERT_TRUE(started.isOk()) << started.message();
  }
  ServerUnderTest server_;
};

TEST_F(ServerMintTest, X509SvidVerifiesAndFollowsSpireTemplate) {
  const std::filesystem::path out_dir = server_.dir() / "minted";
  std::filesystem::create_directories(out_dir);
  CommandOutput minted =
      server_.cli({"x509", "mint", "-spiffeID", "spiffe://example.org/web", "-dns",
                   "web.example.org", "-ttl", "30m", "-write", out_dir.string()});
  ASSERT_EQ(minted.exitCode(), 0) << minted.describe();
  EXPECT_NE(minted.out.find("X509-SVID written to " + (out_dir / "svid.pem").string()),
            std::string::npos)
      << minted.out;

  const std::string svid = (out_dir / "svid.pem").string();
  const std::string bundle = (out_dir / "bundle.pem").string();
  testing::CommandResult verify =
      testing::runCommand("openssl verify -CAfile " + bundle + " " + svid);
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find(": OK"), std::string::npos) << verify.output;
  // The bundle in the file is the server's bundle.
  EXPECT_EQ(readFileText(bundle), bundlePem(server_));

  testing::CommandResult text = testing::runCommand("openssl x509 -noout -text -in " + svid);
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("URI:spiffe://example.org/web"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("DNS:web.example.org"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("O = SPIRE"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("CN = web.example.org"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("Digital Signature, Key Encipherment, Key Agreement"),
            std::string::npos)
      << text.output;
  EXPECT_NE(text.output.find("TLS Web Server Authentication, TLS Web Client Authentication"),
            std::string::npos)
      << text.output;
  EXPECT_NE(text.output.find("CA:FALSE"), std::string::npos) << text.output;

  // The key in key.pem belongs to the certificate.
  testing::CommandResult cert_key = testing::runCommand("openssl x509 -noout -pubkey -in " + svid);
  testing::CommandResult key_pub =
      testing::runCommand("openssl pkey -pubout -in " + (out_dir / "key.pem").string());
  EXPECT_EQ(cert_key.output, key_pub.output);
}

TEST_F(ServerMintTest, X509MintRefusesAForeignId) {
  CommandOutput minted = server_.cli({"x509", "mint", "-spiffeID", "spiffe://other.org/web"});
  EXPECT_EQ(minted.exitCode(), 1) << minted.describe();
  EXPECT_NE(minted.err.find("Error: "), std::string::npos) << minted.describe();
}

TEST_F(ServerMintTest, JwtSvidCarriesTheClaims) {
  CommandOutput minted = server_.cli(
      {"jwt", "mint", "-spiffeID", "spiffe://example.org/web", "-audience", "db", "-ttl", "2m"});
  ASSERT_EQ(minted.exitCode(), 0) << minted.describe();
  std::string token = minted.out;
  while (!token.empty() && (token.back() == '\n' || token.back() == ' ')) {
    token.pop_back();
  }
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  ASSERT_NE(second, std::string::npos) << token;
  auto header = base64UrlDecode(token.substr(0, first));
  auto payload = base64UrlDecode(token.substr(first + 1, second - first - 1));
  ASSERT_TRUE(header && payload) << token;
  auto h = nlohmann::json::parse(*header);
  auto p = nlohmann::json::parse(*payload);
  EXPECT_EQ(h["typ"], "JWT");
  EXPECT_TRUE(h.contains("kid"));
  EXPECT_EQ(p["sub"], "spiffe://example.org/web");
  const nlohmann::json aud = p["aud"];
  EXPECT_TRUE(aud == "db" || aud == nlohmann::json::array({"db"})) << aud;
  EXPECT_LE(p["exp"].get<long long>() - p["iat"].get<long long>(), 120);

  // The signing key is in the bundle's JWT authorities.
  CommandOutput jwks = server_.cli({"bundle", "show", "-format", "spiffe"});
  ASSERT_EQ(jwks.exitCode(), 0) << jwks.describe();
  EXPECT_NE(jwks.out.find(h["kid"].get<std::string>()), std::string::npos) << jwks.out;
}

} // namespace
} // namespace spire::integration
