#include <gtest/gtest.h>

#include "server/commands/command_fixture.h"

namespace spire::server::commands::testing {
namespace {

using TokenLoggerHealthTest = CommandFixture;

TEST_F(TokenLoggerHealthTest, TokenGenerate) {
  types::JoinToken token;
  token.set_value("0a6d94e7-5b0c-4e8a-9c61-6f9c2c1f1f51");
  token.set_expires_at(1552410266);
  agent_.token.respond(token);
  auto r = run("token generate", {"-spiffeID", "spiffe://example.org/host", "-ttl", "1200"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Token: 0a6d94e7-5b0c-4e8a-9c61-6f9c2c1f1f51\n");
  auto reqs = agent_.token.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].ttl(), 1200);
  EXPECT_EQ(reqs[0].agent_id().path(), "/host");

  r = run("token generate", {});
  EXPECT_EQ(r.out, "Token: 0a6d94e7-5b0c-4e8a-9c61-6f9c2c1f1f51\nWarning: Missing SPIFFE ID.\n");
  reqs = agent_.token.requests();
  EXPECT_EQ(reqs[1].ttl(), 600);
  EXPECT_FALSE(reqs[1].has_agent_id());

  r = run("token generate", {"-output", "json"});
  EXPECT_EQ(r.out,
            "{\"value\":\"0a6d94e7-5b0c-4e8a-9c61-6f9c2c1f1f51\",\"expires_at\":\"1552410266\"}\n");

  r = run("token generate", {"-spiffeID", "host"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: scheme is missing or invalid\n");
  r = run("token generate", {"-ttl", "x"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("invalid value \"x\" for flag -ttl: parse error\n", 0), 0u) << r.err;
  agent_.token.fail(grpc::StatusCode::INVALID_ARGUMENT, "ttl is required, you must provide one");
  r = run("token generate", {"-ttl", "0"});
  EXPECT_EQ(r.err, "Error: rpc error: code = InvalidArgument desc = ttl is required, you must "
                   "provide one\n");
}

types::Logger loggerOf(types::LogLevel current, types::LogLevel launch) {
  types::Logger l;
  l.set_current_level(current);
  l.set_launch_level(launch);
  return l;
}

TEST_F(TokenLoggerHealthTest, LoggerGetSetReset) {
  logger_.get.respond(loggerOf(types::WARN, types::INFO));
  auto r = run("logger get", {});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Logger Level : warning\nLaunch Level : info\n\n");
  r = run("logger get", {"-output", "json"});
  EXPECT_EQ(r.out, "{\"current_level\":\"WARN\",\"launch_level\":\"INFO\"}\n");

  logger_.set.respond(loggerOf(types::DEBUG, types::INFO));
  r = run("logger set", {"-level", "DeBuG"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Logger Level : debug\nLaunch Level : info\n\n");
  EXPECT_EQ(logger_.set.requests()[0].new_level(), types::DEBUG);

  logger_.reset.respond(loggerOf(types::INFO, types::INFO));
  r = run("logger reset", {});
  EXPECT_EQ(r.out, "Logger Level : info\nLaunch Level : info\n\n");
}

TEST_F(TokenLoggerHealthTest, LoggerErrors) {
  auto r = run("logger set", {});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: a value (-level) must be set\n");
  r = run("logger set", {"-level", "loud"});
  EXPECT_EQ(r.err, "Error: the value \"loud\" is not a valid setting\n");
  EXPECT_TRUE(logger_.set.requests().empty());

  logger_.get.respond(loggerOf(types::UNSPECIFIED, types::INFO));
  r = run("logger get", {});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: internal error: returned current log level is undefined; please "
                   "report this as a bug\n");
}

TEST_F(TokenLoggerHealthTest, LoggerRpcFailures) {
  logger_.get.fail(grpc::StatusCode::INTERNAL, "oh no");
  logger_.set.fail(grpc::StatusCode::INTERNAL, "oh no");
  logger_.reset.fail(grpc::StatusCode::INTERNAL, "oh no");
  auto r = run("logger get", {});
  EXPECT_EQ(r.err, "Error: error fetching logger: rpc error: code = Internal desc = oh no\n");
  r = run("logger set", {"-level", "warn"});
  EXPECT_EQ(r.err, "Error: failed to set log level: rpc error: code = Internal desc = oh no\n");
  EXPECT_EQ(logger_.set.requests()[0].new_level(), types::WARN);
  r = run("logger reset", {});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: failed to reset logger: rpc error: code = Internal desc = oh no\n");
}

TEST_F(TokenLoggerHealthTest, HealthyServer) {
  healthv1::HealthCheckResponse serving;
  serving.set_status(healthv1::HealthCheckResponse::SERVING);
  health_.check.respond(serving);
  auto r = run("healthcheck", {});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Server is healthy.\n");
  EXPECT_EQ(r.err, "");
  r = run("healthcheck", {"-verbose", "-shallow"});
  EXPECT_EQ(r.out, "Checking server health...\nServer is healthy.\n");
  EXPECT_EQ(health_.check.requests()[0].service(), "");
}

TEST_F(TokenLoggerHealthTest, UnhealthyServer) {
  healthv1::HealthCheckResponse not_serving;
  not_serving.set_status(healthv1::HealthCheckResponse::NOT_SERVING);
  health_.check.respond(not_serving);
  auto r = run("healthcheck", {"-verbose"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "Checking server health...\n");
  EXPECT_EQ(r.err, "Error: server is unhealthy: server returned status \"NOT_SERVING\"\n");

  const std::string missing = (dir_.path() / "none.sock").string();
  r = runRaw("healthcheck", {"-socketPath", missing});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Error: server is unhealthy: unable to determine health\n");
  r = runRaw("healthcheck", {"-socketPath", missing, "-verbose"});
  EXPECT_EQ(r.out, "Checking server health...\n");
  EXPECT_EQ(r.err, "Failed to check health: rpc error: code = Unavailable desc = connection "
                   "error: desc = \"transport: Error while dialing: dial unix //" +
                       missing +
                       ": connect: no such file or directory\"\n"
                       "Error: server is unhealthy: unable to determine health\n");

  health_.check.fail(grpc::StatusCode::UNAVAILABLE, "shutting down");
  r = run("healthcheck", {"-verbose"});
  EXPECT_EQ(r.err, "Failed to check health: rpc error: code = Unavailable desc = shutting down\n"
                   "Error: server is unhealthy: unable to determine health\n");
}

TEST(ServerClientCommandsTest, EveryPathIsInTheServerTable) {
  auto registry = cli::makeServerRegistry("test");
  const auto commands = serverClientCommands();
  EXPECT_EQ(commands.size(), 23u);
  for (const auto& [path, fn] : commands) {
    EXPECT_NE(registry.find(path), nullptr) << path;
    EXPECT_TRUE(static_cast<bool>(fn)) << path;
  }
}

} // namespace
} // namespace spire::server::commands::testing
