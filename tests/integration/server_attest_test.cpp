// Node attestation against the real server: a join token from the CLI, AttestAgent over TLS with
// a CSR, single use, unknown tokens, renewal, ban and evict.

#include "integration/server_test_util.h"
#include "integration/support/wait.h"

namespace spire::integration {
namespace {

class ServerAttestTest : public ::testing::Test {
protected:
  void SetUp() override {
    Status started = server_.startAndWait();
    ASSERT_TRUE(started.isOk()) << started.message();
    bundle_ = bundlePem(server_);
  }
  std::shared_ptr<grpc::Channel> anonymous() {
    return serverTlsChannel(server_.bindPort(), bundle_);
  }
  std::shared_ptr<grpc::Channel> as(const AgentSvid& agent) {
    return serverTlsChannel(server_.bindPort(), bundle_, agent.chain_pem, agent.key_pem);
  }
  ServerUnderTest server_;
  std::string bundle_;
};

TEST_F(ServerAttestTest, JoinTokenAttestsOnceAndIssuesAnAgentSvid) {
  const std::string token = generateToken(server_);
  ASSERT_FALSE(token.empty());
  AgentSvid agent = attestWithJoinToken(anonymous(), token);
  ASSERT_TRUE(agent.status.ok()) << describe(agent.status) << "\n" << server_.describe();
  EXPECT_EQ(agent.spiffe_id, "spiffe://example.org/spire/agent/join_token/" + token);
  EXPECT_GT(agent.expires_at, 0);

  // Independent parser: the chain verifies against the bundle and names the agent.
  EXPECT_EQ(opensslVerify(server_, bundle_, agent.chain_pem).exit_code, 0);
  const std::string leaf = writeTemp(server_, "agent.pem", agent.chain_pem);
  testing::CommandResult text = testing::runCommand("openssl x509 -noout -text -in " + leaf);
  EXPECT_NE(text.output.find("URI:spiffe://example.org/spire/agent/join_token/" + token),
            std::string::npos)
      << text.output;

  // Reuse is refused with SPIRE's code and message.
  AgentSvid again = attestWithJoinToken(anonymous(), token);
  EXPECT_EQ(again.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << describe(again.status);
  EXPECT_EQ(again.status.error_message(),
            "failed to attest: join token does not exist or has already been used");

  auto shown = cliJson(server_, {"agent", "show", "-spiffeID", agent.spiffe_id});
  ASSERT_TRUE(shown.is_object()) << shown;
  EXPECT_EQ(shown["attestation_type"], "join_token") << shown;
}

TEST_F(ServerAttestTest, UnknownTokenIsRefused) {
  AgentSvid agent = attestWithJoinToken(anonymous(), "not-a-token");
  EXPECT_EQ(agent.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(agent.status.error_message(),
            "failed to attest: join token does not exist or has already been used");
  auto count = cliJson(server_, {"agent", "count"});
  EXPECT_EQ(count["count"], 0) << count;
}

TEST_F(ServerAttestTest, ChosenAgentIdCreatesAnAlias) {
  const std::string token = generateToken(server_, {"-spiffeID", "spiffe://example.org/node-a"});
  AgentSvid agent = attestWithJoinToken(anonymous(), token);
  ASSERT_TRUE(agent.status.ok()) << describe(agent.status);
  auto entries = cliJson(server_, {"entry", "show", "-spiffeID", "spiffe://example.org/node-a"});
  ASSERT_EQ(entries["entries"].size(), 1u) << entries;
  EXPECT_EQ(entries["entries"][0]["parent_id"]["path"], "/spire/agent/join_token/" + token);
}

TEST_F(ServerAttestTest, RenewThenBanThenEvict) {
  const std::string token = generateToken(server_);
  AgentSvid agent = attestWithJoinToken(anonymous(), token);
  ASSERT_TRUE(agent.status.ok()) << describe(agent.status);

  AgentSvid renewed = renewAgent(as(agent));
  ASSERT_TRUE(renewed.status.ok()) << describe(renewed.status) << "\n" << server_.describe();
  EXPECT_EQ(renewed.spiffe_id, agent.spiffe_id);
  EXPECT_NE(renewed.serial_hex, agent.serial_hex);
  // The new SVID is promoted on first use.
  AgentSvid renewed_again = renewAgent(as(renewed));
  ASSERT_TRUE(renewed_again.status.ok()) << describe(renewed_again.status);

  CommandOutput ban = server_.cli({"agent", "ban", "-spiffeID", agent.spiffe_id});
  ASSERT_EQ(ban.exitCode(), 0) << ban.describe();
  EXPECT_EQ(ban.out, "Agent banned successfully\n");
  auto shown = cliJson(server_, {"agent", "show", "-spiffeID", agent.spiffe_id});
  EXPECT_EQ(shown["banned"], true) << shown;
  AgentSvid refused = renewAgent(as(renewed_again));
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << describe(refused.status);
  EXPECT_EQ(refused.status.error_message(),
            "authorization denied for method /spire.api.server.agent.v1.Agent/RenewAgent");

  CommandOutput evict = server_.cli({"agent", "evict", "-spiffeID", agent.spiffe_id});
  ASSERT_EQ(evict.exitCode(), 0) << evict.describe();
  EXPECT_EQ(evict.out, "Agent evicted successfully\n");
  auto count = cliJson(server_, {"agent", "count"});
  EXPECT_EQ(count["count"], 0) << count;
  CommandOutput gone = server_.cli({"agent", "show", "-spiffeID", agent.spiffe_id});
  EXPECT_EQ(gone.exitCode(), 1) << gone.describe();
}

TEST_F(ServerAttestTest, ExpiredTokenIsRefused) {
  // A token that lives one second; attestation waits for it to pass by polling the clock.
  const std::string token = generateToken(server_, {"-ttl", "1"});
  const auto expiry = std::chrono::system_clock::now() + std::chrono::seconds(2);
  ASSERT_TRUE(waitFor([&] { return std::chrono::system_clock::now() > expiry; },
                      std::chrono::seconds(10), std::chrono::milliseconds(100)));
  AgentSvid agent = attestWithJoinToken(anonymous(), token);
  EXPECT_EQ(agent.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << describe(agent.status);
  EXPECT_EQ(agent.status.error_message(), "join token expired");
}

} // namespace
} // namespace spire::integration
