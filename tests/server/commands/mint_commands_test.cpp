#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <ctime>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "common/encoding.h"
#include "crypto/csr.h"
#include "crypto/pem.h"
#include "server/commands/command_fixture.h"
#include "server/commands/test_certs.h"

namespace spire::server::commands::testing {
namespace {

using MintCommandsTest = CommandFixture;

std::int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

unsigned permissions(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 0777;
}

class X509MintTest : public MintCommandsTest {
protected:
  void SetUp() override {
    MintCommandsTest::SetUp();
    svid_cert_ = makeCert("spiffe://example.org/workload", std::chrono::hours(1));
    root_ = makeCert("spiffe://example.org");
    svidv1::MintX509SVIDResponse resp;
    resp.mutable_svid()->add_cert_chain(svid_cert_.der);
    resp.mutable_svid()->set_expires_at(nowSeconds() + 3600);
    svid_.mint_x509.respond(resp);
    types::Bundle bundle;
    bundle.set_trust_domain("example.org");
    bundle.add_x509_authorities()->set_asn1(root_.der);
    bundle_.get.respond(bundle);
  }
  TestCert svid_cert_;
  TestCert root_;
};

TEST_F(X509MintTest, PrintsSvidKeyAndRootsAndSendsACsr) {
  const auto r = run("x509 mint", {"-spiffeID", "spiffe://example.org/workload", "-dns",
                                   "a.example.org", "-ttl", "30m"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const std::string svid_pem = crypto::encodePem("CERTIFICATE", svid_cert_.der);
  const std::string root_pem = crypto::encodePem("CERTIFICATE", root_.der);
  const std::string head = "X509-SVID:\n" + svid_pem + "\nPrivate key:\n";
  ASSERT_EQ(r.out.rfind(head, 0), 0u) << r.out;
  const std::string tail = "\nRoot CAs:\n" + root_pem + "\n";
  ASSERT_GT(r.out.size(), head.size() + tail.size());
  EXPECT_EQ(r.out.substr(r.out.size() - tail.size()), tail);
  const std::string key_pem = r.out.substr(head.size(), r.out.size() - head.size() - tail.size());
  EXPECT_TRUE(crypto::parsePkcs8PrivateKeyPem(key_pem).isOk()) << key_pem;

  const auto reqs = svid_.mint_x509.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].ttl(), 1800);
  auto csr = crypto::parseCsrDer(reqs[0].csr());
  ASSERT_TRUE(csr.isOk());
  EXPECT_TRUE(crypto::checkCsrSignature(**csr).isOk());
  EXPECT_EQ(crypto::csrUriSans(**csr), std::vector<std::string>{"spiffe://example.org/workload"});
  EXPECT_EQ(crypto::csrDnsSans(**csr), std::vector<std::string>{"a.example.org"});
}

TEST_F(X509MintTest, WarnsWhenTheServerCappedTheLifetime) {
  const auto r = run("x509 mint", {"-spiffeID", "spiffe://example.org/workload", "-ttl", "2h"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.rfind("X509-SVID lifetime was capped shorter than specified ttl; expires \"", 0),
            0u)
      << r.err;
  EXPECT_EQ(svid_.mint_x509.requests()[0].ttl(), 7200);
}

TEST_F(X509MintTest, TtlRoundsUpToWholeSeconds) {
  const auto r = run("x509 mint", {"-spiffeID", "spiffe://example.org/workload", "-ttl", "1500ms"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(svid_.mint_x509.requests()[0].ttl(), 2);
}

TEST_F(X509MintTest, JsonIsAnArrayWithTheDerValues) {
  const auto r =
      run("x509 mint", {"-spiffeID", "spiffe://example.org/workload", "-output", "json"});
  EXPECT_EQ(r.code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_TRUE(doc.is_array());
  ASSERT_EQ(doc.size(), 1u);
  EXPECT_EQ(doc[0]["x509_svid"], nlohmann::json::array({base64Encode(svid_cert_.der)}));
  EXPECT_EQ(doc[0]["root_cas"], nlohmann::json::array({base64Encode(root_.der)}));
  auto key_der = base64Decode(doc[0]["private_key"].get<std::string>());
  ASSERT_TRUE(key_der.has_value());
  EXPECT_TRUE(crypto::parsePkcs8PrivateKeyDer(*key_der).isOk());
  EXPECT_EQ(r.out.rfind("[{\"x509_svid\":[", 0), 0u) << r.out;
}

TEST_F(MintCommandsTest, X509MintWarnsWithTheResponseExpiry) {
  svidv1::MintX509SVIDResponse resp;
  resp.mutable_svid()->add_cert_chain(makeCert("spiffe://example.org/w").der);
  resp.mutable_svid()->set_expires_at(1628500000);
  svid_.mint_x509.respond(resp);
  types::Bundle bundle;
  bundle.add_x509_authorities()->set_asn1(makeCert("spiffe://example.org").der);
  bundle_.get.respond(bundle);
  const auto r = run("x509 mint", {"-spiffeID", "spiffe://example.org/w"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.err, "X509-SVID lifetime was capped shorter than specified ttl; expires "
                   "\"2021-08-09T09:06:40Z\"\n");
}

TEST_F(X509MintTest, WritesFilesToTheDirectory) {
  const auto out_dir = dir_.path() / "out";
  std::filesystem::create_directory(out_dir);
  // The directory is cleaned as Go's filepath.Join does.
  const auto r = run("x509 mint", {"-spiffeID", "spiffe://example.org/workload", "-write",
                                   out_dir.string() + "/./"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "X509-SVID written to " + (out_dir / "svid.pem").string() +
                       "\nPrivate key written to " + (out_dir / "key.pem").string() +
                       "\nRoot CAs written to " + (out_dir / "bundle.pem").string() + "\n");
  EXPECT_EQ(readFile(out_dir / "svid.pem"), crypto::encodePem("CERTIFICATE", svid_cert_.der));
  EXPECT_EQ(readFile(out_dir / "bundle.pem"), crypto::encodePem("CERTIFICATE", root_.der));
  EXPECT_TRUE(crypto::parsePkcs8PrivateKeyPem(readFile(out_dir / "key.pem")).isOk());
  EXPECT_EQ(permissions(out_dir / "key.pem"), 0600u);
  EXPECT_EQ(permissions(out_dir / "svid.pem"), 0644u);
}

TEST_F(X509MintTest, Errors) {
  auto r = run("x509 mint", {});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: spiffeID must be specified\n");
  r = run("x509 mint", {"-spiffeID", "http://example.org/w"});
  EXPECT_EQ(r.err, "Error: scheme is missing or invalid\n");
  EXPECT_TRUE(svid_.mint_x509.requests().empty());

  svid_.mint_x509.fail(grpc::StatusCode::INVALID_ARGUMENT, "bad csr");
  r = run("x509 mint", {"-spiffeID", "spiffe://example.org/w"});
  EXPECT_EQ(r.err,
            "Error: unable to mint SVID: rpc error: code = InvalidArgument desc = bad csr\n");
}

TEST_F(MintCommandsTest, X509MintNeedsChainAndRoots) {
  svid_.mint_x509.respond(svidv1::MintX509SVIDResponse());
  auto r = run("x509 mint", {"-spiffeID", "spiffe://example.org/w"});
  EXPECT_EQ(r.err, "Error: server response missing SVID chain\n");

  svidv1::MintX509SVIDResponse resp;
  resp.mutable_svid()->add_cert_chain(makeCert("spiffe://example.org/w").der);
  svid_.mint_x509.respond(resp);
  bundle_.get.respond(types::Bundle());
  r = run("x509 mint", {"-spiffeID", "spiffe://example.org/w"});
  EXPECT_EQ(r.err, "Error: server response missing X509 Authorities\n");
}

std::string tokenExpiringIn(std::chrono::seconds lifetime) {
  const auto exp = std::chrono::duration_cast<std::chrono::seconds>(
                       (std::chrono::system_clock::now() + lifetime).time_since_epoch())
                       .count();
  return base64UrlEncode(R"({"alg":"ES256"})") + "." +
         base64UrlEncode(R"({"sub":"spiffe://example.org/w","exp":)" + std::to_string(exp) + "}") +
         ".c2ln";
}

TEST_F(MintCommandsTest, JwtMintPrintsTheToken) {
  const std::string token = tokenExpiringIn(std::chrono::hours(1));
  svidv1::MintJWTSVIDResponse resp;
  resp.mutable_svid()->set_token(token);
  svid_.mint_jwt.respond(resp);
  const auto r = run("jwt mint", {"-spiffeID", "spiffe://example.org/w", "-audience", "a1",
                                  "-audience", "a2", "-ttl", "10m"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, token + "\n");
  EXPECT_EQ(r.err, "");
  const auto reqs = svid_.mint_jwt.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].id().path(), "/w");
  EXPECT_EQ(reqs[0].audience_size(), 2);
  EXPECT_EQ(reqs[0].audience(1), "a2");
  EXPECT_EQ(reqs[0].ttl(), 600);
}

TEST_F(MintCommandsTest, JwtMintWarnsAndWrites) {
  const std::string token = tokenExpiringIn(std::chrono::minutes(5));
  svidv1::MintJWTSVIDResponse resp;
  resp.mutable_svid()->set_token(token);
  svid_.mint_jwt.respond(resp);
  const auto path = dir_.path() / "token";
  const auto r = run("jwt mint", {"-spiffeID", "spiffe://example.org/w", "-audience", "a", "-ttl",
                                  "1h", "-write", path.string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "JWT-SVID written to " + path.string() + "\n");
  EXPECT_EQ(r.err.rfind("JWT-SVID lifetime was capped shorter than specified ttl; expires \"", 0),
            0u)
      << r.err;
  EXPECT_EQ(readFile(path), token);
  EXPECT_EQ(permissions(path), 0600u);
}

TEST_F(MintCommandsTest, JwtMintMalformedTokenOnlyWarns) {
  svidv1::MintJWTSVIDResponse resp;
  resp.mutable_svid()->set_token("malformed token");
  svid_.mint_jwt.respond(resp);
  auto r = run("jwt mint", {"-spiffeID", "spiffe://example.org/w", "-audience", "a"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "malformed token\n");
  EXPECT_EQ(r.err, "Unable to determine JWT-SVID lifetime: go-jose/go-jose: compact JWS format "
                   "must have three parts\n");

  svid_.mint_jwt.respond(svidv1::MintJWTSVIDResponse());
  r = run("jwt mint", {"-spiffeID", "spiffe://example.org/w", "-audience", "a"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: server response missing token\n");
}

TEST_F(MintCommandsTest, JwtMintJsonAndWriteFailure) {
  const std::string token = tokenExpiringIn(std::chrono::hours(1));
  svidv1::MintJWTSVIDResponse resp;
  resp.mutable_svid()->set_token(token);
  resp.mutable_svid()->set_expires_at(5);
  svid_.mint_jwt.respond(resp);
  auto r =
      run("jwt mint", {"-spiffeID", "spiffe://example.org/w", "-audience", "a", "-output", "json"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"svid\":{\"token\":\"" + token +
                       "\",\"id\":null,\"expires_at\":\"5\",\"issued_at\":\"0\",\"hint\":\"\"}}\n");
  r = run("jwt mint", {"-spiffeID", "spiffe://example.org/w", "-audience", "a", "-write",
                       dir_.path().string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "Error: unable to write token: open " + dir_.path().string() + ": is a directory\n");
}

TEST_F(MintCommandsTest, JwtMintErrors) {
  auto r = run("jwt mint", {"-audience", "a"});
  EXPECT_EQ(r.err, "Error: spiffeID must be specified\n");
  r = run("jwt mint", {"-spiffeID", "spiffe://example.org/w"});
  EXPECT_EQ(r.err, "Error: at least one audience must be specified\n");
  r = run("jwt mint", {"-spiffeID", "spiffe://example.org/w/", "-audience", "a"});
  EXPECT_EQ(r.err, "Error: path cannot have a trailing slash\n");
  svid_.mint_jwt.fail(grpc::StatusCode::PERMISSION_DENIED, "no");
  r = run("jwt mint", {"-spiffeID", "spiffe://example.org/w", "-audience", "a"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: unable to mint SVID: rpc error: code = PermissionDenied desc = no\n");
}

} // namespace
} // namespace spire::server::commands::testing
