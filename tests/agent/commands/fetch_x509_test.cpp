// `spire-agent api fetch x509` against the real Workload API endpoint.

#include <filesystem>
#include <fstream>
#include <regex>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "commands_fixture.h"
#include "common/encoding.h"
#include "crypto/certificate.h"
#include "crypto/key.h"
#include "support/command.h"

namespace spire::agent::commands::testing {
namespace {

constexpr char kSvidTimes[] = "SVID Valid After:\t2021-02-03 00:00:00 +0000 UTC\n"
                              "SVID Valid Until:\t2080-04-05 00:00:00 +0000 UTC\n";
constexpr char kCaTimes[] = "CA #1 Valid After:\t2020-01-01 00:00:00 +0000 UTC\n"
                            "CA #1 Valid Until:\t2090-01-01 00:00:00 +0000 UTC\n";

// The output with the "Received ... after <duration>" line checked and removed.
std::string withoutHeader(const std::string& out, int count) {
  const std::regex header("^Received " + std::to_string(count) + (count == 1 ? " svid" : " svids") +
                          " after [0-9.]+(ns|µs|ms|s)\n");
  std::smatch match;
  EXPECT_TRUE(std::regex_search(out, match, header)) << out;
  return match.empty() ? out : match.suffix().str();
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

mode_t modeOf(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

TEST_F(CommandsTest, FetchX509PrettyPrintsSvidAndBundleValidity) {
  source_.publish(snapshot({{"/workload", ""}}));
  CommandOutput result = run({"api", "fetch", "x509"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  EXPECT_EQ(withoutHeader(result.out, 1),
            std::string("\nSPIFFE ID:\t\tspiffe://example.org/workload\n") + kSvidTimes + kCaTimes +
                "\n");
}

TEST_F(CommandsTest, FetchIsAnAliasOfFetchX509) {
  source_.publish(snapshot({{"/workload", ""}}));
  CommandOutput result = run({"api", "fetch"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(withoutHeader(result.out, 1),
            std::string("\nSPIFFE ID:\t\tspiffe://example.org/workload\n") + kSvidTimes + kCaTimes +
                "\n");
}

TEST_F(CommandsTest, FetchX509PrintsHintsAndFederatedBundlesPerSvid) {
  source_.publish(snapshot({{"/a", "internal"}, {"/b", ""}}, /*federated=*/true));
  CommandOutput result = run({"api", "fetch", "x509"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const std::string federated =
      "[spiffe://federated.test] CA #1 Valid After:\t2020-01-01 00:00:00 +0000 UTC\n"
      "[spiffe://federated.test] CA #1 Valid Until:\t2090-01-01 00:00:00 +0000 UTC\n";
  EXPECT_EQ(withoutHeader(result.out, 2),
            std::string("\nSPIFFE ID:\t\tspiffe://example.org/a\nHint:\t\t\tinternal\n") +
                kSvidTimes + kCaTimes + federated + "\nSPIFFE ID:\t\tspiffe://example.org/b\n" +
                kSvidTimes + kCaTimes + federated + "\n");
}

TEST_F(CommandsTest, FetchX509SilentPrintsNothing) {
  source_.publish(snapshot({{"/workload", ""}}));
  CommandOutput result = run({"api", "fetch", "x509", "-silent"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "");
}

TEST_F(CommandsTest, FetchX509WritesSpireFilesThatOpensslVerifies) {
  source_.publish(snapshot({{"/workload", ""}}, /*federated=*/true));
  const std::filesystem::path out_dir = dir_.path() / "out";
  std::filesystem::create_directory(out_dir);
  // A trailing slash is cleaned away as Go's path.Join does.
  CommandOutput result = run({"api", "fetch", "x509", "-silent", "-write", out_dir.string() + "/"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string d = out_dir.string();
  EXPECT_EQ(result.out, "Writing SVID #0 to file " + d + "/svid.0.pem.\n" +
                            "Writing key #0 to file " + d + "/svid.0.key.\n" +
                            "Writing bundle #0 to file " + d + "/bundle.0.pem.\n" +
                            "Writing federated bundle #0 for trust domain spiffe://federated.test "
                            "to file " +
                            d + "/federated_bundle.0.0.pem.\n");

  EXPECT_EQ(modeOf(out_dir / "svid.0.pem"), 0644u);
  EXPECT_EQ(modeOf(out_dir / "svid.0.key"), 0600u);
  EXPECT_EQ(modeOf(out_dir / "bundle.0.pem"), 0644u);
  EXPECT_EQ(modeOf(out_dir / "federated_bundle.0.0.pem"), 0644u);

  EXPECT_EQ(readFile(out_dir / "bundle.0.pem"), ca_.bundle().toPem());
  EXPECT_EQ(readFile(out_dir / "federated_bundle.0.0.pem"), fed_ca_.bundle().toPem());
  const std::string key_pem = readFile(out_dir / "svid.0.key");
  EXPECT_EQ(key_pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u) << key_pem;
  Result<x509::X509Svid> svid =
      x509::X509Svid::loadPem((out_dir / "svid.0.pem").string(), (out_dir / "svid.0.key").string());
  ASSERT_TRUE(svid.isOk()) << svid.status().toString();
  EXPECT_EQ(svid->id.toString(), "spiffe://example.org/workload");

  // An independent check: OpenSSL chains the SVID to the written bundle, and the key is the
  // certificate's.
  spire::testing::CommandResult verify = spire::testing::runCommand(
      "openssl verify -CAfile " + d + "/bundle.0.pem " + d + "/svid.0.pem");
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_EQ(verify.output, d + "/svid.0.pem: OK\n");
  spire::testing::CommandResult cert_key =
      spire::testing::runCommand("openssl x509 -noout -pubkey -in " + d + "/svid.0.pem");
  spire::testing::CommandResult key_key =
      spire::testing::runCommand("openssl pkey -pubout -in " + d + "/svid.0.key");
  EXPECT_EQ(cert_key.exit_code, 0) << cert_key.output;
  EXPECT_EQ(cert_key.output, key_key.output);
  spire::testing::CommandResult wrong_ca = spire::testing::runCommand(
      "openssl verify -CAfile " + d + "/federated_bundle.0.0.pem " + d + "/svid.0.pem");
  EXPECT_NE(wrong_ca.exit_code, 0) << wrong_ca.output;
}

TEST_F(CommandsTest, FetchX509WriteOverwritesAndTightensAnExistingKeyFile) {
  source_.publish(snapshot({{"/workload", ""}}));
  const std::filesystem::path key = dir_.path() / "svid.0.key";
  dir_.writeFile("svid.0.key", "old");
  ::chmod(key.c_str(), 0666);
  CommandOutput result = run({"api", "fetch", "x509", "-silent", "-write", dir_.path().string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(modeOf(key), 0600u);
  EXPECT_NE(readFile(key), "old");
}

TEST_F(CommandsTest, FetchX509WriteToMissingDirectoryFailsWithGoOpenError) {
  source_.publish(snapshot({{"/workload", ""}}));
  const std::string missing = (dir_.path() / "missing").string();
  CommandOutput result = run({"api", "fetch", "x509", "-silent", "-write", missing});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "Writing SVID #0 to file " + missing + "/svid.0.pem.\n");
  EXPECT_EQ(result.err, "open " + missing + "/svid.0.pem: no such file or directory\n");
}

TEST_F(CommandsTest, FetchX509JsonIsProtojsonOfTheResponse) {
  auto snap = snapshot({{"/workload", "web"}}, /*federated=*/true);
  source_.publish(snap);
  CommandOutput result = run({"api", "fetch", "x509", "-output", "json", "-write", "/nonexistent"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // -write is for the pretty format only; nothing is written and nothing said about it.
  Result<x509::EncodedX509Svid> der = snap->svids[0]->toDer();
  ASSERT_TRUE(der.isOk());
  const std::string expected =
      std::string(R"({"svids":[{"spiffe_id":"spiffe://example.org/workload","x509_svid":")") +
      base64Encode(der->certificates) + R"(","x509_svid_key":")" + base64Encode(der->private_key) +
      R"(","bundle":")" + base64Encode(ca_.bundle().toDer()) +
      R"(","hint":"web"}],"crl":[],"federated_bundles":{"spiffe://federated.test":")" +
      base64Encode(fed_ca_.bundle().toDer()) + "\"}}\n";
  EXPECT_EQ(result.out, expected);
}

TEST_F(CommandsTest, FetchX509WithoutIdentityReportsPermissionDenied) {
  source_.publish(snapshot({}));
  CommandOutput result = run({"api", "fetch", "x509"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "rpc error: code = PermissionDenied desc = no identity issued\n");
}

TEST_F(CommandsTest, FetchX509WithMissingSocketReportsGrpcGoDialError) {
  CommandOutput result = run({"api", "fetch", "x509", "-socketPath", missing_socket_}, false);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, missingSocketError(missing_socket_) + "\n");
}

TEST_F(CommandsTest, FetchX509TimesOutOnASilentSocket) {
  // A socket that accepts connections (kernel backlog) but never speaks HTTP/2.
  const std::string path = (dir_.path() / "silent.sock").string();
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  CommandOutput result =
      run({"api", "fetch", "x509", "-timeout", "300ms", "-socketPath", path}, false);
  ::close(fd);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "rpc error: code = DeadlineExceeded desc = context deadline exceeded\n");
}

TEST_F(CommandsTest, FetchX509RefusesAnSvidThatDoesNotChainToItsBundle) {
  auto snap = snapshot({{"/workload", ""}});
  // The bundle sent with the SVID is another CA's.
  snap->bundle = std::make_shared<const x509::X509Bundle>(
      x509::X509Bundle(ca_.trustDomain(), fed_ca_.bundle().authorities()));
  source_.publish(snap);
  CommandOutput result = run({"api", "fetch", "x509"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "\"spiffe://example.org/workload\" SVID failed verification against "
                        "bundle: x509svid: could not verify leaf certificate: x509: certificate "
                        "signed by unknown authority\n");
}

TEST_F(CommandsTest, FetchX509BadOutputFlagIsAFlagError) {
  CommandOutput result = run({"api", "fetch", "x509", "-output", "xml"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err.rfind("invalid value \"xml\" for flag -output: bad formatter flag: unknown "
                             "format option: \"xml\"\n",
                             0),
            0u)
      << result.err;
}

} // namespace
} // namespace spire::agent::commands::testing
