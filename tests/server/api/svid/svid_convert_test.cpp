// The API conversions and SPIRE's MakeErr rules, without a server.
#include "server/api/svid/svid_convert.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include "common/encoding.h"
#include "server/api/svid/api_error.h"
#include "support/test_ca.h"

namespace spire::server::api {
namespace {

spiffe::TrustDomain td() {
  return *spiffe::TrustDomain::parse("example.org");
}

types::SPIFFEID protoId(const std::string& trust_domain, const std::string& path) {
  types::SPIFFEID id;
  id.set_trust_domain(trust_domain);
  id.set_path(path);
  return id;
}

TEST(SvidConvertTest, AgentIdFromProtoAcceptsOnlyAgentsOfTheTrustDomain) {
  const types::SPIFFEID agent = protoId("example.org", "/spire/agent/x509pop/abc");
  auto ok = agentIdFromProto(td(), &agent);
  ASSERT_TRUE(ok.isOk()) << ok.status().message();
  EXPECT_EQ(ok->toString(), "spiffe://example.org/spire/agent/x509pop/abc");

  const std::vector<std::pair<types::SPIFFEID, std::string>> bad = {
      {protoId("other.org", "/spire/agent/x"),
       "\"spiffe://other.org/spire/agent/x\" is not a member of trust domain \"example.org\""},
      {protoId("example.org", ""),
       "\"spiffe://example.org\" is not an agent in trust domain \"example.org\"; path is empty"},
      {protoId("example.org", "/workload"),
       "\"spiffe://example.org/workload\" is not an agent in trust domain \"example.org\"; path "
       "is not in the agent namespace"},
      {protoId("example.org", "/spire/agent"),
       "\"spiffe://example.org/spire/agent\" is not an agent in trust domain \"example.org\"; "
       "path is not in the agent namespace"},
      {protoId("Example.org", "/spire/agent/x"),
       "trust domain characters are limited to lowercase letters, numbers, dots, dashes, and "
       "underscores"},
  };
  for (const auto& [id, message] : bad) {
    auto result = agentIdFromProto(td(), &id);
    ASSERT_FALSE(result.isOk()) << message;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(result.status().message(), message);
  }
  auto missing = agentIdFromProto(td(), nullptr);
  ASSERT_FALSE(missing.isOk());
  EXPECT_EQ(missing.status().message(), "request must specify SPIFFE ID");
}

TEST(SvidConvertTest, WorkloadIdFromProtoRefusesTheReservedNamespace) {
  auto id = protoId("example.org", "/spire/agent/join_token/x");
  auto result = workloadIdFromProto(td(), &id);
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.status().message(),
            "\"spiffe://example.org/spire/agent/join_token/x\" is not a workload in trust domain "
            "\"example.org\"; path is in the reserved namespace");
  auto good = protoId("example.org", "/db");
  EXPECT_TRUE(workloadIdFromProto(td(), &good).isOk());
}

TEST(SvidConvertTest, FillX509SvidWritesDerChainAndLeafExpiry) {
  auto ca = spire::testing::TestCa::createRoot("example.org");
  auto inter = ca.createIntermediate();
  auto leaf = inter.issueLeaf();
  types::X509SVID out;
  auto id = *spiffe::SpiffeId::parse("spiffe://example.org/workload");
  fillX509Svid(id, leaf.chain, &out);
  EXPECT_EQ(out.id().trust_domain(), "example.org");
  EXPECT_EQ(out.id().path(), "/workload");
  ASSERT_EQ(out.cert_chain_size(), 2);
  EXPECT_EQ(out.cert_chain(0), crypto::certificateToDer(*leaf.chain[0]));
  EXPECT_EQ(out.cert_chain(1), crypto::certificateToDer(*leaf.chain[1]));
  EXPECT_EQ(out.expires_at(), unixSeconds(crypto::notAfter(*leaf.chain[0])));
}

TEST(SvidConvertTest, UnixSecondsRoundsDownLikeGo) {
  using namespace std::chrono;
  EXPECT_EQ(unixSeconds(system_clock::time_point(milliseconds(1999))), 1);
  EXPECT_EQ(unixSeconds(system_clock::time_point(milliseconds(-1))), -1);
}

TEST(SvidConvertTest, JwtTimesReadsIatAndExp) {
  const std::string claims = base64UrlEncode(R"({"sub":"x","iat":100,"exp":400})");
  auto times = jwtTimes("e30." + claims + ".sig");
  ASSERT_TRUE(times.isOk()) << times.status().message();
  EXPECT_EQ(times->issued_at, 100);
  EXPECT_EQ(times->expires_at, 400);

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"no-dots", "token is not a compact JWS"},
      {"a.b", "token is not a compact JWS"},
      {"a.!!!.c", "token payload is not base64url"},
      {"a." + base64UrlEncode("[1]") + ".c", "token payload is not a JSON object"},
      {"a." + base64UrlEncode(R"({"exp":1})") + ".c", "token has no iat or exp claim"},
  };
  for (const auto& [token, message] : bad) {
    auto result = jwtTimes(token);
    ASSERT_FALSE(result.isOk()) << token;
    EXPECT_EQ(result.status().code(), StatusCode::kInternal);
    EXPECT_EQ(result.status().message(), message);
  }
}

class MakeErrorTest : public ::testing::Test {
protected:
  std::ostringstream out_;
  spdlog::logger log_{"test", std::make_shared<spdlog::sinks::ostream_sink_st>(out_)};
};

TEST_F(MakeErrorTest, InvalidArgumentKeepsTheCauseAndLogsThePrefix) {
  Status st = makeError(log_, StatusCode::kInvalidArgument, "malformed CSR", "bad bytes");
  EXPECT_EQ(st, Status(StatusCode::kInvalidArgument, "malformed CSR: bad bytes"));
  EXPECT_NE(out_.str().find("Invalid argument: malformed CSR: bad bytes"), std::string::npos);
}

TEST_F(MakeErrorTest, NotFoundDropsTheCause) {
  Status st = makeError(log_, StatusCode::kNotFound, "agent not found",
                        Status(StatusCode::kNotFound, "datastore detail"));
  EXPECT_EQ(st, Status(StatusCode::kNotFound, "agent not found"));
  EXPECT_NE(out_.str().find("Agent not found"), std::string::npos);
  EXPECT_EQ(out_.str().find("datastore detail"), std::string::npos);
}

TEST_F(MakeErrorTest, OtherCodesKeepTheCauseAndCapitaliseTheLog) {
  Status st = makeError(log_, StatusCode::kInternal, "failed to fetch agent",
                        Status(StatusCode::kUnavailable, "db down"));
  EXPECT_EQ(st, Status(StatusCode::kInternal, "failed to fetch agent: db down"));
  EXPECT_NE(out_.str().find("Failed to fetch agent: db down"), std::string::npos);
  EXPECT_EQ(makeError(log_, StatusCode::kInternal, "plain"),
            Status(StatusCode::kInternal, "plain"));
}

} // namespace
} // namespace spire::server::api
