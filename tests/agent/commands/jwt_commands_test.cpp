// `spire-agent api fetch jwt` and `api validate jwt` against the real Workload API endpoint.

#include <regex>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <nlohmann/json.hpp>

#include "agent/endpoints/workload_responses.h"
#include "commands_fixture.h"
#include "common/encoding.h"
#include "jwt/jwt_svid.h"

namespace spire::agent::commands::testing {
namespace {

// The token printed after "token(<id>):\n\t".
std::string tokenOf(const std::string& out, const std::string& id) {
  const std::string marker = "token(" + id + "):\n\t";
  const auto at = out.find(marker);
  if (at == std::string::npos) {
    ADD_FAILURE() << "no token for " << id << " in " << out;
    return "";
  }
  const auto start = at + marker.size();
  return out.substr(start, out.find('\n', start) - start);
}

std::string jwksOf(const IdentitySnapshot& snapshot, const std::string& td) {
  auto response = endpoints::composeJwtBundlesResponse(snapshot, false);
  EXPECT_TRUE(response.isOk());
  return response->bundles().at(td);
}

TEST_F(CommandsTest, FetchJwtPrintsTokensThenBundles) {
  auto snap = snapshot({{"/a", ""}}, /*federated=*/true);
  source_.publish(snap);
  CommandOutput result = run({"api", "fetch", "jwt", "-audience", "foo,bar"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  const std::string token = tokenOf(result.out, "spiffe://example.org/a");
  EXPECT_EQ(result.out, "token(spiffe://example.org/a):\n\t" + token + "\n" +
                            "bundle(spiffe://example.org):\n\t" +
                            jwksOf(*snap, "spiffe://example.org") + "\n" +
                            "bundle(spiffe://federated.test):\n\t" +
                            jwksOf(*snap, "spiffe://federated.test") + "\n");
  // The token is a real JWT-SVID for both audiences.
  Result<jwt::JwtSvid> parsed =
      jwt::parseInsecure(token, {"foo", "bar"}, std::chrono::system_clock::now());
  ASSERT_TRUE(parsed.isOk()) << parsed.status().toString();
  EXPECT_EQ(parsed->audience, (std::vector<std::string>{"foo", "bar"}));
}

TEST_F(CommandsTest, FetchJwtWithSpiffeIdAsksForThatIdentityOnly) {
  source_.publish(snapshot({{"/a", "first"}, {"/b", ""}}));
  CommandOutput result =
      run({"api", "fetch", "jwt", "-audience", "foo", "-spiffeID", "spiffe://example.org/b"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.find("token(spiffe://example.org/a)"), std::string::npos);
  EXPECT_NE(tokenOf(result.out, "spiffe://example.org/b"), "");
}

TEST_F(CommandsTest, FetchJwtPrintsHints) {
  source_.publish(snapshot({{"/a", "db"}}));
  CommandOutput result = run({"api", "fetch", "jwt", "-audience", "foo"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string token = tokenOf(result.out, "spiffe://example.org/a");
  EXPECT_EQ(result.out.rfind("token(spiffe://example.org/a):\n\t" + token +
                                 "\nhint(spiffe://example.org/a):\n\tdb\nbundle(",
                             0),
            0u)
      << result.out;
}

TEST_F(CommandsTest, FetchJwtJsonIsAnArrayOfBothResponses) {
  auto snap = snapshot({{"/a", ""}});
  source_.publish(snap);
  CommandOutput result = run({"api", "fetch", "jwt", "-audience", "foo", "-output", "json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto doc = nlohmann::ordered_json::parse(result.out);
  ASSERT_TRUE(doc.is_array());
  ASSERT_EQ(doc.size(), 2u);
  const std::string token = doc[0]["svids"][0]["svid"];
  EXPECT_EQ(result.out, R"([{"svids":[{"spiffe_id":"spiffe://example.org/a","svid":")" + token +
                            R"(","hint":""}]},{"bundles":{"spiffe://example.org":")" +
                            base64Encode(jwksOf(*snap, "spiffe://example.org")) + "\"}}]\n");
}

TEST_F(CommandsTest, FetchJwtDeprecatedFormatFlagSelectsJson) {
  source_.publish(snapshot({{"/a", ""}}));
  CommandOutput result = run({"api", "fetch", "jwt", "-audience", "foo", "-format", "json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.rfind("[{\"svids\":", 0), 0u) << result.out;
}

TEST_F(CommandsTest, FetchJwtWithBadFormatFlagFails) {
  CommandOutput result = run({"api", "fetch", "jwt", "-audience", "foo", "-format", "xml"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "invalid value \"xml\" for flag -format: bad formatter flag: unknown "
                        "format option: \"xml\"\n");
}

TEST_F(CommandsTest, FetchJwtRequiresAudience) {
  CommandOutput result = run({"api", "fetch", "jwt"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "audience must be specified\n");
}

TEST_F(CommandsTest, FetchJwtWithoutIdentityReportsPermissionDenied) {
  source_.publish(snapshot({}));
  CommandOutput result = run({"api", "fetch", "jwt", "-audience", "foo"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "rpc error: code = PermissionDenied desc = no identity issued\n");
}

TEST_F(CommandsTest, FetchJwtSvidErrorIsReportedAfterBundles) {
  source_.publish(snapshot({{"/a", ""}}));
  source_.failJwt(Status(StatusCode::kUnavailable, "server down"));
  CommandOutput result = run({"api", "fetch", "jwt", "-audience", "foo"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err.rfind("rpc error: code = ", 0), 0u) << result.err;
  EXPECT_NE(result.err.find("server down"), std::string::npos) << result.err;
}

TEST_F(CommandsTest, FetchJwtWithMissingSocketNamesTheBundlesCall) {
  CommandOutput result =
      run({"api", "fetch", "jwt", "-audience", "foo", "-socketPath", missing_socket_}, false);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err,
            "failed to receive JWT bundles: " + missingSocketError(missing_socket_) + "\n");
}

class ValidateJwtTest : public CommandsTest {
protected:
  std::string token(const std::vector<std::string>& audience) {
    Result<spiffe::SpiffeId> id = spiffe::SpiffeId::parse("spiffe://example.org/a");
    Result<std::string> signed_token = source_.fetchJwtSvid({}, *id, audience);
    EXPECT_TRUE(signed_token.isOk());
    return *signed_token;
  }
};

TEST_F(ValidateJwtTest, ValidTokenPrintsIdAndClaims) {
  source_.publish(snapshot({{"/a", ""}}));
  const std::string svid = token({"foo"});
  CommandOutput result = run({"api", "validate", "jwt", "-audience", "foo", "-svid", svid});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  const std::regex expected("SVID is valid\\.\nSPIFFE ID : spiffe://example\\.org/a\n"
                            "Claims    : \\{\"aud\":\\[\"foo\"\\],\"custom\":\"value\","
                            "\"exp\":[0-9]+,\"sub\":\"spiffe://example\\.org/a\"\\}\n");
  EXPECT_TRUE(std::regex_match(result.out, expected)) << result.out;
}

TEST_F(ValidateJwtTest, JsonOutputIsTheResponse) {
  source_.publish(snapshot({{"/a", ""}}));
  const std::string svid = token({"foo"});
  CommandOutput result =
      run({"api", "validate", "jwt", "-audience", "foo", "-svid", svid, "-output", "json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::regex expected("\\{\"spiffe_id\":\"spiffe://example\\.org/a\",\"claims\":\\{"
                            "\"aud\":\\[\"foo\"\\],\"custom\":\"value\",\"exp\":[0-9]+,"
                            "\"sub\":\"spiffe://example\\.org/a\"\\}\\}\n");
  EXPECT_TRUE(std::regex_match(result.out, expected)) << result.out;
}

TEST_F(ValidateJwtTest, InvalidTokenIsReportedWithTheServersReason) {
  source_.publish(snapshot({{"/a", ""}}));
  const std::string svid = token({"foo"});
  // The endpoint's own words for this token and audience.
  auto channel = grpc::CreateChannel("unix:" + socket_path_, grpc::InsecureChannelCredentials());
  auto stub = SpiffeWorkloadAPI::NewStub(channel);
  grpc::ClientContext context;
  context.AddMetadata("workload.spiffe.io", "true");
  ValidateJWTSVIDRequest request;
  request.set_audience("other");
  request.set_svid(svid);
  ValidateJWTSVIDResponse response;
  const grpc::Status status = stub->ValidateJWTSVID(&context, request, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  CommandOutput result = run({"api", "validate", "jwt", "-audience", "other", "-svid", svid});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "SVID is not valid: " + status.error_message() + "\n");
}

TEST_F(ValidateJwtTest, GarbageTokenIsNotValid) {
  source_.publish(snapshot({{"/a", ""}}));
  CommandOutput result = run({"api", "validate", "jwt", "-audience", "foo", "-svid", "garbage"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err.rfind("SVID is not valid: ", 0), 0u) << result.err;
}

TEST_F(ValidateJwtTest, RequiresAudienceThenSvid) {
  CommandOutput no_audience = run({"api", "validate", "jwt", "-svid", "x"});
  EXPECT_EQ(no_audience.exit_code, 1);
  EXPECT_EQ(no_audience.err, "audience must be specified\n");
  CommandOutput no_svid = run({"api", "validate", "jwt", "-audience", "foo"});
  EXPECT_EQ(no_svid.exit_code, 1);
  EXPECT_EQ(no_svid.err, "svid must be specified\n");
}

TEST_F(ValidateJwtTest, MissingSocketIsUnableToValidate) {
  CommandOutput result = run(
      {"api", "validate", "jwt", "-audience", "foo", "-svid", "x", "-socketPath", missing_socket_},
      false);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err,
            "unable to validate JWT SVID: " + missingSocketError(missing_socket_) + "\n");
}

} // namespace
} // namespace spire::agent::commands::testing
