// The deployment over time: X.509-SVID rotation with short TTLs reaching a stream, the agent
// serving while the server is down and catching up after it returns, and an agent restart with
// the disk KeyManager resuming without re-attesting.

#include <regex>

#include "e2e/e2e_deployment.h"
#include "integration/support/process.h"

namespace spire::e2e {
namespace {

const std::string kRoot = "spiffe://example.org/workload/root";

std::string ownUidSelector() {
  return "unix:uid:" + std::to_string(::getuid());
}

// The "SVID Valid After" lines `api watch` printed so far: one per SVID it received.
std::vector<std::string> validAfterLines(integration::Process& watch) {
  return watch.logLines("^SVID Valid After:");
}

// The serial of the workload's SVID now (api fetch x509 -write, then openssl x509 -serial).
std::string svidSerial(Deployment& d, const std::string& name) {
  const std::string dir = d.publicDir("serial-" + name);
  CommandOutput fetched = d.agentApi({"fetch", "x509", "-write", dir});
  EXPECT_EQ(fetched.exitCode(), 0) << fetched.describe();
  integration::ProcessOptions p;
  p.program = "/usr/bin/openssl";
  p.args = {"x509", "-noout", "-serial", "-in", dir + "/svid.0.pem"};
  p.log_dir = d.agent().dir() / "logs";
  p.name = "serial";
  CommandOutput out = integration::runToCompletion(std::move(p), 10s);
  EXPECT_EQ(out.exitCode(), 0) << out.describe();
  return out.out;
}

TEST(LifecycleE2eTest, StreamDeliversARotatedSvidWithShortTtls) {
  Deployment deployment({.sync_interval = "1s", .default_x509_svid_ttl = "20s", .ca_ttl = "2m"});
  ASSERT_TRUE(deployment.start());
  ASSERT_TRUE(deployment.createEntry(kRoot, {ownUidSelector()}));
  ASSERT_TRUE(deployment.waitForSvid(kRoot)) << deployment.describe();

  integration::ProcessOptions p;
  p.program = integration::spireAgentPath();
  p.args = {"api", "watch", "-socketPath", deployment.agent().socketPath()};
  p.log_dir = deployment.agent().dir() / "logs";
  p.name = "watch";
  auto watch = integration::Process::start(std::move(p));
  ASSERT_TRUE(watch.isOk());
  ASSERT_TRUE((*watch)->waitForLog("^SVID Valid After:", 20s)) << (*watch)->describe();
  const std::string first = validAfterLines(**watch).front();
  const std::string serial_before = svidSerial(deployment, "before");
  // The server backdates NotBefore by 10 s, so a 20 s TTL is a 30 s certificate whose half-life
  // (+-10%) falls about 5 s after issue: a new SVID well within 20 s.
  const bool rotated = integration::waitFor(
      [&] {
        for (const auto& line : validAfterLines(**watch)) {
          if (line != first) {
            return true;
          }
        }
        return false;
      },
      20s, 100ms);
  ASSERT_TRUE(rotated) << (*watch)->describe() << deployment.describe();
  const std::string serial_after = svidSerial(deployment, "after");
  EXPECT_FALSE(serial_before.empty());
  EXPECT_NE(serial_before, serial_after);
  // A different certificate, still for the same workload.
  EXPECT_GE((*watch)->logLines("SPIFFE ID:\\s+" + kRoot).size(), 2u);
  (*watch)->stop(5s);
}

TEST(LifecycleE2eTest, AgentServesWhileTheServerIsDownAndCatchesUpAfter) {
  Deployment deployment;
  ASSERT_TRUE(deployment.start());
  ASSERT_TRUE(deployment.createEntry(kRoot, {ownUidSelector()}));
  ASSERT_TRUE(deployment.waitForSvid(kRoot)) << deployment.describe();

  ASSERT_TRUE(deployment.server().stop(10s).exited) << deployment.describe();
  CommandOutput cached = deployment.agentApi({"fetch", "x509"});
  EXPECT_EQ(cached.exitCode(), 0) << cached.describe();
  EXPECT_EQ(spiffeIdsIn(cached.out), std::vector<std::string>{kRoot}) << cached.out;
  CommandOutput jwt = deployment.agentApi({"fetch", "jwt", "-audience", "while-down"});
  // A JWT-SVID needs the server unless cached; the X.509 path is the promise here.
  (void)jwt;

  // Same data dir, same port: the server comes back with its CA and datastore.
  Status back = deployment.server().startAndWait();
  ASSERT_TRUE(back.isOk()) << back.message();
  ASSERT_TRUE(deployment.createEntry("spiffe://example.org/workload/after", {ownUidSelector()}));
  EXPECT_TRUE(deployment.waitForSvid("spiffe://example.org/workload/after", {}, 60s))
      << deployment.describe();
}

TEST(LifecycleE2eTest, AgentRestartWithDiskKeyManagerResumesWithoutReattesting) {
  Deployment deployment;
  ASSERT_TRUE(deployment.start());
  ASSERT_TRUE(deployment.createEntry(kRoot, {ownUidSelector()}));
  ASSERT_TRUE(deployment.waitForSvid(kRoot)) << deployment.describe();

  deployment.agent().stop(10s);
  // The same config still names the join token, which the server has consumed: only an agent
  // that resumes from its data dir (SVID + disk keys) can come back.
  Status restarted = deployment.agent().start();
  ASSERT_TRUE(restarted.isOk()) << restarted.message();
  EXPECT_TRUE(deployment.waitForSvid(kRoot, {}, 30s)) << deployment.describe();
  EXPECT_TRUE(deployment.agent().process()->running()) << deployment.describe();
  ASSERT_TRUE(deployment.createEntry("spiffe://example.org/workload/after", {ownUidSelector()}));
  EXPECT_TRUE(deployment.waitForSvid("spiffe://example.org/workload/after", {}, 30s))
      << deployment.describe();
  CommandOutput agents = deployment.server().cli({"agent", "list"});
  EXPECT_NE(agents.out.find("Found 1 attested agent"), std::string::npos) << agents.out;
}

} // namespace
} // namespace spire::e2e
