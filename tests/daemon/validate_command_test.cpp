// `spire-server validate` and `spire-agent validate`, run as real processes on temp configs.

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "support/command.h"
#include "support/temp_dir.h"

namespace spire {
namespace {

using testing::CommandResult;
using testing::runCommand;
using testing::TempDir;

CommandResult run(const std::string& program, const std::string& args) {
  return runCommand(std::string(SPIRE_BIN_DIR) + "/" + program + " " + args);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string agentConfig(const TempDir& dir, const std::string& extra_plugins = "") {
  return "agent {\n"
         "  trust_domain = \"example.org\"\n"
         "  data_dir = \"" +
         dir.path().string() +
         "\"\n"
         "  server_address = \"127.0.0.1\"\n"
         "  server_port = \"8081\"\n"
         "  insecure_bootstrap = true\n"
         "}\n"
         "plugins {\n"
         "  NodeAttestor \"join_token\" {\n"
         "    plugin_data {}\n"
         "  }\n"
         "  KeyManager \"disk\" {\n"
         "    plugin_data { directory = \"" +
         dir.path().string() +
         "\" }\n"
         "  }\n"
         "  WorkloadAttestor \"unix\" {\n"
         "    plugin_data { discover_workload_path = true }\n"
         "  }\n" +
         extra_plugins + "}\n";
}

TEST(AgentValidateTest, ValidConfigurationIsReportedValid) {
  TempDir dir;
  std::string conf = dir.writeFile("agent.conf", agentConfig(dir));
  CommandResult r = run("spire-agent", "validate -config " + conf);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "SPIRE agent configuration file is valid.")) << r.output;
  EXPECT_TRUE(contains(r.output, "WorkloadAttestor \"unix\": valid")) << r.output;
}

TEST(AgentValidateTest, SyntaxErrorNamesFileLineAndColumn) {
  TempDir dir;
  std::string conf = dir.writeFile("agent.conf", "agent {\n  trust_domain = \n}\n");
  CommandResult r = run("spire-agent", "validate -config " + conf);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.output, "SPIRE agent configuration file is invalid: " + conf + ":3:1:"))
      << r.output;
}

TEST(AgentValidateTest, UnknownKeyIsRefused) {
  TempDir dir;
  std::string text = agentConfig(dir);
  text.insert(text.find("  insecure_bootstrap"), "  sync_intervall = \"5s\"\n");
  std::string conf = dir.writeFile("agent.conf", text);
  CommandResult r = run("spire-agent", "validate -config " + conf);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.output, "unknown configuration detected")) << r.output;
  EXPECT_TRUE(contains(r.output, "sync_intervall")) << r.output;
}

TEST(AgentValidateTest, MissingPluginIsReportedWithItsPath) {
  TempDir dir;
  std::string conf = dir.writeFile(
      "agent.conf", agentConfig(dir, "  WorkloadAttestor \"nosuch\" {\n    plugin_data {}\n  }\n"));
  CommandResult r = run("spire-agent", "validate -config " + conf);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.output, "SPIRE agent configuration file is invalid.")) << r.output;
  EXPECT_TRUE(contains(r.output, "workload_attestor_nosuch.so")) << r.output;
  // The other plugins are still validated and reported.
  EXPECT_TRUE(contains(r.output, "WorkloadAttestor \"unix\": valid")) << r.output;
}

TEST(AgentValidateTest, CardinalityIsEnforced) {
  TempDir dir;
  std::string conf = dir.writeFile(
      "agent.conf", agentConfig(dir, "  NodeAttestor \"x509pop\" {\n    plugin_data {}\n  }\n"));
  CommandResult r = run("spire-agent", "validate -config " + conf);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.output, "NodeAttestor")) << r.output;
  EXPECT_TRUE(contains(r.output, "SPIRE agent configuration file is invalid.")) << r.output;
}

TEST(AgentValidateTest, BadPluginDataIsReportedByThePlugin) {
  TempDir dir;
  std::string text = agentConfig(dir);
  text.replace(text.find("discover_workload_path = true"), 29, "discover_workload_pth = true");
  std::string conf = dir.writeFile("agent.conf", text);
  CommandResult r = run("spire-agent", "validate -config " + conf);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "WorkloadAttestor \"unix\": invalid")) << r.output;
}

TEST(ServerValidateTest, ValidConfigurationIsReportedValid) {
  // The sql plugin is always built; a skip here would hide a renamed or missing plugin.
  ASSERT_TRUE(std::filesystem::exists(std::string(SPIRE_PLUGIN_BUILD_DIR) + "/data_store_sql.so"));
  TempDir dir;
  std::string conf = dir.writeFile("server.conf", "server {\n"
                                                  "  trust_domain = \"example.org\"\n"
                                                  "  data_dir = \"" +
                                                      dir.path().string() +
                                                      "\"\n"
                                                      "}\n"
                                                      "plugins {\n"
                                                      "  DataStore \"sql\" {\n"
                                                      "    plugin_data {\n"
                                                      "      database_type = \"sqlite3\"\n"
                                                      "      connection_string = \"" +
                                                      (dir.path() / "datastore.sqlite3").string() +
                                                      "\"\n"
                                                      "    }\n"
                                                      "  }\n"
                                                      "  KeyManager \"memory\" {\n"
                                                      "    plugin_data = {}\n"
                                                      "  }\n"
                                                      "  NodeAttestor \"join_token\" {\n"
                                                      "    plugin_data {}\n"
                                                      "  }\n"
                                                      "}\n");
  CommandResult r = run("spire-server", "validate -config " + conf);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "SPIRE server configuration file is valid.")) << r.output;
}

TEST(ServerValidateTest, MissingDataStoreIsACardinalityError) {
  TempDir dir;
  std::string conf = dir.writeFile("server.conf", "server {\n"
                                                  "  trust_domain = \"example.org\"\n"
                                                  "  data_dir = \"/tmp\"\n"
                                                  "}\n"
                                                  "plugins {\n"
                                                  "  NodeAttestor \"join_token\" {\n"
                                                  "    plugin_data {}\n"
                                                  "  }\n"
                                                  "}\n");
  CommandResult r = run("spire-server", "validate -config " + conf);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.output, "SPIRE server configuration file is invalid.")) << r.output;
  EXPECT_TRUE(contains(r.output, "plugin type \"DataStore\" constraint not satisfied: expected "
                                 "exactly 1 but got 0"))
      << r.output;
}

TEST(ServerValidateTest, MissingConfigFileIsReported) {
  CommandResult r = run("spire-server", "validate -config /nonexistent/server.conf");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.output, "SPIRE server configuration file is invalid: ")) << r.output;
  EXPECT_TRUE(contains(r.output, "/nonexistent/server.conf")) << r.output;
}

TEST(DaemonCliTest, CommandsNotOfferedYetAreUnknown) {
  // Federation relationships have no client commands yet: the command is unknown (exit 127) and
  // the usage lists what is offered.
  CommandResult r = run("spire-server", "federation list");
  EXPECT_EQ(r.exit_code, 127) << r.output;
  EXPECT_TRUE(contains(r.output, "validate")) << r.output;
  EXPECT_TRUE(contains(r.output, "entry")) << r.output;
}

TEST(DaemonCliTest, ValidateHelpShowsSpireFlags) {
  CommandResult r = run("spire-agent", "validate -h");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "-config string")) << r.output;
  EXPECT_TRUE(contains(r.output, "-expandEnv")) << r.output;
}

} // namespace
} // namespace spire
