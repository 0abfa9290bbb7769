#include "config/loader.h"

#include <filesystem>
#include <map>

#include <gtest/gtest.h>

#include "config_test_util.h"

namespace spire::config {
namespace {

using namespace std::chrono_literals;
using testing::failsWith;
using testing::invalid;
using testing::TempDir;

EnvLookup fakeEnv(std::map<std::string, std::string, std::less<>> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

const char* const kEnvConfig = R"(server {
  trust_domain = "${TD}"
  data_dir = "$DATA/server"
  bind_port = $PORT
  jwt_issuer = "pa$$word"
}
plugins {}
)";

TEST(Loader, MissingFileIsNotFoundWithAbsolutePath) {
  TempDir dir;
  std::string path = (dir.path() / "absent.conf").string();
  EXPECT_TRUE(failsWith(loadServerConfig(path), StatusCode::kNotFound,
                        "could not find config file " + path + ": please use the -config flag"));
  EXPECT_TRUE(failsWith(loadAgentConfig(path), StatusCode::kNotFound,
                        "could not find config file " + path + ": please use the -config flag"));
}

TEST(Loader, DirectoryIsNotAConfigFile) {
  TempDir dir;
  EXPECT_TRUE(
      invalid(loadServerConfig(dir.path().string()),
              "unable to read configuration at \"" + dir.path().string() + "\": is a directory"));
}

TEST(Loader, ErrorsNameTheFilePath) {
  TempDir dir;
  std::string path = dir.write("bad.conf", "server {\n");
  EXPECT_TRUE(invalid(loadServerConfig(path),
                      path + ":2:1: expected '}' to close block \"server\" opened at 1:1"));
}

TEST(Loader, ExpandEnvSubstitutesBeforeParsing) {
  TempDir dir;
  std::string path = dir.write("env.conf", kEnvConfig);
  LoadOptions options;
  options.expand_env = true;
  options.env_lookup = fakeEnv({{"TD", "env.example.org"}, {"DATA", "/var/lib"}, {"PORT", "9001"}});
  Result<ServerFileConfig> r = loadServerConfig(path, options);
  ASSERT_TRUE(r.isOk()) << r.status().message();
  EXPECT_EQ(r->server.trust_domain, "env.example.org");
  EXPECT_EQ(r->server.data_dir, "/var/lib/server");
  EXPECT_EQ(r->server.bind_port, 9001);
  EXPECT_EQ(r->server.jwt_issuer, "pa$word");
}

TEST(Loader, WithoutExpandEnvDollarsStayLiteral) {
  LoadOptions options;
  options.source_name = "e.conf";
  Result<ServerFileConfig> r = loadServerConfigFromString(
      "server {\n  trust_domain = \"${TD}\"\n  data_dir = \"$DATA\"\n}\nplugins {}\n", options);
  ASSERT_TRUE(r.isOk()) << r.status().message();
  EXPECT_EQ(r->server.trust_domain, "${TD}");
  EXPECT_EQ(r->server.data_dir, "$DATA");
}

TEST(Loader, UnsetVariableExpandsToEmptyAndFailsValidation) {
  LoadOptions options;
  options.expand_env = true;
  options.env_lookup = fakeEnv({});
  EXPECT_TRUE(invalid(
      loadServerConfigFromString(
          "server {\n  trust_domain = \"$TD\"\n  data_dir = \"/d\"\n}\nplugins {}\n", options),
      "trust_domain must be configured"));
  // A bare $PORT that expands to nothing leaves `bind_port =` without a value.
  options.source_name = "e.conf";
  EXPECT_TRUE(invalid(loadServerConfigFromString(kEnvConfig, options),
                      "e.conf:5:3: expected a value, got identifier \"jwt_issuer\" (strings must "
                      "be quoted)"));
}

TEST(Loader, ExpandEnvUsesProcessEnvironmentByDefault) {
  ::setenv("SPIRE_CONFIG_LOADER_TD", "proc.example.org", 1);
  LoadOptions options;
  options.expand_env = true;
  Result<ServerFileConfig> r =
      loadServerConfigFromString("server {\n  trust_domain = \"$SPIRE_CONFIG_LOADER_TD\"\n  "
                                 "data_dir = \"/d\"\n}\nplugins {}\n",
                                 options);
  ::unsetenv("SPIRE_CONFIG_LOADER_TD");
  ASSERT_TRUE(r.isOk()) << r.status().message();
  EXPECT_EQ(r->server.trust_domain, "proc.example.org");
}

TEST(Loader, PluginDataFileRelativeToConfigFileDirectory) {
  TempDir dir;
  dir.write("etc/disk.conf", "keys_path = \"/k\"\n");
  std::string path =
      dir.write("etc/server.conf",
                "server {\n  trust_domain = \"t\"\n  data_dir = \"/d\"\n}\n"
                "plugins {\n  KeyManager \"disk\" {\n    plugin_data_file = \"disk.conf\"\n"
                "  }\n}\n");
  Result<ServerFileConfig> r = loadServerConfig(path);
  ASSERT_TRUE(r.isOk()) << r.status().message();
  EXPECT_EQ(r->plugins[0].data_json, R"({"keys_path":"/k"})");
}

TEST(Loader, JsonFileByExtension) {
  TempDir dir;
  std::string path = dir.write(
      "server.json", R"({"server": {"trust_domain": "t", "data_dir": "/d"}, "plugins": {}})");
  Result<ServerFileConfig> r = loadServerConfig(path);
  ASSERT_TRUE(r.isOk()) << r.status().message();
  EXPECT_EQ(r->server.trust_domain, "t");
}

TEST(Loader, AgentJsonEqualsHcl) {
  LoadOptions hcl_options;
  hcl_options.source_name = "a.conf";
  Result<AgentFileConfig> hcl = loadAgentConfigFromString(R"(
agent {
  trust_domain = "example.org"
  server_address = "s"
  server_port = 1
  insecure_bootstrap = true
  sds { default_bundle_name = "B" }
  experimental { sync_interval = "1m" }
}
plugins {
  WorkloadAttestor "unix" { plugin_data { a = [1, 2] } }
  WorkloadAttestor "docker" { enabled = false }
}
)",
                                                          hcl_options);
  LoadOptions json_options;
  json_options.source_name = "a.json";
  Result<AgentFileConfig> json = loadAgentConfigFromString(R"({
  "agent": {
    "trust_domain": "example.org", "server_address": "s", "server_port": 1,
    "insecure_bootstrap": true, "sds": {"default_bundle_name": "B"},
    "experimental": {"sync_interval": "1m"}
  },
  "plugins": {
    "WorkloadAttestor": {"unix": {"plugin_data": {"a": [1, 2]}}, "docker": {"enabled": false}}
  }
})",
                                                           json_options);
  ASSERT_TRUE(hcl.isOk()) << hcl.status().message();
  ASSERT_TRUE(json.isOk()) << json.status().message();
  EXPECT_EQ(hcl->agent.insecure_bootstrap, json->agent.insecure_bootstrap);
  EXPECT_EQ(hcl->agent.sds.default_bundle_name, "B");
  EXPECT_EQ(json->agent.sds.default_bundle_name, "B");
  EXPECT_EQ(hcl->agent.experimental.sync_interval, 1min);
  EXPECT_EQ(json->agent.experimental.sync_interval, 1min);
  ASSERT_EQ(hcl->plugins.size(), 2u);
  ASSERT_EQ(json->plugins.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(hcl->plugins[i].type, json->plugins[i].type);
    EXPECT_EQ(hcl->plugins[i].name, json->plugins[i].name);
    EXPECT_EQ(hcl->plugins[i].enabled, json->plugins[i].enabled);
    EXPECT_EQ(hcl->plugins[i].data_json, json->plugins[i].data_json);
  }
}

} // namespace
} // namespace spire::config
