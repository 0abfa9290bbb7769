// spire-server run as a process: start-up lines, health (HTTP and CLI), SIGTERM/SIGINT, flags
// over the file, log formats and files, bad configs, and what a restart keeps.

#include <signal.h>

#include <filesystem>
#include <sstream>

#include "integration/server_test_util.h"
#include "integration/support/net.h"
#include "integration/support/wait.h"

namespace spire::integration {
namespace {

TEST(ServerLifecycleTest, ServesAndStopsGracefullyOnSigterm) {
  ServerConfigOptions o;
  o.health_checks = true;
  ServerUnderTest server(o);
  ASSERT_SERVING(server);
  Process& p = *server.process();
  EXPECT_TRUE(p.waitForLog("level=info msg=\"Starting Server APIs\" address=\"127.0.0.1:" +
                               std::to_string(server.bindPort()) + "\" network=tcp",
                           kStartDeadline))
      << server.describe();
  EXPECT_TRUE(
      p.waitForLog("msg=\"Starting Server APIs\" address=" + server.socketPath() + " network=unix",
                   kStartDeadline))
      << server.describe();

  CommandOutput health = server.cli({"healthcheck"});
  EXPECT_EQ(health.exitCode(), 0) << health.describe();
  EXPECT_EQ(health.out, "Server is healthy.\n");

  ASSERT_TRUE(p.waitForLog("msg=\"Serving health checks\"", kStartDeadline)) << server.describe();
  HttpResponse live = httpGet(server.healthPort(), "/live");
  EXPECT_EQ(live.status, 200) << live.body;
  HttpResponse ready = httpGet(server.healthPort(), "/ready");
  EXPECT_EQ(ready.status, 200) << ready.body;
  auto body = nlohmann::json::parse(ready.body, nullptr, false);
  ASSERT_FALSE(body.is_discarded()) << ready.body;
  EXPECT_EQ(body["server.ca"]["ready"], true) << ready.body;
  EXPECT_EQ(body["catalog.datastore"]["ready"], true) << ready.body;

  ExitStatus exit = server.stop();
  EXPECT_TRUE(exit.exited) << exit.describe() << "\n" << server.describe();
  EXPECT_EQ(exit.code, 0) << server.describe();
  EXPECT_FALSE(p.logLines("msg=\"Server stopped gracefully\"").empty()) << server.describe();
  EXPECT_FALSE(std::filesystem::exists(server.socketPath()));
  EXPECT_FALSE(tcpPortOpen(server.bindPort()));
}

TEST(ServerLifecycleTest, SigintStopsGracefullyToo) {
  ServerUnderTest server;
  ASSERT_SERVING(server);
  server.process()->sendSignal(SIGINT);
  auto exit = server.process()->waitForExit(std::chrono::seconds(30));
  ASSERT_TRUE(exit.has_value()) << server.describe();
  EXPECT_TRUE(exit->success()) << exit->describe();
  EXPECT_FALSE(server.process()->logLines("signal=interrupt").empty()) << server.describe();
}

TEST(ServerLifecycleTest, FlagsOverrideTheFile) {
  ServerUnderTest server;
  const int port = freeTcpPort();
  const std::string socket = (server.dir() / "other" / "admin.sock").string();
  ASSERT_TRUE(
      server
          .start({"-serverPort", std::to_string(port), "-socketPath", socket, "-logLevel", "INFO"})
          .isOk());
  ASSERT_TRUE(
      waitFor([&] { return unixSocketAccepts(socket) && tcpPortOpen(port); }, kStartDeadline))
      << server.describe();
  EXPECT_FALSE(std::filesystem::exists(server.socketPath()));
  // INFO from the flag hides the DEBUG lines the file asks for.
  EXPECT_TRUE(server.process()->logLines("level=debug").empty()) << server.describe();
  server.stop();
}

TEST(ServerLifecycleTest, JsonLogFormatWritesOneObjectPerLine) {
  ServerConfigOptions o;
  o.log_format = "json";
  o.log_level = "INFO";
  ServerUnderTest server(o);
  ASSERT_SERVING(server);
  ASSERT_TRUE(server.process()->waitForLog("\"msg\":\"Starting Server APIs\"", kStartDeadline));
  server.stop();
  std::istringstream lines(server.process()->stderrText());
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    EXPECT_TRUE(j.contains("level") && j.contains("msg") && j.contains("time")) << line;
    ++count;
  }
  EXPECT_GT(count, 2);
}

TEST(ServerLifecycleTest, LogFileReceivesTheLog) {
  ServerUnderTest server;
  const std::string log_file = (server.dir() / "server.log").string();
  ASSERT_TRUE(server.start({"-logFile", log_file}).isOk());
  ASSERT_TRUE(server.waitUntilServing()) << server.describe();
  EXPECT_TRUE(waitFor(
      [&] {
        return readFileText(log_file).find("msg=\"Starting Server APIs\"") != std::string::npos;
      },
      kStartDeadline))
      << readFileText(log_file);
  server.stop();
}

TEST(ServerLifecycleTest, BadConfigExitsWithTheLoadersError) {
  ServerConfigOptions o;
  o.extra_server_lines = {"bind_portt = \"1\""};
  ServerUnderTest server(o);
  ASSERT_TRUE(server.start().isOk());
  auto exit = server.process()->waitForExit(std::chrono::seconds(30));
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->code, 1);
  EXPECT_NE(server.process()->stderrText().find("unknown configuration detected"),
            std::string::npos)
      << server.describe();
  EXPECT_NE(server.process()->stderrText().find("bind_portt"), std::string::npos);
}

TEST(ServerLifecycleTest, MissingConfigFileExitsWithError) {
  ServerUnderTest server;
  CommandOutput out = server.cli({"run", "-config", (server.dir() / "nope.conf").string()}, false);
  EXPECT_EQ(out.exitCode(), 1) << out.describe();
  EXPECT_NE(out.err.find("could not find config file " + (server.dir() / "nope.conf").string()),
            std::string::npos)
      << out.describe();
}

TEST(ServerLifecycleTest, TakenPortFailsStartUp) {
  ServerUnderTest first;
  ASSERT_SERVING(first);
  ServerConfigOptions o;
  o.bind_port = first.bindPort();
  ServerUnderTest second(o);
  ASSERT_TRUE(second.start().isOk());
  auto exit = second.process()->waitForExit(std::chrono::seconds(60));
  ASSERT_TRUE(exit.has_value()) << second.describe();
  EXPECT_EQ(exit->code, 1);
  EXPECT_NE(second.process()->stderrText().find("unable to listen on 127.0.0.1:" +
                                                std::to_string(first.bindPort())),
            std::string::npos)
      << second.describe();
}

TEST(ServerLifecycleTest, RestartKeepsCaEntriesAndAgents) {
  ServerUnderTest server;
  ASSERT_SERVING(server);
  const std::string bundle = bundlePem(server);
  ASSERT_NE(bundle.find("BEGIN CERTIFICATE"), std::string::npos);

  auto created =
      cliJson(server, {"entry", "create", "-parentID", "spiffe://example.org/node", "-spiffeID",
                       "spiffe://example.org/workload", "-selector", "unix:uid:1000"});
  ASSERT_TRUE(created.is_object()) << created;
  const std::string entry_id = created["results"][0]["entry"]["id"];

  const std::string token = generateToken(server);
  AgentSvid agent = attestWithJoinToken(serverTlsChannel(server.bindPort(), bundle), token);
  ASSERT_TRUE(agent.status.ok()) << describe(agent.status) << "\n" << server.describe();

  ASSERT_TRUE(server.stop().success()) << server.describe();
  ASSERT_SERVING(server);

  EXPECT_EQ(bundlePem(server), bundle);
  auto shown = cliJson(server, {"entry", "show", "-entryID", entry_id});
  ASSERT_TRUE(shown.is_object()) << shown;
  EXPECT_EQ(shown["entries"][0]["spiffe_id"]["path"], "/workload") << shown;
  auto agents = cliJson(server, {"agent", "list"});
  ASSERT_TRUE(agents.is_object()) << agents;
  ASSERT_EQ(agents["agents"].size(), 1u) << agents;
  EXPECT_EQ(agents["agents"][0]["id"]["path"], "/spire/agent/join_token/" + token) << agents;
  // The agent's SVID from before the restart still chains to the (same) bundle.
  EXPECT_EQ(opensslVerify(server, bundle, agent.chain_pem).exit_code, 0);
}

} // namespace
} // namespace spire::integration
