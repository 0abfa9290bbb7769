// FetchX509SVID and FetchX509Bundles end to end over the socket.

#include "agent/endpoints/endpoints_fixture.h"

namespace spire::agent::endpoints::testing {
namespace {

TEST_F(EndpointsTest, FetchX509SvidSendsFullState) {
  source_.publish(snapshot({{"/a", "internal"}, {"/b", ""}}, /*federated=*/true));
  auto ctx = context();
  auto reader = stub_->FetchX509SVID(ctx.get(), X509SVIDRequest());
  X509SVIDResponse response;
  ASSERT_TRUE(reader->Read(&response));
  ASSERT_EQ(response.svids_size(), 2);
  EXPECT_EQ(response.svids(0).spiffe_id(), "spiffe://example.org/a");
  EXPECT_EQ(response.svids(0).hint(), "internal");
  EXPECT_EQ(response.svids(1).spiffe_id(), "spiffe://example.org/b");
  EXPECT_EQ(response.svids(1).hint(), "");
  EXPECT_EQ(response.svids(0).bundle(), ca_.bundle().toDer());
  // What a client receives parses back into a valid SVID with its key.
  Result<x509::X509Svid> parsed =
      x509::X509Svid::parseDer(response.svids(0).x509_svid(), response.svids(0).x509_svid_key());
  ASSERT_TRUE(parsed.isOk()) << parsed.status().toString();
  EXPECT_EQ(parsed->id.toString(), "spiffe://example.org/a");
  ASSERT_EQ(response.federated_bundles_size(), 1);
  EXPECT_EQ(response.federated_bundles().at("spiffe://federated.test"), fed_ca_.bundle().toDer());
  EXPECT_EQ(response.crl_size(), 0);
  ctx->TryCancel();
}

TEST_F(EndpointsTest, FetchX509SvidFederatedBundlesIsAnEmptyMapWithoutFederation) {
  source_.publish(snapshot({{"/a", ""}}));
  auto ctx = context();
  auto reader = stub_->FetchX509SVID(ctx.get(), X509SVIDRequest());
  X509SVIDResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.federated_bundles_size(), 0);
  ctx->TryCancel();
}

TEST_F(EndpointsTest, FetchX509SvidDuplicateHintKeepsFirst) {
  source_.publish(snapshot({{"/old", "db"}, {"/new", "db"}, {"/other", "web"}}));
  auto ctx = context();
  auto reader = stub_->FetchX509SVID(ctx.get(), X509SVIDRequest());
  X509SVIDResponse response;
  ASSERT_TRUE(reader->Read(&response));
  ASSERT_EQ(response.svids_size(), 2);
  EXPECT_EQ(response.svids(0).spiffe_id(), "spiffe://example.org/old");
  EXPECT_EQ(response.svids(1).spiffe_id(), "spiffe://example.org/other");
  ctx->TryCancel();
}

TEST_F(EndpointsTest, FetchX509SvidSendsNewMessageOnEveryUpdate) {
  source_.publish(snapshot({{"/a", ""}}));
  auto ctx = context();
  auto reader = stub_->FetchX509SVID(ctx.get(), X509SVIDRequest());
  X509SVIDResponse response;
  ASSERT_TRUE(reader->Read(&response));
  ASSERT_EQ(response.svids_size(), 1);
  ASSERT_TRUE(source_.waitForSubscribers(1));

  source_.publish(snapshot({{"/a", ""}, {"/b", ""}}));
  ASSERT_TRUE(reader->Read(&response));
  ASSERT_EQ(response.svids_size(), 2);
  EXPECT_EQ(response.svids(1).spiffe_id(), "spiffe://example.org/b");

  // Unchanged content is still resent (SPIRE resends X509-SVIDs on every cache update).
  auto same = snapshot({{"/c", ""}});
  source_.publish(same);
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.svids(0).spiffe_id(), "spiffe://example.org/c");
  source_.publish(same);
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.svids(0).spiffe_id(), "spiffe://example.org/c");
  ctx->TryCancel();
}

TEST_F(EndpointsTest, FetchX509SvidWithoutIdentityIsPermissionDenied) {
  source_.publish(snapshot({}));
  auto ctx = context();
  auto reader = stub_->FetchX509SVID(ctx.get(), X509SVIDRequest());
  EXPECT_GRPC_STATUS(finishEmpty(*reader), grpc::StatusCode::PERMISSION_DENIED,
                     "no identity issued");
}

TEST_F(EndpointsTest, FetchX509SvidEndsWhenIdentitiesGoAway) {
  source_.publish(snapshot({{"/a", ""}}));
  auto ctx = context();
  auto reader = stub_->FetchX509SVID(ctx.get(), X509SVIDRequest());
  X509SVIDResponse response;
  ASSERT_TRUE(reader->Read(&response));
  ASSERT_TRUE(source_.waitForSubscribers(1));
  source_.publish(snapshot({}));
  EXPECT_GRPC_STATUS(finishEmpty(*reader), grpc::StatusCode::PERMISSION_DENIED,
                     "no identity issued");
  EXPECT_TRUE(source_.waitForSubscribers(0));
}

TEST_F(EndpointsTest, FetchX509SvidWithoutBundleIsUnavailable) {
  auto snap = snapshot({{"/a", ""}});
  snap->bundle = nullptr;
  source_.publish(snap);
  auto ctx = context();
  auto reader = stub_->FetchX509SVID(ctx.get(), X509SVIDRequest());
  EXPECT_GRPC_STATUS(finishEmpty(*reader), grpc::StatusCode::UNAVAILABLE,
                     "could not serialize response: bundle not available");
}

TEST_F(EndpointsTest, ManyConcurrentStreamsAllSeeEveryUpdate) {
  constexpr int kStreams = 16;
  source_.publish(snapshot({{"/a", ""}}));
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<X509SVIDResponse>>> readers;
  X509SVIDResponse response;
  for (int i = 0; i < kStreams; ++i) {
    contexts.push_back(context());
    readers.push_back(stub_->FetchX509SVID(contexts.back().get(), X509SVIDRequest()));
    ASSERT_TRUE(readers.back()->Read(&response));
  }
  ASSERT_TRUE(source_.waitForSubscribers(kStreams));
  source_.publish(snapshot({{"/a", ""}, {"/b", ""}}));
  for (auto& reader : readers) {
    ASSERT_TRUE(reader->Read(&response));
    EXPECT_EQ(response.svids_size(), 2);
  }
  for (auto& ctx : contexts) {
    ctx->TryCancel();
  }
  EXPECT_TRUE(source_.waitForSubscribers(0));
}

TEST_F(EndpointsTest, StreamEndsOnClientCancel) {
  source_.publish(snapshot({{"/a", ""}}));
  auto ctx = context();
  auto reader = stub_->FetchX509SVID(ctx.get(), X509SVIDRequest());
  X509SVIDResponse response;
  ASSERT_TRUE(reader->Read(&response));
  ASSERT_TRUE(source_.waitForSubscribers(1));
  ctx->TryCancel();
  // The handler notices, returns and drops its subscription.
  EXPECT_TRUE(source_.waitForSubscribers(0));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(EndpointsTest, StreamsEndOnServerShutdown) {
  source_.publish(snapshot({{"/a", ""}}));
  auto ctx1 = context();
  auto ctx2 = context();
  auto svids = stub_->FetchX509SVID(ctx1.get(), X509SVIDRequest());
  auto bundles = stub_->FetchX509Bundles(ctx2.get(), X509BundlesRequest());
  X509SVIDResponse svid_response;
  X509BundlesResponse bundle_response;
  ASSERT_TRUE(svids->Read(&svid_response));
  ASSERT_TRUE(bundles->Read(&bundle_response));
  ASSERT_TRUE(source_.waitForSubscribers(2));
  const auto before = std::chrono::steady_clock::now();
  endpoints_->stop();
  // Well within the grace period: the open streams were ended, not waited out.
  EXPECT_LT(std::chrono::steady_clock::now() - before, Endpoints::kShutdownGrace);
  EXPECT_TRUE(source_.waitForSubscribers(0));
  EXPECT_NE(finishEmpty(*svids).error_code(), grpc::StatusCode::OK);
  EXPECT_NE(finishEmpty(*bundles).error_code(), grpc::StatusCode::OK);
}

TEST_F(EndpointsTest, FetchX509BundlesOwnAndFederated) {
  source_.publish(snapshot({{"/a", ""}}, /*federated=*/true));
  auto ctx = context();
  auto reader = stub_->FetchX509Bundles(ctx.get(), X509BundlesRequest());
  X509BundlesResponse response;
  ASSERT_TRUE(reader->Read(&response));
  ASSERT_EQ(response.bundles_size(), 2);
  EXPECT_EQ(response.bundles().at("spiffe://example.org"), ca_.bundle().toDer());
  EXPECT_EQ(response.bundles().at("spiffe://federated.test"), fed_ca_.bundle().toDer());
  ctx->TryCancel();
}

TEST_F(EndpointsTest, FetchX509BundlesWithoutIdentityIsPermissionDenied) {
  source_.publish(snapshot({}, /*federated=*/true));
  auto ctx = context();
  auto reader = stub_->FetchX509Bundles(ctx.get(), X509BundlesRequest());
  EXPECT_GRPC_STATUS(finishEmpty(*reader), grpc::StatusCode::PERMISSION_DENIED,
                     "no identity issued");
}

TEST_F(EndpointsTest, FetchX509BundlesUnauthenticatedVerifierGetsOwnBundleOnly) {
  start(/*allow_unauthenticated_verifiers=*/true);
  source_.publish(snapshot({}, /*federated=*/true));
  auto ctx = context();
  auto reader = stub_->FetchX509Bundles(ctx.get(), X509BundlesRequest());
  X509BundlesResponse response;
  ASSERT_TRUE(reader->Read(&response));
  ASSERT_EQ(response.bundles_size(), 1);
  EXPECT_EQ(response.bundles().at("spiffe://example.org"), ca_.bundle().toDer());
  ctx->TryCancel();
}

TEST_F(EndpointsTest, FetchX509BundlesWithoutBundleIsUnavailable) {
  auto snap = snapshot({{"/a", ""}});
  snap->bundle = nullptr;
  source_.publish(snap);
  auto ctx = context();
  auto reader = stub_->FetchX509Bundles(ctx.get(), X509BundlesRequest());
  EXPECT_GRPC_STATUS(finishEmpty(*reader), grpc::StatusCode::UNAVAILABLE,
                     "could not serialize response: bundle not available");
}

TEST_F(EndpointsTest, FetchX509BundlesSkipsUnchangedAndSendsChanges) {
  source_.publish(snapshot({{"/a", ""}}));
  auto ctx = context();
  auto reader = stub_->FetchX509Bundles(ctx.get(), X509BundlesRequest());
  X509BundlesResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.bundles_size(), 1);
  ASSERT_TRUE(source_.waitForSubscribers(1));
  // A new SVID leaves the bundles as they were: nothing is sent for it. Federation changes them.
  source_.publish(snapshot({{"/b", ""}}));
  source_.publish(snapshot({{"/b", ""}}, /*federated=*/true));
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.bundles_size(), 2);
  ctx->TryCancel();
}

TEST_F(EndpointsTest, StreamAttestationFailureIsUnavailable) {
  source_.publish(snapshot({{"/a", ""}}));
  source_.failAttestation(Status(StatusCode::kInternal, "attestor plugin exploded"));
  auto ctx = context();
  auto reader = stub_->FetchX509SVID(ctx.get(), X509SVIDRequest());
  EXPECT_GRPC_STATUS(finishEmpty(*reader), grpc::StatusCode::UNAVAILABLE,
                     "workload attestation failed");
}

TEST_F(EndpointsTest, SubscribeFailureIsUnknownWithItsText) {
  source_.publish(snapshot({{"/a", ""}}));
  source_.failSubscribe(Status(StatusCode::kInternal, "cache is closed"));
  auto ctx = context();
  auto reader = stub_->FetchX509Bundles(ctx.get(), X509BundlesRequest());
  EXPECT_GRPC_STATUS(finishEmpty(*reader), grpc::StatusCode::UNKNOWN, "cache is closed");
}

} // namespace
} // namespace spire::agent::endpoints::testing
