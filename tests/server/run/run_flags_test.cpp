// `spire-server run` flags over the configuration file, parsed by the real SPIRE flag table.

#include "server/run/run_flags.h"

#include <sstream>

#include <gtest/gtest.h>

#include "cli/spire_commands.h"
#include "support/temp_dir.h"

namespace spire::server::run {
namespace {

cli::ParsedFlags parse(const std::vector<std::string>& args) {
  cli::CommandRegistry registry = cli::makeServerRegistry("test");
  const cli::CommandSpec* spec = registry.find("run");
  EXPECT_NE(spec, nullptr);
  std::ostringstream diagnostics;
  cli::ParseOutcome outcome = registry.flagSet(*spec).parse(args, diagnostics);
  EXPECT_EQ(outcome.kind, cli::ParseOutcome::Kind::kOk) << outcome.message;
  return outcome.flags;
}

class RunFlagsTest : public ::testing::Test {
protected:
  std::string writeConfig(const std::string& extra = "") {
    return dir_.writeFile("server.conf", "server {\n"
                                         "  trust_domain = \"example.org\"\n"
                                         "  data_dir = \"" +
                                             dir_.path().string() +
                                             "\"\n"
                                             "  bind_port = \"8081\"\n" +
                                             extra +
                                             "}\n"
                                             "plugins {\n"
                                             "  DataStore \"sql\" {\n"
                                             "    plugin_data { database_type = \"sqlite3\" }\n"
                                             "  }\n"
                                             "}\n");
  }
  spire::testing::TempDir dir_;
};

TEST_F(RunFlagsTest, FileValuesStandWithoutFlags) {
  auto loaded = loadRunConfig(parse({"-config", writeConfig()}));
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  EXPECT_EQ(loaded->server.trust_domain, "example.org");
  EXPECT_EQ(loaded->server.bind_address, "0.0.0.0");
  EXPECT_EQ(loaded->server.bind_port, 8081);
  EXPECT_EQ(loaded->server.socket_path, "/tmp/spire-server/private/api.sock");
  EXPECT_EQ(loaded->server.log.level, "INFO");
}

TEST_F(RunFlagsTest, EveryFlagOverridesTheFile) {
  auto loaded = loadRunConfig(
      parse({"-config", writeConfig(), "-bindAddress", "127.0.0.1", "-serverPort", "9090",
             "-socketPath", "/tmp/x/api.sock", "-trustDomain", "other.org", "-dataDir", "/var/x",
             "-logLevel", "DEBUG", "-logFormat", "json", "-logFile", "/tmp/x/server.log"}));
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  const auto& s = loaded->server;
  EXPECT_EQ(s.bind_address, "127.0.0.1");
  EXPECT_EQ(s.bind_port, 9090);
  EXPECT_EQ(s.socket_path, "/tmp/x/api.sock");
  EXPECT_EQ(s.trust_domain, "other.org");
  EXPECT_EQ(s.data_dir, "/var/x");
  EXPECT_EQ(s.log.level, "DEBUG");
  EXPECT_EQ(s.log.format, "json");
  EXPECT_EQ(s.log.file, "/tmp/x/server.log");
}

TEST_F(RunFlagsTest, ExpandEnvAppliesToTheFile) {
  ::setenv("SPIRE_RUN_TEST_TD", "env.example.org", 1);
  std::string path = dir_.writeFile("server.conf", "server {\n"
                                                   "  trust_domain = \"${SPIRE_RUN_TEST_TD}\"\n"
                                                   "  data_dir = \"/tmp\"\n"
                                                   "}\n"
                                                   "plugins {}\n");
  auto loaded = loadRunConfig(parse({"-config", path, "-expandEnv"}));
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  EXPECT_EQ(loaded->server.trust_domain, "env.example.org");
}

TEST_F(RunFlagsTest, MissingFileIsTheLoadersError) {
  auto loaded = loadRunConfig(parse({"-config", "/nonexistent/server.conf"}));
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(loaded.status().message(),
            "could not find config file /nonexistent/server.conf: please use the -config flag");
}

TEST_F(RunFlagsTest, BadLogLevelFlagIsRefused) {
  auto loaded = loadRunConfig(parse({"-config", writeConfig(), "-logLevel", "LOUD"}));
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(loaded.status().message(), "-logLevel: not a valid logrus Level: \"LOUD\"");
}

TEST_F(RunFlagsTest, BadLogFormatFlagIsRefused) {
  auto loaded = loadRunConfig(parse({"-config", writeConfig(), "-logFormat", "xml"}));
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.status().message(),
            "-logFormat: unknown log format \"xml\": expected text or json");
}

TEST_F(RunFlagsTest, PortOutOfRangeIsRefused) {
  auto loaded = loadRunConfig(parse({"-config", writeConfig(), "-serverPort", "70000"}));
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(loaded.status().message(), "-serverPort: 70000 is not a valid port");
}

TEST_F(RunFlagsTest, EmptyTrustDomainFlagFailsValidation) {
  auto loaded = loadRunConfig(parse({"-config", writeConfig(), "-trustDomain", ""}));
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(loaded.status().message(), "trust_domain must be configured");
}

} // namespace
} // namespace spire::server::run
