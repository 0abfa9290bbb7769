// The socket itself, caller identification, the security header, the WIT RPCs and health.

#include <sys/stat.h>
#include <unistd.h>

#include "agent/endpoints/endpoints_fixture.h"

namespace spire::agent::endpoints::testing {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

TEST_F(EndpointsTest, SocketIsWorldConnectableInCreatedDirectory) {
  struct stat st = {};
  ASSERT_EQ(::stat(socket_path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0777u);
}

TEST_F(EndpointsTest, StaleSocketFileIsReplaced) {
  endpoints_.reset();
  // Whatever a crashed agent left behind at the path is removed.
  std::filesystem::remove(socket_path_);
  dir_.writeFile("public/api.sock", "stale");
  start();
  struct stat st = {};
  ASSERT_EQ(::stat(socket_path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  source_.publish(snapshot({{"/a", ""}}));
  auto ctx = context();
  JWTSVIDRequest request;
  request.add_audience("svc");
  JWTSVIDResponse response;
  EXPECT_TRUE(stub_->FetchJWTSVID(ctx.get(), request, &response).ok());
}

TEST_F(EndpointsTest, SocketPathTooLongIsRefused) {
  EndpointsConfig config;
  config.socket_path = "/tmp/" + std::string(200, 'x') + "/api.sock";
  Endpoints endpoints(config, source_);
  Status started = endpoints.start();
  EXPECT_EQ(started.code(), StatusCode::kUnavailable);
  EXPECT_EQ(started.message(), "socket path too long: " + config.socket_path);
}

TEST_F(EndpointsTest, SocketDirectoryThatCannotBeCreatedIsRefused) {
  const std::string file = dir_.writeFile("plain-file", "");
  EndpointsConfig config;
  config.socket_path = file + "/sub/api.sock";
  Endpoints endpoints(config, source_);
  Status started = endpoints.start();
  EXPECT_EQ(started.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(started.message().starts_with("unable to create socket directory " + file + "/sub: "))
      << started.message();
}

TEST_F(EndpointsTest, CallerIsIdentifiedByKernelCredentials) {
  source_.publish(snapshot({{"/a", ""}}));
  auto ctx = context();
  JWTSVIDRequest request;
  request.add_audience("svc");
  JWTSVIDResponse response;
  ASSERT_TRUE(stub_->FetchJWTSVID(ctx.get(), request, &response).ok());
  std::optional<CallerCredentials> caller = source_.lastCaller();
  ASSERT_TRUE(caller.has_value());
  EXPECT_EQ(caller->pid, ::getpid());
  EXPECT_EQ(caller->uid, ::getuid());
  EXPECT_EQ(caller->gid, ::getgid());
  EXPECT_EQ(caller->start_time, processStartTime(::getpid()).value());
  EXPECT_EQ(endpoints_->peers().sizeForTest(), 1u);
}

// The security header must be there exactly once, with the exact value "true".
class SecurityHeaderTest : public EndpointsTest,
                           public ::testing::WithParamInterface<std::vector<std::string>> {};

TEST_P(SecurityHeaderTest, BadHeaderIsInvalidArgumentOnEveryMethod) {
  source_.publish(snapshot({{"/a", ""}}));
  auto bad_context = [&] {
    auto ctx = context(/*header=*/false);
    for (const std::string& value : GetParam()) {
      ctx->AddMetadata("workload.spiffe.io", value);
    }
    return ctx;
  };
  const std::string kMissing = "security header missing from request";
  {
    auto ctx = bad_context();
    auto reader = stub_->FetchX509SVID(ctx.get(), X509SVIDRequest());
    EXPECT_GRPC_STATUS(finishEmpty(*reader), grpc::StatusCode::INVALID_ARGUMENT, kMissing);
  }
  {
    auto ctx = bad_context();
    auto reader = stub_->FetchX509Bundles(ctx.get(), X509BundlesRequest());
    EXPECT_GRPC_STATUS(finishEmpty(*reader), grpc::StatusCode::INVALID_ARGUMENT, kMissing);
  }
  {
    auto ctx = bad_context();
    auto reader = stub_->FetchJWTBundles(ctx.get(), JWTBundlesRequest());
    EXPECT_GRPC_STATUS(finishEmpty(*reader), grpc::StatusCode::INVALID_ARGUMENT, kMissing);
  }
  {
    auto ctx = bad_context();
    JWTSVIDRequest request;
    request.add_audience("svc");
    JWTSVIDResponse response;
    EXPECT_GRPC_STATUS(stub_->FetchJWTSVID(ctx.get(), request, &response),
                       grpc::StatusCode::INVALID_ARGUMENT, kMissing);
  }
  {
    auto ctx = bad_context();
    ValidateJWTSVIDRequest request;
    ValidateJWTSVIDResponse response;
    EXPECT_GRPC_STATUS(stub_->ValidateJWTSVID(ctx.get(), request, &response),
                       grpc::StatusCode::INVALID_ARGUMENT, kMissing);
  }
  {
    auto ctx = bad_context();
    auto reader = stub_->FetchWITSVID(ctx.get(), WITSVIDRequest());
    EXPECT_GRPC_STATUS(finishEmpty(*reader), grpc::StatusCode::INVALID_ARGUMENT, kMissing);
  }
  {
    auto ctx = bad_context();
    auto reader = stub_->FetchWITBundles(ctx.get(), WITBundlesRequest());
    EXPECT_GRPC_STATUS(finishEmpty(*reader), grpc::StatusCode::INVALID_ARGUMENT, kMissing);
  }
  // The header is checked before anything else: the caller was never attested.
  EXPECT_FALSE(source_.lastCaller().has_value());
}

INSTANTIATE_TEST_SUITE_P(Values, SecurityHeaderTest,
                         ::testing::Values(std::vector<std::string>{},
                                           std::vector<std::string>{"true", "true"},
                                           std::vector<std::string>{"false"},
                                           std::vector<std::string>{"True"},
                                           std::vector<std::string>{""}));

TEST_F(EndpointsTest, WitRpcsAreUnimplemented) {
  {
    auto ctx = context();
    auto reader = stub_->FetchWITSVID(ctx.get(), WITSVIDRequest());
    EXPECT_GRPC_STATUS(finishEmpty(*reader), grpc::StatusCode::UNIMPLEMENTED,
                       "fetching WIT-SVIDs is not implemented");
  }
  {
    auto ctx = context();
    auto reader = stub_->FetchWITBundles(ctx.get(), WITBundlesRequest());
    EXPECT_GRPC_STATUS(finishEmpty(*reader), grpc::StatusCode::UNIMPLEMENTED,
                       "fetching WIT bundles is not implemented");
  }
}

class HealthTest : public EndpointsTest {
protected:
  grpc::Status check(HealthCheckResponse& response, const std::string& service = "") {
    auto stub = Health::NewStub(channel_);
    auto ctx = context(/*header=*/false); // health needs no security header
    HealthCheckRequest request;
    request.set_service(service);
    return stub->Check(ctx.get(), request, &response);
  }
};

TEST_F(HealthTest, ServingWhenX509FetchWorks) {
  source_.publish(snapshot({{"/a", ""}}));
  HealthCheckResponse response;
  ASSERT_TRUE(check(response).ok());
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
  // It really fetched: the agent attested itself.
  ASSERT_TRUE(source_.lastCaller().has_value());
  EXPECT_EQ(source_.lastCaller()->pid, ::getpid());
}

TEST_F(HealthTest, ServingWithoutIdentity) {
  source_.publish(snapshot({}));
  HealthCheckResponse response;
  ASSERT_TRUE(check(response).ok());
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
}

TEST_F(HealthTest, NotServingWhenAttestationFails) {
  source_.publish(snapshot({{"/a", ""}}));
  source_.failAttestation(Status(StatusCode::kInternal, "no"));
  HealthCheckResponse response;
  ASSERT_TRUE(check(response).ok());
  EXPECT_EQ(response.status(), HealthCheckResponse::NOT_SERVING);
}

TEST_F(HealthTest, NotServingWithoutBundle) {
  auto snap = snapshot({{"/a", ""}});
  snap->bundle = nullptr;
  source_.publish(snap);
  HealthCheckResponse response;
  ASSERT_TRUE(check(response).ok());
  EXPECT_EQ(response.status(), HealthCheckResponse::NOT_SERVING);
}

TEST_F(HealthTest, PerServiceHealthIsRefused) {
  HealthCheckResponse response;
  EXPECT_GRPC_STATUS(check(response, "SpiffeWorkloadAPI"), grpc::StatusCode::INVALID_ARGUMENT,
                     "per-service health is not supported");
}

} // namespace
} // namespace spire::agent::endpoints::testing
