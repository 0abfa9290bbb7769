// The serving half of `spire-agent run` (public socket with SDS, admin socket, health listener)
// around a fake identity source, and `runAgentWith` end to end with the real catalog and a fake
// agent core, stopped by SIGTERM.

#include <csignal>
#include <future>
#include <signal.h>
#include <sys/stat.h>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include "agent/commands/agent_client_commands.h"
#include "agent/endpoints/fake_identity_source.h"
#include "agent/run/agent_run.h"
#include "agent/run/agent_runner.h"
#include "cli/spire_commands.h"
#include "envoy/service/secret/v3/sds.grpc.pb.h"
#include "spire/api/agent/debug/v1/debug.grpc.pb.h"
#include "spire/api/agent/logger/v1/logger.grpc.pb.h"
#include "support/temp_dir.h"
#include "support/test_ca.h"

namespace spire::agent::run {
namespace {

using endpoints::testing::FakeIdentitySource;

// SIGTERM and SIGINT stay blocked in every thread of this program (set before any thread
// exists): a signal sent to the process is only ever read by the agent's SignalWaiter.
const bool kSignalsBlocked = [] {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return ::pthread_sigmask(SIG_BLOCK, &set, nullptr) == 0;
}();

class RunnerTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto snap = std::make_shared<endpoints::IdentitySnapshot>();
    snap->svids.push_back(std::make_shared<const x509::X509Svid>(ca_.issueSvid("/workload")));
    snap->bundle = std::make_shared<const x509::X509Bundle>(ca_.bundle());
    snap->jwt_bundle = source_.jwtBundle();
    source_.publish(snap);

    config_.agent.trust_domain = "example.org";
    config_.agent.socket_path = (dir_.path() / "public" / "api.sock").string();
    config_.agent.admin_socket_path = (dir_.path() / "private" / "admin.sock").string();
    config_.health_checks.listener_enabled = true;
    config_.health_checks.bind_address = "127.0.0.1";
    config_.health_checks.bind_port = 0;
    logger_ = std::make_shared<spdlog::logger>("test");
  }

  Result<std::unique_ptr<AgentRunner>> start() {
    manager::ManagerStatus status;
    status.cached_x509_svids = 3;
    status.cached_jwt_svids = 2;
    status.last_sync = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
    x509::X509Svid agent_svid = ca_.issueSvid("/spire/agent/join_token/abc");
    for (const auto& cert : agent_svid.certificates) {
      status.agent_svid_chain_der.push_back(crypto::certificateToDer(*cert));
    }
    return AgentRunner::start(
        config_, RunnerContext{source_, [status] { return status; }, logger_, spdlog::level::info});
  }

  std::shared_ptr<grpc::Channel> channel(const std::string& path) {
    return grpc::CreateChannel("unix:" + path, grpc::InsecureChannelCredentials());
  }

  spire::testing::TempDir dir_;
  spire::testing::TestCa ca_ = spire::testing::TestCa::createRoot("example.org");
  FakeIdentitySource source_{ca_.trustDomain()};
  config::AgentFileConfig config_;
  std::shared_ptr<spdlog::logger> logger_;
};

grpc::Status fetchRootCa(grpc::Channel& channel) {
  auto stub = envoy::service::secret::v3::SecretDiscoveryService::NewStub(
      std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  envoy::service::discovery::v3::DiscoveryRequest request;
  request.add_resource_names("ROOTCA");
  envoy::service::discovery::v3::DiscoveryResponse response;
  grpc::Status status = stub->FetchSecrets(&context, request, &response);
  if (status.ok() && response.resources_size() != 1) {
    return {grpc::StatusCode::INTERNAL, "expected one resource"};
  }
  return status;
}

TEST_F(RunnerTest, ServesWorkloadApiSdsAdminAndHealth) {
  auto runner = start();
  ASSERT_TRUE(runner.isOk()) << runner.status().toString();

  // Public socket: the Workload API, world-connectable.
  struct stat st {};
  ASSERT_EQ(::stat(config_.agent.socket_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0777u);
  auto public_channel = channel(config_.agent.socket_path);
  {
    auto stub = SpiffeWorkloadAPI::NewStub(public_channel);
    grpc::ClientContext context;
    context.AddMetadata("workload.spiffe.io", "true");
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    auto reader = stub->FetchX509SVID(&context, X509SVIDRequest());
    X509SVIDResponse response;
    ASSERT_TRUE(reader->Read(&response));
    EXPECT_EQ(response.svids(0).spiffe_id(), "spiffe://example.org/workload");
    context.TryCancel();
  }
  // SDS on the same socket.
  EXPECT_TRUE(fetchRootCa(*public_channel).ok());

  // Admin socket: owner and group only.
  ASSERT_EQ(::stat(config_.agent.admin_socket_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0770u);
  auto admin = channel(config_.agent.admin_socket_path);
  {
    auto debug = spire::agent::debug::v1::Debug::NewStub(admin);
    grpc::ClientContext context;
    spire::agent::debug::v1::GetInfoResponse info;
    ASSERT_TRUE(debug->GetInfo(&context, {}, &info).ok());
    ASSERT_EQ(info.svid_chain_size(), 1);
    EXPECT_EQ(info.svid_chain(0).id().trust_domain(), "example.org");
    EXPECT_EQ(info.svid_chain(0).id().path(), "/spire/agent/join_token/abc");
    EXPECT_GT(info.svid_chain(0).expires_at(), 0);
    EXPECT_EQ(info.svid_chain(0).subject(), "O=SPIRE,C=US");
    EXPECT_EQ(info.last_sync_success(), 1700000000);
    EXPECT_EQ(info.cached_x509_svids_count(), 3);
    EXPECT_EQ(info.cached_jwt_svids_count(), 2);
    EXPECT_GE(info.uptime(), 0);
  }
  {
    auto logger = spire::api::agent::logger::v1::Logger::NewStub(admin);
    spire::api::types::Logger state;
    grpc::ClientContext get;
    ASSERT_TRUE(logger->GetLogger(&get, {}, &state).ok());
    EXPECT_EQ(state.current_level(), spire::api::types::INFO);
    EXPECT_EQ(state.launch_level(), spire::api::types::INFO);

    grpc::ClientContext set;
    spire::api::agent::logger::v1::SetLogLevelRequest request;
    request.set_new_level(spire::api::types::DEBUG);
    ASSERT_TRUE(logger->SetLogLevel(&set, request, &state).ok());
    EXPECT_EQ(state.current_level(), spire::api::types::DEBUG);
    EXPECT_EQ(logger_->level(), spdlog::level::debug);

    grpc::ClientContext unspecified;
    request.set_new_level(spire::api::types::UNSPECIFIED);
    grpc::Status refused = logger->SetLogLevel(&unspecified, request, &state);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(refused.error_message(), "newLevel value cannot be LogLevel_UNSPECIFIED");

    grpc::ClientContext reset;
    ASSERT_TRUE(logger->ResetLogLevel(&reset, {}, &state).ok());
    EXPECT_EQ(state.current_level(), spire::api::types::INFO);
    EXPECT_EQ(logger_->level(), spdlog::level::info);
  }
  // Health listener: the agent checks its own Workload API.
  const HealthState health = checkAgentHealth(config_.agent.socket_path);
  EXPECT_TRUE(health.ready);
  EXPECT_EQ(health.ready_details.dump(), "{\"agent\":{}}");
  EXPECT_GT((*runner)->healthPort(), 0);

  (*runner)->stop();
  const HealthState down = checkAgentHealth(config_.agent.socket_path);
  EXPECT_FALSE(down.ready);
  EXPECT_EQ(down.ready_details.dump(),
            "{\"agent\":{\"make_new_x509_err\":\"workload api is unavailable\"}}");
}

TEST_F(RunnerTest, SdsCanBeDisabled) {
  config_.agent.disable_sds_api = true;
  config_.agent.admin_socket_path.clear();
  config_.health_checks.listener_enabled = false;
  auto runner = start();
  ASSERT_TRUE(runner.isOk()) << runner.status().toString();
  EXPECT_EQ(fetchRootCa(*channel(config_.agent.socket_path)).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ((*runner)->healthPort(), 0);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "private"));
}

TEST_F(RunnerTest, StartFailureIsReported) {
  config_.agent.socket_path = "/proc/no-such-dir/api.sock";
  auto runner = start();
  ASSERT_FALSE(runner.isOk());
  EXPECT_EQ(runner.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(
      runner.status().message().rfind("unable to create socket directory /proc/no-such-dir", 0), 0u)
      << runner.status().message();
}

// ---- runAgentWith: the whole command with the real catalog and a fake core ----

class FakeCore final : public AgentCore {
public:
  // `stopped` outlives the core: runAgentWith destroys the core before it returns.
  FakeCore(FakeIdentitySource& source, bool& stopped) : source_(source), stopped_(stopped) {}
  endpoints::WorkloadIdentitySource& source() override { return source_; }
  manager::ManagerStatus status() const override { return {}; }
  void stop() override { stopped_ = true; }

private:
  FakeIdentitySource& source_;
  bool& stopped_;
};

class RunAgentTest : public RunnerTest {
protected:
  std::string writeConfig(const std::string& extra_agent = "") {
    return dir_.writeFile("agent.conf", R"(
agent {
  trust_domain = "example.org"
  server_address = "127.0.0.1"
  server_port = "8081"
  insecure_bootstrap = true
  data_dir = ")" + (dir_.path() / "data").string() +
                                            R"("
  socket_path = ")" + config_.agent.socket_path +
                                            "\"\n" + extra_agent + R"(
}
plugins {
  NodeAttestor "join_token" { plugin_data {} }
  KeyManager "memory" { plugin_data {} }
  WorkloadAttestor "unix" { plugin_data {} }
}
health_checks {
  listener_enabled = true
  bind_address = "127.0.0.1"
  bind_port = "0"
}
)");
  }

  int run(std::vector<std::string> args, std::function<void(const AgentRunner&)> on_started) {
    cli::CommandRegistry registry = cli::makeAgentRegistry("test");
    RunHooks hooks;
    hooks.plugin_dir = SPIRE_RUN_TEST_PLUGIN_DIR;
    hooks.start_core =
        [this](const manager::ManagerConfig& config,
               const plugin_host::Catalog& catalog) -> Result<std::unique_ptr<AgentCore>> {
      seen_config_ = config;
      seen_plugins_ = catalog.plugins().size();
      if (fail_core_) {
        return Status(StatusCode::kUnavailable, "failed to attest: server unreachable");
      }
      core_started_ = true;
      return std::unique_ptr<AgentCore>(std::make_unique<FakeCore>(source_, core_stopped_));
    };
    hooks.on_started = std::move(on_started);
    EXPECT_TRUE(
        registry
            .setRun("run", [hooks](const cli::ParsedFlags& flags,
                                   cli::Env& env) { return runAgentWith(flags, env, hooks); })
            .isOk());
    std::istringstream in;
    cli::Env env{in, out_, err_};
    return registry.run(args, env);
  }

  std::ostringstream out_;
  std::ostringstream err_;
  manager::ManagerConfig seen_config_;
  std::size_t seen_plugins_ = 0;
  bool fail_core_ = false;
  bool core_started_ = false;
  bool core_stopped_ = false;
};

TEST_F(RunAgentTest, ServesUntilSigtermThenStopsGracefully) {
  ASSERT_TRUE(kSignalsBlocked);
  std::string healthcheck_out;
  std::string healthcheck_err;
  int healthcheck_code = -1;
  HealthState health;
  const int code =
      run({"run", "-config", writeConfig(), "-joinToken", "tok-1", "-logLevel", "DEBUG"},
          [&](const AgentRunner& runner) {
            // `spire-agent healthcheck` against the running agent.
            cli::CommandRegistry client = cli::makeAgentRegistry("test");
            for (auto& [path, fn] : commands::agentClientCommands()) {
              (void)client.setRun(path, fn);
            }
            std::istringstream in;
            std::ostringstream out;
            std::ostringstream err;
            cli::Env env{in, out, err};
            healthcheck_code =
                client.run({"healthcheck", "-socketPath", config_.agent.socket_path}, env);
            healthcheck_out = out.str();
            healthcheck_err = err.str();
            health = checkAgentHealth(config_.agent.socket_path);
            EXPECT_GT(runner.healthPort(), 0);
            ::kill(::getpid(), SIGTERM);
          });
  EXPECT_EQ(code, 0) << err_.str();
  EXPECT_EQ(err_.str(), "");
  EXPECT_EQ(healthcheck_code, 0) << healthcheck_err;
  EXPECT_EQ(healthcheck_out, "Agent is healthy.\n");
  EXPECT_TRUE(health.ready);
  EXPECT_TRUE(core_started_);
  EXPECT_TRUE(core_stopped_);
  EXPECT_EQ(seen_plugins_, 3u);
  EXPECT_EQ(seen_config_.join_token, "tok-1");
  EXPECT_TRUE(seen_config_.insecure_bootstrap);
  const std::string logs = out_.str();
  EXPECT_NE(logs.find(" level=debug "), std::string::npos) << logs;
  EXPECT_NE(logs.find(" level=info msg=\"Agent started\"\n"), std::string::npos) << logs;
  EXPECT_NE(logs.find(" level=info msg=\"Received terminated signal, stopping agent\"\n"),
            std::string::npos)
      << logs;
  EXPECT_NE(logs.find(" level=info msg=\"Agent stopped gracefully\"\n"), std::string::npos) << logs;
  // The public socket is gone with the agent.
  EXPECT_FALSE(checkAgentHealth(config_.agent.socket_path).ready);
}

TEST_F(RunAgentTest, SigintStopsToo) {
  const int code = run({"run", "-config", writeConfig()},
                       [](const AgentRunner&) { ::kill(::getpid(), SIGINT); });
  EXPECT_EQ(code, 0) << err_.str();
  EXPECT_NE(out_.str().find("msg=\"Received interrupt signal, stopping agent\""), std::string::npos)
      << out_.str();
}

TEST_F(RunAgentTest, ConfigErrorsArePrintedBare) {
  const int code = run({"run", "-config", writeConfig(), "-logLevel", "loud"}, {});
  EXPECT_EQ(code, 1);
  EXPECT_EQ(err_.str(), "invalid log level \"loud\", expected one of DEBUG, INFO, WARN, ERROR\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(RunAgentTest, CoreStartFailureIsOnlyLogged) {
  fail_core_ = true;
  const int code = run({"run", "-config", writeConfig(), "-logFormat", "json"}, {});
  EXPECT_EQ(code, 1);
  // As SPIRE: once logging is up, a failure goes to the log, not to stderr.
  EXPECT_EQ(err_.str(), "");
  EXPECT_NE(out_.str().find("{\"error\":\"failed to attest: server unreachable\",\"level\":"
                            "\"error\",\"msg\":\"Agent crashed\",\"time\":\""),
            std::string::npos)
      << out_.str();
}

TEST_F(RunAgentTest, PluginLoadFailureIsOnlyLogged) {
  const std::string path = dir_.writeFile("bad.conf", R"(
agent {
  trust_domain = "example.org"
  server_address = "127.0.0.1"
  server_port = "8081"
  insecure_bootstrap = true
}
plugins {
  NodeAttestor "join_token" { plugin_data {} }
  KeyManager "memory" { plugin_data {} }
}
)");
  const int code = run({"run", "-config", path}, {});
  EXPECT_EQ(code, 1);
  EXPECT_EQ(err_.str(), "");
  // The catalog's cardinality rule: an agent needs a WorkloadAttestor.
  EXPECT_NE(out_.str().find(" level=error msg=\"Agent crashed\" error="), std::string::npos)
      << out_.str();
  EXPECT_NE(out_.str().find("WorkloadAttestor"), std::string::npos) << out_.str();
}

} // namespace
} // namespace spire::agent::run
