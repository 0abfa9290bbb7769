// `spire-agent run`'s configuration: the file, the flags on top, SPIRE's checks, and what is
// derived from it (join token for the join_token plugin, the manager's settings).

#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agent/run/run_config.h"
#include "cli/spire_commands.h"
#include "support/temp_dir.h"

namespace spire::agent::run {
namespace {

constexpr char kPlugins[] = R"(
plugins {
  NodeAttestor "join_token" {
    plugin_data {}
  }
  KeyManager "memory" {
    plugin_data {}
  }
  WorkloadAttestor "unix" {
    plugin_data {}
  }
}
)";

class RunConfigTest : public ::testing::Test {
protected:
  // `spire-agent run <args>` parsed by the real command table.
  cli::ParsedFlags parse(std::vector<std::string> args) {
    const cli::CommandSpec* spec = registry_.find("run");
    std::ostringstream diagnostics;
    auto outcome = registry_.flagSet(*spec).parse(args, diagnostics);
    EXPECT_EQ(outcome.kind, cli::ParseOutcome::Kind::kOk) << diagnostics.str();
    return outcome.flags;
  }
  std::string write(const std::string& agent_block, const std::string& plugins = kPlugins) {
    return dir_.writeFile("agent.conf", "agent {\n" + agent_block + "\n}\n" + plugins);
  }
  Result<config::AgentFileConfig> load(std::vector<std::string> args,
                                       const config::EnvLookup& env = {}) {
    return loadRunConfig(parse(std::move(args)), env);
  }

  spire::testing::TempDir dir_;
  cli::CommandRegistry registry_ = cli::makeAgentRegistry("test");
  const std::string kComplete = R"(
    trust_domain = "example.org"
    server_address = "127.0.0.1"
    server_port = "8081"
    trust_bundle_path = "/etc/bundle.pem"
    data_dir = "/var/lib/agent"
    socket_path = "/run/a/public/api.sock"
  )";
};

TEST_F(RunConfigTest, FileAloneLoads) {
  auto loaded = load({"-config", write(kComplete)});
  ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
  EXPECT_EQ(loaded->agent.trust_domain, "example.org");
  EXPECT_EQ(loaded->agent.server_port, 8081);
  EXPECT_EQ(loaded->agent.socket_path, "/run/a/public/api.sock");
  EXPECT_EQ(loaded->plugins.size(), 3u);
  EXPECT_EQ(loaded->telemetry.metric_prefix, "spire_agent");
}

TEST_F(RunConfigTest, FlagsOverrideTheFile) {
  auto loaded = load({"-config",
                      write(kComplete),
                      "-trustDomain",
                      "other.org",
                      "-serverAddress",
                      "server.test",
                      "-serverPort",
                      "9090",
                      "-socketPath",
                      "/tmp/x/api.sock",
                      "-dataDir",
                      "/data",
                      "-joinToken",
                      "tok",
                      "-trustBundle",
                      "/b.pem",
                      "-logLevel",
                      "debug",
                      "-logFormat",
                      "JSON",
                      "-logFile",
                      "/tmp/agent.log",
                      "-allowUnauthenticatedVerifiers",
                      "-disableSDSAPI"});
  ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
  const config::AgentConfig& a = loaded->agent;
  EXPECT_EQ(a.trust_domain, "other.org");
  EXPECT_EQ(a.server_address, "server.test");
  EXPECT_EQ(a.server_port, 9090);
  EXPECT_EQ(a.socket_path, "/tmp/x/api.sock");
  EXPECT_EQ(a.data_dir, "/data");
  EXPECT_EQ(a.join_token, "tok");
  EXPECT_EQ(a.trust_bundle_path, "/b.pem");
  EXPECT_EQ(a.log.level, "DEBUG");
  EXPECT_EQ(a.log.format, "json");
  EXPECT_EQ(a.log.file, "/tmp/agent.log");
  EXPECT_TRUE(a.allow_unauthenticated_verifiers);
  EXPECT_TRUE(a.disable_sds_api);
  EXPECT_FALSE(a.disable_workload_api);
}

TEST_F(RunConfigTest, UnsetFlagsLeaveTheFileAlone) {
  auto loaded = load({"-config", write(kComplete + "\nlog_level = \"WARN\"\n")});
  ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
  EXPECT_EQ(loaded->agent.log.level, "WARN");
  EXPECT_EQ(loaded->agent.data_dir, "/var/lib/agent");
}

TEST_F(RunConfigTest, FlagsSupplyWhatTheFileLacks) {
  const std::string path = write(R"(trust_bundle_path = "/b.pem")");
  auto missing = load({"-config", path});
  ASSERT_FALSE(missing.isOk());
  EXPECT_EQ(missing.status(),
            Status(StatusCode::kInvalidArgument, "server_address must be configured"));
  auto loaded = load(
      {"-config", path, "-serverAddress", "s", "-serverPort", "1", "-trustDomain", "example.org"});
  ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
  auto no_td = load({"-config", path, "-serverAddress", "s", "-serverPort", "1"});
  ASSERT_FALSE(no_td.isOk());
  EXPECT_EQ(no_td.status().message(), "trust_domain must be configured");
}

TEST_F(RunConfigTest, MissingFileNamesTheAbsolutePath) {
  auto loaded = load({"-config", "nope/agent.conf"});
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.status(), Status(StatusCode::kNotFound,
                                    "could not find config file " +
                                        std::filesystem::absolute("nope/agent.conf").string() +
                                        ": please use the -config flag"));
}

TEST_F(RunConfigTest, BadLogFlags) {
  auto level = load({"-config", write(kComplete), "-logLevel", "loud"});
  ASSERT_FALSE(level.isOk());
  EXPECT_EQ(level.status().message(),
            "invalid log level \"loud\", expected one of DEBUG, INFO, WARN, ERROR");
  auto format = load({"-config", write(kComplete), "-logFormat", "xml"});
  ASSERT_FALSE(format.isOk());
  EXPECT_EQ(format.status().message(), "invalid log format \"xml\", expected text or json");
}

TEST_F(RunConfigTest, SectionsMustBePresent) {
  auto no_plugins = load({"-config", write(kComplete, "")});
  ASSERT_FALSE(no_plugins.isOk());
  EXPECT_EQ(no_plugins.status().message(), "plugins section must be configured");
  auto no_agent = load({"-config", dir_.writeFile("only-plugins.conf", kPlugins)});
  ASSERT_FALSE(no_agent.isOk());
  EXPECT_EQ(no_agent.status().message(), "agent section must be configured");
}

TEST_F(RunConfigTest, UnknownKeysAreStillRefused) {
  auto loaded = load({"-config", write(kComplete + "\nbogus = 1\n")});
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.status().message().rfind("unknown configuration detected: \"agent.bogus\"", 0),
            0u)
      << loaded.status().message();
}

TEST_F(RunConfigTest, ExpandEnvUsesTheLookup) {
  const std::string path = write(R"(
    trust_domain = "$TD"
    server_address = "127.0.0.1"
    server_port = "8081"
    insecure_bootstrap = true
  )");
  auto env = [](std::string_view name) -> std::optional<std::string> {
    return name == "TD" ? std::optional<std::string>("env.org") : std::nullopt;
  };
  auto expanded = load({"-config", path, "-expandEnv"}, env);
  ASSERT_TRUE(expanded.isOk()) << expanded.status().toString();
  EXPECT_EQ(expanded->agent.trust_domain, "env.org");
  auto literal = load({"-config", path}, env);
  ASSERT_TRUE(literal.isOk()) << literal.status().toString();
  EXPECT_EQ(literal->agent.trust_domain, "$TD");
}

TEST_F(RunConfigTest, JoinTokenFile) {
  const std::string token_file = dir_.writeFile("token", "  abc-123\n");
  auto loaded = load({"-config", write(kComplete), "-joinTokenFile", token_file});
  ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
  EXPECT_EQ(loaded->agent.join_token, "abc-123");

  auto both = load({"-config", write(kComplete), "-joinTokenFile", token_file, "-joinToken", "x"});
  ASSERT_FALSE(both.isOk());
  EXPECT_EQ(both.status().message(),
            "only one of join_token or join_token_file can be specified, not both");

  const std::string missing = (dir_.path() / "missing-token").string();
  auto unreadable = load({"-config", write(kComplete), "-joinTokenFile", missing});
  ASSERT_FALSE(unreadable.isOk());
  EXPECT_EQ(unreadable.status().message(),
            "unable to read join token file " + missing + ": No such file or directory");
}

TEST_F(RunConfigTest, AdminSocketMustNotShareThePublicDirectory) {
  const std::string same = kComplete + "\nadmin_socket_path = \"/run/a/public/admin.sock\"\n";
  const std::string below = kComplete + "\nadmin_socket_path = \"/run/a/public/x/admin.sock\"\n";
  const std::string apart = kComplete + "\nadmin_socket_path = \"/run/a/private/admin.sock\"\n";
  const std::string message = "admin socket cannot be in the same directory or a subdirectory as "
                              "that containing the Workload API socket";
  EXPECT_EQ(load({"-config", write(same)}).status().message(), message);
  EXPECT_EQ(load({"-config", write(below)}).status().message(), message);
  auto ok = load({"-config", write(apart)});
  ASSERT_TRUE(ok.isOk()) << ok.status().toString();
  EXPECT_EQ(ok->agent.admin_socket_path, "/run/a/private/admin.sock");
}

TEST(InjectJoinToken, GoesToTheJoinTokenAttestorOnly) {
  config::PluginSpecs plugins(2);
  plugins[0].type = "NodeAttestor";
  plugins[0].name = "join_token";
  plugins[0].data_json = R"({"other":1})";
  plugins[1].type = "KeyManager";
  plugins[1].name = "memory";
  ASSERT_TRUE(injectJoinToken(plugins, "tok").isOk());
  EXPECT_EQ(nlohmann::json::parse(plugins[0].data_json),
            nlohmann::json::parse(R"({"other":1,"join_token":"tok"})"));
  EXPECT_EQ(plugins[1].data_json, "{}");
}

TEST(InjectJoinToken, KeepsAPluginTokenWhenTheAgentHasNone) {
  config::PluginSpecs plugins(1);
  plugins[0].type = "NodeAttestor";
  plugins[0].name = "join_token";
  plugins[0].data_json = R"({"join_token":"from-plugin"})";
  ASSERT_TRUE(injectJoinToken(plugins, "").isOk());
  EXPECT_EQ(nlohmann::json::parse(plugins[0].data_json)["join_token"], "from-plugin");
  ASSERT_TRUE(injectJoinToken(plugins, "from-agent").isOk());
  EXPECT_EQ(nlohmann::json::parse(plugins[0].data_json)["join_token"], "from-agent");
}

TEST(InjectJoinToken, RefusesNonObjectData) {
  config::PluginSpecs plugins(1);
  plugins[0].type = "NodeAttestor";
  plugins[0].name = "join_token";
  plugins[0].data_json = "[1]";
  EXPECT_EQ(injectJoinToken(plugins, "tok"),
            Status(StatusCode::kInvalidArgument,
                   "NodeAttestor \"join_token\": plugin_data is not an object"));
}

TEST_F(RunConfigTest, ManagerConfigMapsTheAgentBlock) {
  auto loaded = load({"-config", write(kComplete + R"(
    workload_x509_svid_key_type = "rsa-2048"
    x509_svid_cache_max_size = 7
    jwt_svid_cache_max_size = 9
    experimental { sync_interval = "2s" }
  )"),
                      "-joinToken", "tok"});
  ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
  manager::ManagerConfig m = managerConfigFrom(*loaded);
  EXPECT_EQ(m.trust_domain, "example.org");
  EXPECT_EQ(m.server_address, "127.0.0.1");
  EXPECT_EQ(m.server_port, 8081);
  EXPECT_EQ(m.data_dir, "/var/lib/agent");
  EXPECT_EQ(m.join_token, "tok");
  EXPECT_EQ(m.trust_bundle_path, "/etc/bundle.pem");
  EXPECT_EQ(m.sync_interval, std::chrono::seconds(2));
  EXPECT_EQ(m.x509_svid_cache_max_size, 7u);
  EXPECT_EQ(m.jwt_svid_cache_max_size, 9u);
  EXPECT_EQ(m.workload_key_type, crypto::KeyType::kRsa2048);
  // The memory KeyManager keeps nothing: a restart attests again.
  ASSERT_TRUE(m.persist_agent_key.has_value());
  EXPECT_FALSE(*m.persist_agent_key);
}

} // namespace
} // namespace spire::agent::run
