// The config writer produces files our own loader accepts with the values asked for; ports and
// command-line helpers behave.

#include "integration/support/daemons.h"

#include <gtest/gtest.h>

#include "config/loader.h"
#include "integration/support/net.h"

namespace spire::integration {
namespace {

TEST(WithFlagAfterCommandTest, InsertsAfterTheCommandWords) {
  EXPECT_EQ(withFlagAfterCommand({"entry", "show", "-spiffeID", "x"}, "-socketPath", "/s"),
            (std::vector<std::string>{"entry", "show", "-socketPath", "/s", "-spiffeID", "x"}));
  EXPECT_EQ(withFlagAfterCommand({"healthcheck"}, "-socketPath", "/s"),
            (std::vector<std::string>{"healthcheck", "-socketPath", "/s"}));
  EXPECT_EQ(withFlagAfterCommand({}, "-a", "b"), (std::vector<std::string>{"-a", "b"}));
}

TEST(ServerConfigHclTest, LoadsWithTheRequestedValues) {
  ServerUnderTest server([] {
    ServerConfigOptions o;
    o.ca_ttl = "2m";
    o.default_x509_svid_ttl = "20s";
    o.admin_ids = {"spiffe://example.org/admin"};
    o.health_checks = true;
    o.log_format = "json";
    return o;
  }());
  auto loaded = config::loadServerConfigFromString(serverConfigHcl(server.options()));
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message() << "\n"
                             << serverConfigHcl(server.options());
  EXPECT_EQ(loaded->server.trust_domain, "example.org");
  EXPECT_EQ(loaded->server.bind_address, "127.0.0.1");
  EXPECT_GT(server.bindPort(), 0);
  EXPECT_EQ(loaded->server.bind_port, server.bindPort());
  EXPECT_EQ(loaded->server.socket_path, server.socketPath());
  EXPECT_EQ(loaded->server.data_dir, (server.dir() / "data").string());
  EXPECT_EQ(loaded->server.ca_ttl, std::chrono::minutes(2));
  EXPECT_EQ(loaded->server.default_x509_svid_ttl, std::chrono::seconds(20));
  EXPECT_EQ(loaded->server.admin_ids, server.options().admin_ids);
  EXPECT_EQ(loaded->server.log.level, "DEBUG");
  EXPECT_EQ(loaded->server.log.format, "json");
  EXPECT_TRUE(loaded->health_checks.listener_enabled);
  EXPECT_EQ(loaded->health_checks.bind_port, server.healthPort());
  EXPECT_NE(server.healthPort(), server.bindPort());
}

TEST(ServerConfigHclTest, MemoryKeyManagerAndExtraLines) {
  ServerConfigOptions o;
  o.data_dir = "/tmp/x";
  o.key_manager = "memory";
  o.extra_server_lines = {"audit_log_enabled = true"};
  std::string text = serverConfigHcl(o);
  EXPECT_NE(text.find("KeyManager \"memory\""), std::string::npos) << text;
  auto loaded = config::loadServerConfigFromString(text);
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  EXPECT_TRUE(loaded->server.audit_log_enabled);
}

TEST(AgentConfigHclTest, LoadsWithTheRequestedValues) {
  AgentUnderTest agent([] {
    AgentConfigOptions o;
    o.server_port = 18081;
    o.join_token = "abc";
    return o;
  }());
  auto loaded = config::loadAgentConfigFromString(agentConfigHcl(agent.options()));
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message() << "\n"
                             << agentConfigHcl(agent.options());
  EXPECT_EQ(loaded->agent.server_port, 18081);
  EXPECT_EQ(loaded->agent.socket_path, agent.socketPath());
  EXPECT_EQ(loaded->agent.join_token, "abc");
}

TEST(NetTest, FreePortIsFreeAndNothingAnswersThere) {
  int port = freeTcpPort();
  ASSERT_GT(port, 0);
  EXPECT_FALSE(tcpPortOpen(port));
  EXPECT_EQ(httpGet(port, "/live").status, -1);
  EXPECT_FALSE(unixSocketAccepts("/nonexistent/api.sock"));
}

} // namespace
} // namespace spire::integration
