// The Workload API end to end: join-token attestation, uid-based identities, PermissionDenied for
// an unknown uid, entry propagation to a watching workload, mutual TLS with openssl, and JWT-SVIDs
// through the CLI.

#include <regex>

#include "e2e/e2e_deployment.h"
#include "integration/support/net.h"
#include "integration/support/process.h"

namespace spire::e2e {
namespace {

constexpr int kNobody = 65534;
constexpr int kDaemonUid = 1; // has no entry

std::string uidSelector(int uid) {
  return "unix:uid:" + std::to_string(uid);
}

class WorkloadE2eTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(deployment_.start());
    ASSERT_TRUE(deployment_.createEntry("spiffe://example.org/workload/root",
                                        {uidSelector(static_cast<int>(::getuid()))}));
    if (runningAsRoot()) {
      ASSERT_TRUE(
          deployment_.createEntry("spiffe://example.org/workload/nobody", {uidSelector(kNobody)}));
    }
    ASSERT_TRUE(deployment_.waitForSvid("spiffe://example.org/workload/root"))
        << deployment_.describe();
  }
  Deployment deployment_;
};

TEST_F(WorkloadE2eTest, JoinTokenAgentAndEachUidGetsExactlyItsSvid) {
  CommandOutput agents = deployment_.server().cli({"agent", "list"});
  ASSERT_EQ(agents.exitCode(), 0) << agents.describe();
  EXPECT_NE(agents.out.find("Found 1 attested agent"), std::string::npos) << agents.out;
  EXPECT_NE(agents.out.find("Attestation type  : join_token"), std::string::npos) << agents.out;

  CommandOutput mine = deployment_.agentApi({"fetch", "x509"});
  ASSERT_EQ(mine.exitCode(), 0) << mine.describe();
  EXPECT_EQ(spiffeIdsIn(mine.out), std::vector<std::string>{"spiffe://example.org/workload/root"})
      << mine.out;

  if (!runningAsRoot()) {
    GTEST_SKIP() << "not root: the other-uid workloads need setpriv";
  }
  ASSERT_TRUE(deployment_.waitForSvid("spiffe://example.org/workload/nobody", kNobody));
  CommandOutput nobody = deployment_.agentApi({"fetch", "x509"}, kNobody);
  ASSERT_EQ(nobody.exitCode(), 0) << nobody.describe();
  EXPECT_EQ(spiffeIdsIn(nobody.out),
            std::vector<std::string>{"spiffe://example.org/workload/nobody"})
      << nobody.out;

  CommandOutput denied = deployment_.agentApi({"fetch", "x509"}, kDaemonUid);
  EXPECT_EQ(denied.exitCode(), 1) << denied.describe();
  EXPECT_NE(denied.err.find("rpc error: code = PermissionDenied desc = no identity issued"),
            std::string::npos)
      << denied.describe();
}

TEST_F(WorkloadE2eTest, NewEntryReachesAWatchingWorkloadWithinTwoSyncIntervals) {
  integration::ProcessOptions p;
  p.program = integration::spireAgentPath();
  p.args = {"api", "watch", "-socketPath", deployment_.agent().socketPath()};
  p.log_dir = deployment_.agent().dir() / "logs";
  p.name = "watch";
  auto watch = integration::Process::start(std::move(p));
  ASSERT_TRUE(watch.isOk()) << watch.status().message();
  ASSERT_TRUE((*watch)->waitForLog("spiffe://example.org/workload/root", 20s))
      << (*watch)->describe();

  const auto created_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(deployment_.createEntry("spiffe://example.org/workload/late",
                                      {uidSelector(static_cast<int>(::getuid()))}));
  const auto cli_done = std::chrono::steady_clock::now();
  // Two sync intervals of 2 s.
  ASSERT_TRUE((*watch)->waitForLog("spiffe://example.org/workload/late", 4s))
      << (*watch)->describe() << deployment_.describe();
  const auto seen_at = std::chrono::steady_clock::now();
  const auto ms = [](auto d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  std::cout << "[ propagation ] entry create CLI " << ms(cli_done - created_at)
            << " ms; entry visible to the watching workload " << ms(seen_at - cli_done)
            << " ms after the CLI returned (" << ms(seen_at - created_at) << " ms in all)\n";
  (*watch)->stop(5s);
}

// The URI SAN of the first certificate in `pem_text` (via openssl x509).
std::string uriSanOf(Deployment& d, const std::string& pem_text, const std::string& name) {
  const std::filesystem::path path = d.agent().dir() / name;
  std::ofstream(path, std::ios::trunc) << pem_text;
  integration::ProcessOptions p;
  p.program = "/usr/bin/openssl";
  p.args = {"x509", "-noout", "-ext", "subjectAltName", "-in", path.string()};
  p.log_dir = d.agent().dir() / "logs";
  p.name = "x509";
  CommandOutput out = integration::runToCompletion(std::move(p), 10s);
  std::smatch m;
  return std::regex_search(out.out, m, std::regex("URI:(\\S+)")) ? std::string(m[1]) : "";
}

struct TlsRun {
  CommandOutput client;
  std::string server_log;
};

// openssl s_server -www (mTLS required, verified against `server_ca`) and one s_client GET.
TlsRun tlsHandshake(Deployment& d, const std::string& server_dir, const std::string& client_cert,
                    const std::string& client_key, const std::string& client_ca) {
  const int port = integration::freeTcpPort();
  integration::ProcessOptions s;
  s.program = "/usr/bin/openssl";
  s.args = {"s_server",
            "-accept",
            std::to_string(port),
            "-cert",
            server_dir + "/svid.0.pem",
            "-key",
            server_dir + "/svid.0.key",
            "-CAfile",
            server_dir + "/bundle.0.pem",
            "-Verify",
            "1",
            "-verify_return_error",
            "-www"};
  s.log_dir = d.agent().dir() / "logs";
  s.name = "s_server";
  auto server = integration::Process::start(std::move(s));
  EXPECT_TRUE(server.isOk());
  // s_server prints ACCEPT once it listens (no probe connection: keep the handshake log clean).
  EXPECT_TRUE((*server)->waitForLog("^ACCEPT", 10s)) << (*server)->describe();
  integration::ProcessOptions c;
  c.program = "/usr/bin/openssl";
  c.args = {"s_client",
            "-connect",
            "127.0.0.1:" + std::to_string(port),
            "-cert",
            client_cert,
            "-key",
            client_key,
            "-CAfile",
            client_ca,
            "-verify_return_error",
            "-ign_eof"};
  c.stdin_text = "GET / HTTP/1.0\r\n\r\n";
  c.log_dir = d.agent().dir() / "logs";
  c.name = "s_client";
  TlsRun run;
  run.client = integration::runToCompletion(std::move(c), 20s);
  (*server)->stop(2s);
  run.server_log = (*server)->stdoutText() + (*server)->stderrText();
  return run;
}

TEST_F(WorkloadE2eTest, TwoWorkloadsEstablishMutualTlsWithTheirSvids) {
  if (!runningAsRoot()) {
    GTEST_SKIP() << "not root: the second workload needs another uid";
  }
  ASSERT_TRUE(deployment_.waitForSvid("spiffe://example.org/workload/nobody", kNobody));
  const std::string server_dir = deployment_.publicDir("svid-root");
  const std::string client_dir = deployment_.publicDir("svid-nobody");
  CommandOutput a = deployment_.agentApi({"fetch", "x509", "-write", server_dir});
  ASSERT_EQ(a.exitCode(), 0) << a.describe();
  CommandOutput b = deployment_.agentApi({"fetch", "x509", "-write", client_dir}, kNobody);
  ASSERT_EQ(b.exitCode(), 0) << b.describe();

  TlsRun ok = tlsHandshake(deployment_, server_dir, client_dir + "/svid.0.pem",
                           client_dir + "/svid.0.key", client_dir + "/bundle.0.pem");
  EXPECT_NE(ok.client.out.find("Verify return code: 0 (ok)"), std::string::npos)
      << ok.client.describe();
  // The client's view of the server: the "Server certificate" PEM s_client prints.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      ok.client.out, m,
      std::regex("Server certificate\\n(-----BEGIN CERTIFICATE-----[\\s\\S]*?-----END "
                 "CERTIFICATE-----)")))
      << ok.client.describe();
  EXPECT_EQ(uriSanOf(deployment_, m[1], "peer-server.pem"), "spiffe://example.org/workload/root");
  // The server's view of the client: s_server -www echoes the verified client certificate.
  ASSERT_NE(ok.client.out.find("Client certificate"), std::string::npos) << ok.client.describe();
  EXPECT_NE(ok.client.out.find("URI:spiffe://example.org/workload/nobody"), std::string::npos)
      << ok.client.describe();

  // A client certificate from another CA is refused by the server.
  const std::string other = deployment_.publicDir("other-ca");
  const std::string gen =
      "cd " + other +
      " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key "
      "-out ca.pem -subj /CN=other -days 1"
      " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout c.key -out "
      "c.csr -subj /O=SPIRE"
      " && printf 'subjectAltName=URI:spiffe://example.org/workload/nobody\\n' > ext"
      " && openssl x509 -req -in c.csr -CA ca.pem -CAkey ca.key -out c.pem -days 1 -extfile ext";
  ASSERT_EQ(std::system(("(" + gen + ") >/dev/null 2>&1").c_str()), 0);
  TlsRun refused = tlsHandshake(deployment_, server_dir, other + "/c.pem", other + "/c.key",
                                client_dir + "/bundle.0.pem");
  EXPECT_EQ(refused.client.out.find("Client certificate"), std::string::npos)
      << refused.client.describe();
  EXPECT_NE(refused.server_log.find("unable to get local issuer certificate"), std::string::npos)
      << refused.server_log;
}

TEST_F(WorkloadE2eTest, JwtSvidFetchedAndValidatedThroughTheCli) {
  CommandOutput fetched = deployment_.agentApi({"fetch", "jwt", "-audience", "x"});
  ASSERT_EQ(fetched.exitCode(), 0) << fetched.describe();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      fetched.out, m, std::regex("token\\(spiffe://example.org/workload/root\\):\\n\\t(\\S+)")))
      << fetched.out;
  const std::string token = m[1];

  CommandOutput valid = deployment_.agentApi({"validate", "jwt", "-audience", "x", "-svid", token});
  ASSERT_EQ(valid.exitCode(), 0) << valid.describe();
  EXPECT_NE(valid.out.find("SVID is valid."), std::string::npos) << valid.out;
  EXPECT_NE(valid.out.find("SPIFFE ID : spiffe://example.org/workload/root"), std::string::npos)
      << valid.out;

  CommandOutput wrong = deployment_.agentApi({"validate", "jwt", "-audience", "y", "-svid", token});
  EXPECT_EQ(wrong.exitCode(), 1) << wrong.describe();
  EXPECT_NE(wrong.err.find("SVID is not valid: "), std::string::npos) << wrong.describe();
}

} // namespace
} // namespace spire::e2e
