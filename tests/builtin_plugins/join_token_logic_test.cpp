#include <gtest/gtest.h>

#include "node_attestor/join_token/join_token_agent.h"

namespace spire::builtin::join_token {
namespace {

TEST(JoinTokenAgentTest, PayloadIsTheToken) {
  JoinTokenAgent agent;
  ASSERT_TRUE(agent.configure(R"({"join_token": "2a6c0d1e-token"})").isOk());
  auto payload = agent.payload();
  ASSERT_TRUE(payload.isOk());
  EXPECT_EQ(*payload, "2a6c0d1e-token");
}

TEST(JoinTokenAgentTest, MissingTokenFailsAtAttestation) {
  JoinTokenAgent agent;
  auto r = agent.payload();
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().message(), "not configured");
  ASSERT_TRUE(agent.configure("{}").isOk());
  r = agent.payload();
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "join token is required: set join_token in the agent configuration");
}

TEST(JoinTokenAgentTest, ConfigErrors) {
  JoinTokenAgent agent;
  Status st = agent.configure(R"({"join_token": 12})");
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "configuration key \"join_token\" must be a string");
  st = agent.configure(R"({"token": "x"})");
  EXPECT_EQ(st.message(), "unknown configuration key \"token\"");
}

} // namespace
} // namespace spire::builtin::join_token
