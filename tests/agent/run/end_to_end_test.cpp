// `spire-agent run` with everything real but the server: the configuration file and flags, the
// catalog with the built-in plugins, the AgentManager attesting with a join token given by
// -joinToken against an in-process fake SPIRE server (tests/agent/manager/fake_server), the
// public socket; a workload fetches its SVID with `api fetch x509 -write`; SIGTERM stops it all.

#include <csignal>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "agent/commands/agent_client_commands.h"
#include "agent/manager/fake_server.h"
#include "agent/run/agent_run.h"
#include "cli/spire_commands.h"
#include "support/command.h"
#include "support/temp_dir.h"

namespace spire::agent::run {
namespace {

const bool kSignalsBlocked = [] {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return ::pthread_sigmask(SIG_BLOCK, &set, nullptr) == 0;
}();

TEST(EndToEnd, JoinTokenAgentServesAWorkloadUntilSigterm) {
  ASSERT_TRUE(kSignalsBlocked);
  spire::testing::TempDir dir;
  spire::testing::FakeServer server("example.org");
  server.start();
  server.addJoinToken("tok-e2e");
  server.addEntry("spiffe://example.org/workload", server.agentIdForToken("tok-e2e"),
                  {{"unix", "uid:" + std::to_string(::getuid())}});

  const std::string socket = (dir.path() / "public" / "api.sock").string();
  const std::string bundle = dir.writeFile("bundle.pem", server.bundlePem());
  const std::string config = dir.writeFile("agent.conf", R"(
agent {
  trust_domain = "example.org"
  server_address = "127.0.0.1"
  server_port = ")" + std::to_string(server.port()) + R"("
  trust_bundle_path = ")" + bundle + R"("
  data_dir = ")" + (dir.path() / "data").string() + R"("
  socket_path = ")" + socket + R"("
}
plugins {
  NodeAttestor "join_token" { plugin_data {} }
  KeyManager "memory" { plugin_data {} }
  WorkloadAttestor "unix" { plugin_data {} }
}
)");

  cli::CommandRegistry registry = cli::makeAgentRegistry("test");
  RunHooks hooks;
  hooks.plugin_dir = SPIRE_RUN_TEST_PLUGIN_DIR;
  std::string fetch_out;
  std::string fetch_err;
  int fetch_code = -1;
  const std::filesystem::path out_dir = dir.path() / "svid";
  std::filesystem::create_directory(out_dir);
  hooks.on_started = [&](const AgentRunner&) {
    cli::CommandRegistry client = cli::makeAgentRegistry("test");
    for (auto& [path, fn] : commands::agentClientCommands()) {
      (void)client.setRun(path, fn);
    }
    std::istringstream in;
    std::ostringstream out;
    std::ostringstream err;
    cli::Env env{in, out, err};
    // The manager fetches the workload SVID in the background after its first sync; the stream
    // waits for it, bounded by -timeout.
    fetch_code = client.run({"api", "fetch", "x509", "-socketPath", socket, "-timeout", "20s",
                             "-write", out_dir.string()},
                            env);
    fetch_out = out.str();
    fetch_err = err.str();
    ::kill(::getpid(), SIGTERM);
  };
  ASSERT_TRUE(registry
                  .setRun("run", [hooks](const cli::ParsedFlags& flags,
                                         cli::Env& env) { return runAgentWith(flags, env, hooks); })
                  .isOk());
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  cli::Env env{in, out, err};
  const int code = registry.run({"run", "-config", config, "-joinToken", "tok-e2e"}, env);

  EXPECT_EQ(code, 0) << err.str() << out.str();
  EXPECT_EQ(fetch_code, 0) << fetch_err;
  EXPECT_NE(fetch_out.find("SPIFFE ID:\t\tspiffe://example.org/workload\n"), std::string::npos)
      << fetch_out;
  EXPECT_EQ(server.counters().attest, 1);
  // The written SVID chains to the server's bundle (OpenSSL as the independent check).
  spire::testing::CommandResult verify = spire::testing::runCommand(
      "openssl verify -CAfile " + bundle + " -untrusted " + (out_dir / "svid.0.pem").string() +
      " " + (out_dir / "svid.0.pem").string());
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(out.str().find("msg=\"Agent stopped gracefully\""), std::string::npos) << out.str();
  server.stop();
}

} // namespace
} // namespace spire::agent::run
