// FetchJWTSVID, FetchJWTBundles and ValidateJWTSVID end to end over the socket.

#include "agent/endpoints/endpoints_fixture.h"
#include "jwt/jwt_svid.h"

namespace spire::agent::endpoints::testing {
namespace {

using std::chrono::system_clock;

std::string signToken(const FakeIdentitySource& signer, const std::string& id,
                      nlohmann::json extra = nlohmann::json::object(),
                      std::vector<std::string> audience = {"svc"}) {
  jwt::JwtSvidParams params;
  params.id = spiffe::SpiffeId::parse(id).value();
  params.audience = std::move(audience);
  params.expiry =
      std::chrono::floor<std::chrono::seconds>(system_clock::now()) + std::chrono::hours(1);
  params.extra_claims = std::move(extra);
  return jwt::signJwtSvid(params, signer.jwtKey(), signer.kid()).value();
}

TEST_F(EndpointsTest, FetchJwtSvidOnePerIdentity) {
  source_.publish(snapshot({{"/a", "first"}, {"/b", ""}}));
  auto ctx = context();
  JWTSVIDRequest request;
  request.add_audience("svc");
  request.add_audience("other");
  JWTSVIDResponse response;
  ASSERT_TRUE(stub_->FetchJWTSVID(ctx.get(), request, &response).ok());
  ASSERT_EQ(response.svids_size(), 2);
  EXPECT_EQ(response.svids(0).spiffe_id(), "spiffe://example.org/a");
  EXPECT_EQ(response.svids(0).hint(), "first");
  EXPECT_EQ(response.svids(1).spiffe_id(), "spiffe://example.org/b");
  jwt::JwtBundleSet keys;
  keys.add(*source_.jwtBundle());
  Result<jwt::JwtSvid> svid =
      jwt::parseAndValidate(response.svids(0).svid(), keys, {"other"}, system_clock::now());
  ASSERT_TRUE(svid.isOk()) << svid.status().toString();
  EXPECT_EQ(svid->id.toString(), "spiffe://example.org/a");
  EXPECT_EQ(svid->audience, (std::vector<std::string>{"svc", "other"}));
}

TEST_F(EndpointsTest, FetchJwtSvidFiltersBySpiffeId) {
  source_.publish(snapshot({{"/a", ""}, {"/b", ""}}));
  auto ctx = context();
  JWTSVIDRequest request;
  request.add_audience("svc");
  request.set_spiffe_id("spiffe://example.org/b");
  JWTSVIDResponse response;
  ASSERT_TRUE(stub_->FetchJWTSVID(ctx.get(), request, &response).ok());
  ASSERT_EQ(response.svids_size(), 1);
  EXPECT_EQ(response.svids(0).spiffe_id(), "spiffe://example.org/b");
}

TEST_F(EndpointsTest, FetchJwtSvidErrors) {
  source_.publish(snapshot({{"/a", ""}}));
  JWTSVIDResponse response;
  {
    auto ctx = context();
    EXPECT_GRPC_STATUS(stub_->FetchJWTSVID(ctx.get(), JWTSVIDRequest(), &response),
                       grpc::StatusCode::INVALID_ARGUMENT, "audience must be specified");
  }
  JWTSVIDRequest request;
  request.add_audience("svc");
  {
    request.set_spiffe_id("example.org/a");
    auto ctx = context();
    EXPECT_GRPC_STATUS(stub_->FetchJWTSVID(ctx.get(), request, &response),
                       grpc::StatusCode::INVALID_ARGUMENT,
                       "invalid requested SPIFFE ID: scheme is missing or invalid");
  }
  {
    request.set_spiffe_id("spiffe://example.org/not-mine");
    auto ctx = context();
    EXPECT_GRPC_STATUS(stub_->FetchJWTSVID(ctx.get(), request, &response),
                       grpc::StatusCode::PERMISSION_DENIED, "no identity issued");
  }
  request.clear_spiffe_id();
  {
    source_.failJwt(Status(StatusCode::kInternal, "server unreachable"));
    auto ctx = context();
    EXPECT_GRPC_STATUS(stub_->FetchJWTSVID(ctx.get(), request, &response),
                       grpc::StatusCode::UNAVAILABLE,
                       "could not fetch JWT-SVID: server unreachable");
    source_.failJwt(std::nullopt);
  }
  {
    source_.failAttestation(Status(StatusCode::kInternal, "no"));
    auto ctx = context();
    EXPECT_GRPC_STATUS(stub_->FetchJWTSVID(ctx.get(), request, &response),
                       grpc::StatusCode::UNAVAILABLE, "workload attestation failed");
    source_.failAttestation(std::nullopt);
  }
  {
    source_.publish(snapshot({}));
    auto ctx = context();
    EXPECT_GRPC_STATUS(stub_->FetchJWTSVID(ctx.get(), request, &response),
                       grpc::StatusCode::PERMISSION_DENIED, "no identity issued");
  }
}

TEST_F(EndpointsTest, FetchJwtBundlesServesIndentedJwks) {
  source_.publish(snapshot({{"/a", ""}}, /*federated=*/true));
  auto ctx = context();
  auto reader = stub_->FetchJWTBundles(ctx.get(), JWTBundlesRequest());
  JWTBundlesResponse response;
  ASSERT_TRUE(reader->Read(&response));
  ASSERT_EQ(response.bundles_size(), 2);
  EXPECT_EQ(response.bundles().at("spiffe://example.org"),
            source_.jwtBundle()->toJwks(jwt::JwksStyle::kSpireIndented).value());
  EXPECT_EQ(response.bundles().at("spiffe://federated.test"),
            fed_source_.jwtBundle()->toJwks(jwt::JwksStyle::kSpireIndented).value());
  // The bytes parse back into the same keys.
  Result<jwt::JwtBundle> parsed =
      jwt::JwtBundle::parse(ca_.trustDomain(), response.bundles().at("spiffe://example.org"));
  ASSERT_TRUE(parsed.isOk());
  EXPECT_TRUE(parsed->equals(*source_.jwtBundle()));
  ctx->TryCancel();
}

TEST_F(EndpointsTest, FetchJwtBundlesErrorsAndUnauthenticatedVerifiers) {
  source_.publish(snapshot({}, /*federated=*/true));
  {
    auto ctx = context();
    auto reader = stub_->FetchJWTBundles(ctx.get(), JWTBundlesRequest());
    EXPECT_GRPC_STATUS(finishEmpty(*reader), grpc::StatusCode::PERMISSION_DENIED,
                       "no identity issued");
  }
  {
    auto snap = snapshot({{"/a", ""}});
    snap->jwt_bundle = nullptr;
    source_.publish(snap);
    auto ctx = context();
    auto reader = stub_->FetchJWTBundles(ctx.get(), JWTBundlesRequest());
    EXPECT_GRPC_STATUS(finishEmpty(*reader), grpc::StatusCode::UNAVAILABLE,
                       "could not serialize response: bundle not available");
  }
  start(/*allow_unauthenticated_verifiers=*/true);
  source_.publish(snapshot({}, /*federated=*/true));
  auto ctx = context();
  auto reader = stub_->FetchJWTBundles(ctx.get(), JWTBundlesRequest());
  JWTBundlesResponse response;
  ASSERT_TRUE(reader->Read(&response));
  ASSERT_EQ(response.bundles_size(), 1);
  EXPECT_TRUE(response.bundles().contains("spiffe://example.org"));
  ctx->TryCancel();
}

// Only probabilistic: the stream's queue keeps the latest update, so the unchanged update may be
// coalesced before the stream sees it, and a broken skip fails this test only when it is not.
// The skip itself is protobuf's MessageDifferencer::Equals on consecutive responses
// (workload_api_service.cpp).
TEST_F(EndpointsTest, FetchJwtBundlesSkipsUnchanged) {
  source_.publish(snapshot({{"/a", ""}}));
  auto ctx = context();
  auto reader = stub_->FetchJWTBundles(ctx.get(), JWTBundlesRequest());
  JWTBundlesResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.bundles_size(), 1);
  ASSERT_TRUE(source_.waitForSubscribers(1));
  source_.publish(snapshot({{"/b", ""}}));
  source_.publish(snapshot({{"/b", ""}}, /*federated=*/true));
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.bundles_size(), 2);
  ctx->TryCancel();
}

TEST_F(EndpointsTest, ValidateJwtSvidOwnTrustDomainKeepsAllClaims) {
  source_.publish(snapshot({{"/a", ""}}));
  auto ctx = context();
  ValidateJWTSVIDRequest request;
  request.set_audience("svc");
  request.set_svid(signToken(source_, "spiffe://example.org/caller", {{"custom", 7}}));
  ValidateJWTSVIDResponse response;
  grpc::Status status = stub_->ValidateJWTSVID(ctx.get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.spiffe_id(), "spiffe://example.org/caller");
  const auto& fields = response.claims().fields();
  EXPECT_EQ(fields.at("sub").string_value(), "spiffe://example.org/caller");
  EXPECT_EQ(fields.at("custom").number_value(), 7);
  ASSERT_EQ(fields.at("aud").list_value().values_size(), 1);
  EXPECT_EQ(fields.at("aud").list_value().values(0).string_value(), "svc");
  EXPECT_GT(fields.at("exp").number_value(), 0);
}

TEST_F(EndpointsTest, ValidateJwtSvidForeignTrustDomainDropsClaims) {
  source_.publish(snapshot({{"/a", ""}}, /*federated=*/true));
  auto ctx = context();
  ValidateJWTSVIDRequest request;
  request.set_audience("svc");
  request.set_svid(
      signToken(fed_source_, "spiffe://federated.test/peer", {{"custom", 1}, {"allowed", "yes"}}));
  ValidateJWTSVIDResponse response;
  grpc::Status status = stub_->ValidateJWTSVID(ctx.get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.spiffe_id(), "spiffe://federated.test/peer");
  const auto& fields = response.claims().fields();
  EXPECT_TRUE(fields.contains("sub"));
  EXPECT_TRUE(fields.contains("aud"));
  EXPECT_TRUE(fields.contains("exp"));
  EXPECT_EQ(fields.at("allowed").string_value(), "yes");
  EXPECT_FALSE(fields.contains("custom"));
  EXPECT_FALSE(fields.contains("iat"));
  EXPECT_EQ(fields.size(), 4u);
}

TEST_F(EndpointsTest, ValidateJwtSvidErrors) {
  source_.publish(snapshot({{"/a", ""}}));
  ValidateJWTSVIDResponse response;
  ValidateJWTSVIDRequest request;
  {
    request.set_svid("x");
    auto ctx = context();
    EXPECT_GRPC_STATUS(stub_->ValidateJWTSVID(ctx.get(), request, &response),
                       grpc::StatusCode::INVALID_ARGUMENT, "audience must be specified");
  }
  request.set_audience("svc");
  {
    request.clear_svid();
    auto ctx = context();
    EXPECT_GRPC_STATUS(stub_->ValidateJWTSVID(ctx.get(), request, &response),
                       grpc::StatusCode::INVALID_ARGUMENT, "svid must be specified");
  }
  {
    request.set_svid("not-a-token");
    auto ctx = context();
    EXPECT_GRPC_STATUS(
        stub_->ValidateJWTSVID(ctx.get(), request, &response), grpc::StatusCode::INVALID_ARGUMENT,
        "unable to parse JWT token: go-jose/go-jose: compact JWS format must have three parts");
  }
  {
    // Wrong audience: SPIRE's ValidateToken text, passed through.
    const std::string token = signToken(source_, "spiffe://example.org/caller");
    request.set_svid(token);
    request.set_audience("someone-else");
    jwt::JwtBundleSet keys;
    keys.add(*source_.jwtBundle());
    const std::string expected =
        jwt::validateTokenSpire(token, keys, {"someone-else"}, system_clock::now())
            .status()
            .message();
    ASSERT_FALSE(expected.empty());
    auto ctx = context();
    EXPECT_GRPC_STATUS(stub_->ValidateJWTSVID(ctx.get(), request, &response),
                       grpc::StatusCode::INVALID_ARGUMENT, expected);
  }
  {
    // A federated token while the caller does not federate: no keys for that trust domain.
    request.set_audience("svc");
    request.set_svid(signToken(fed_source_, "spiffe://federated.test/peer"));
    auto ctx = context();
    EXPECT_GRPC_STATUS(stub_->ValidateJWTSVID(ctx.get(), request, &response),
                       grpc::StatusCode::INVALID_ARGUMENT,
                       "no keys found for trust domain \"federated.test\"");
  }
  {
    source_.failAttestation(Status(StatusCode::kInternal, "no"));
    auto ctx = context();
    EXPECT_GRPC_STATUS(stub_->ValidateJWTSVID(ctx.get(), request, &response),
                       grpc::StatusCode::UNAVAILABLE, "workload attestation failed");
  }
}

} // namespace
} // namespace spire::agent::endpoints::testing
