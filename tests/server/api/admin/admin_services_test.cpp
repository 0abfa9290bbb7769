// Health, Logger and Debug over an in-process server with a FixedAuthorizer: each handler
// authorizes first with its own method name, and answers as SPIRE's services do.
#include <gtest/gtest.h>

#include "crypto/certificate.h"
#include "crypto/key.h"
#include "fixed_authorizer.h"
#include "server/api/admin/debug_service.h"
#include "server/api/admin/health_service.h"
#include "server/api/admin/logger_service.h"
#include "server_fixture.h"
#include "support/test_ca.h"

namespace spire::server::api {
namespace {

using testing::FixedAuthorizer;
using testing::InProcessServer;
using testing::ServerFixture;
namespace types = ::spire::api::types;

class AdminServicesTest : public ::testing::Test {
protected:
  void SetUp() override {
    testing::ServerFixtureOptions options;
    options.fake_clock = true;
    auto created = ServerFixture::create(options);
    ASSERT_TRUE(created.isOk()) << created.status().message();
    fixture_ = std::move(*created);
    logger_ = std::make_shared<spdlog::logger>("admin-test");
    logger_->set_level(spdlog::level::info);
    fixture_->state().logger = logger_;
    health_ = std::make_unique<HealthService>(fixture_->state(), authorizer_);
    logger_service_ = std::make_unique<LoggerService>(fixture_->state(), authorizer_);
    debug_ = std::make_unique<DebugService>(fixture_->state(), authorizer_);
    server_ = std::make_unique<InProcessServer>(
        std::vector<grpc::Service*>{health_.get(), logger_service_.get(), debug_.get()});
  }
  void TearDown() override {
    health_->shutdown();
    server_.reset();
  }
  std::unique_ptr<grpc::ClientContext> context() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  }
  void expectDeniedEverywhere() {
    authorizer_.deny(Status(StatusCode::kPermissionDenied, "authorization denied for method X"));
  }

  std::unique_ptr<ServerFixture> fixture_;
  std::shared_ptr<spdlog::logger> logger_;
  FixedAuthorizer authorizer_;
  std::unique_ptr<HealthService> health_;
  std::unique_ptr<LoggerService> logger_service_;
  std::unique_ptr<DebugService> debug_;
  std::unique_ptr<InProcessServer> server_;
};

// ---- Health -------------------------------------------------------------------------------

TEST_F(AdminServicesTest, HealthCheckServesTheServerAndItsServices) {
  auto stub = healthv1::Health::NewStub(server_->channel());
  for (const char* name : {"", "spire.api.server.entry.v1.Entry", "grpc.health.v1.Health"}) {
    healthv1::HealthCheckRequest request;
    request.set_service(name);
    healthv1::HealthCheckResponse response;
    auto ctx = context();
    grpc::Status st = stub->Check(ctx.get(), request, &response);
    ASSERT_TRUE(st.ok()) << name << ": " << st.error_message();
    EXPECT_EQ(response.status(), healthv1::HealthCheckResponse::SERVING) << name;
  }
  EXPECT_EQ(authorizer_.methods().back(), "/grpc.health.v1.Health/Check");
}

TEST_F(AdminServicesTest, HealthCheckOfUnknownServiceIsNotFound) {
  auto stub = healthv1::Health::NewStub(server_->channel());
  healthv1::HealthCheckRequest request;
  request.set_service("no.such.Service");
  healthv1::HealthCheckResponse response;
  auto ctx = context();
  grpc::Status st = stub->Check(ctx.get(), request, &response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(st.error_message(), "unknown service");
}

TEST_F(AdminServicesTest, HealthListAndSetStatus) {
  health_->setStatus("spire.api.server.svid.v1.SVID", healthv1::HealthCheckResponse::NOT_SERVING);
  auto stub = healthv1::Health::NewStub(server_->channel());
  healthv1::HealthListResponse response;
  auto ctx = context();
  ASSERT_TRUE(stub->List(ctx.get(), {}, &response).ok());
  EXPECT_EQ(response.statuses().at("").status(), healthv1::HealthCheckResponse::SERVING);
  EXPECT_EQ(response.statuses().at("spire.api.server.svid.v1.SVID").status(),
            healthv1::HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(authorizer_.methods().back(), "/grpc.health.v1.Health/List");
}

TEST_F(AdminServicesTest, HealthWatchSendsChanges) {
  auto stub = healthv1::Health::NewStub(server_->channel());
  healthv1::HealthCheckRequest request;
  request.set_service("spire.api.server.agent.v1.Agent");
  grpc::ClientContext ctx;
  auto reader = stub->Watch(&ctx, request);
  healthv1::HealthCheckResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.status(), healthv1::HealthCheckResponse::SERVING);
  // A change of another service is not sent; one of this service is.
  health_->setStatus("spire.api.server.svid.v1.SVID", healthv1::HealthCheckResponse::NOT_SERVING);
  health_->setStatus("spire.api.server.agent.v1.Agent", healthv1::HealthCheckResponse::NOT_SERVING);
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.status(), healthv1::HealthCheckResponse::NOT_SERVING);
  ctx.TryCancel();
  while (reader->Read(&response)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(authorizer_.methods().back(), "/grpc.health.v1.Health/Watch");
}

TEST_F(AdminServicesTest, HealthWatchOfUnknownServiceSaysSo) {
  auto stub = healthv1::Health::NewStub(server_->channel());
  healthv1::HealthCheckRequest request;
  request.set_service("no.such.Service");
  grpc::ClientContext ctx;
  auto reader = stub->Watch(&ctx, request);
  healthv1::HealthCheckResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.status(), healthv1::HealthCheckResponse::SERVICE_UNKNOWN);
  health_->shutdown();
  while (reader->Read(&response)) {
  }
  EXPECT_TRUE(reader->Finish().ok());
}

TEST_F(AdminServicesTest, HealthDeniedCallerGetsTheAuthorizersStatus) {
  expectDeniedEverywhere();
  auto stub = healthv1::Health::NewStub(server_->channel());
  healthv1::HealthCheckResponse response;
  auto ctx = context();
  grpc::Status st = stub->Check(ctx.get(), {}, &response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(st.error_message(), "authorization denied for method X");
}

// ---- Logger -------------------------------------------------------------------------------

types::Logger callLogger(const std::shared_ptr<grpc::Channel>& channel, int which,
                         types::LogLevel level, grpc::Status* status) {
  auto stub = loggerv1::Logger::NewStub(channel);
  grpc::ClientContext ctx;
  types::Logger out;
  if (which == 0) {
    *status = stub->GetLogger(&ctx, {}, &out);
  } else if (which == 1) {
    loggerv1::SetLogLevelRequest request;
    request.set_new_level(level);
    *status = stub->SetLogLevel(&ctx, request, &out);
  } else {
    *status = stub->ResetLogLevel(&ctx, {}, &out);
  }
  return out;
}

TEST_F(AdminServicesTest, LoggerGetSetReset) {
  grpc::Status st;
  types::Logger got = callLogger(server_->channel(), 0, types::UNSPECIFIED, &st);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(got.current_level(), types::INFO);
  EXPECT_EQ(got.launch_level(), types::INFO);
  EXPECT_EQ(authorizer_.methods().back(), "/spire.api.server.logger.v1.Logger/GetLogger");

  types::Logger set = callLogger(server_->channel(), 1, types::DEBUG, &st);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(set.current_level(), types::DEBUG);
  EXPECT_EQ(set.launch_level(), types::INFO);
  EXPECT_EQ(logger_->level(), spdlog::level::debug);
  EXPECT_EQ(authorizer_.methods().back(), "/spire.api.server.logger.v1.Logger/SetLogLevel");

  // PANIC and FATAL are one spdlog level; the level set reads back as set.
  set = callLogger(server_->channel(), 1, types::PANIC, &st);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(set.current_level(), types::PANIC);
  EXPECT_EQ(logger_->level(), spdlog::level::critical);
  set = callLogger(server_->channel(), 1, types::TRACE, &st);
  EXPECT_EQ(set.current_level(), types::TRACE);
  EXPECT_EQ(logger_->level(), spdlog::level::trace);

  types::Logger reset = callLogger(server_->channel(), 2, types::UNSPECIFIED, &st);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(reset.current_level(), types::INFO);
  EXPECT_EQ(logger_->level(), spdlog::level::info);
  EXPECT_EQ(authorizer_.methods().back(), "/spire.api.server.logger.v1.Logger/ResetLogLevel");
}

TEST_F(AdminServicesTest, LoggerRefusesUnspecifiedAndUnknownLevels) {
  grpc::Status st;
  callLogger(server_->channel(), 1, types::UNSPECIFIED, &st);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "newLevel value cannot be LogLevel_UNSPECIFIED");
  callLogger(server_->channel(), 1, static_cast<types::LogLevel>(42), &st);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "unsupported log level");
  EXPECT_EQ(logger_->level(), spdlog::level::info);
}

TEST_F(AdminServicesTest, LoggerDeniedCallerChangesNothing) {
  expectDeniedEverywhere();
  grpc::Status st;
  callLogger(server_->channel(), 1, types::DEBUG, &st);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(logger_->level(), spdlog::level::info);
}

// ---- Debug --------------------------------------------------------------------------------

debugv1::GetInfoResponse getInfo(const std::shared_ptr<grpc::Channel>& channel,
                                 grpc::Status* status) {
  auto stub = debugv1::Debug::NewStub(channel);
  grpc::ClientContext ctx;
  debugv1::GetInfoResponse out;
  *status = stub->GetInfo(&ctx, {}, &out);
  return out;
}

TEST_F(AdminServicesTest, DebugCountsAndCachesForFiveSeconds) {
  plugin_host::AttestedNode node;
  node.spiffe_id = "spiffe://example.org/spire/agent/join_token/a";
  node.attestation_data_type = "join_token";
  node.cert_serial_number = "1";
  ASSERT_TRUE(fixture_->datastore().createAttestedNode(node).isOk());
  plugin_host::Entry entry;
  entry.spiffe_id = "spiffe://example.org/workload";
  entry.parent_id = node.spiffe_id;
  entry.selectors = {{"unix", "uid:0"}};
  ASSERT_TRUE(fixture_->datastore().createEntry(entry).isOk());
  fixture_->advance(std::chrono::seconds(42));

  grpc::Status st;
  debugv1::GetInfoResponse info = getInfo(server_->channel(), &st);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(info.agents_count(), 1);
  EXPECT_EQ(info.entries_count(), 1);
  EXPECT_EQ(info.federated_bundles_count(), 1); // SPIRE counts its own bundle too
  EXPECT_EQ(info.uptime(), 42);
  EXPECT_EQ(info.svid_chain_size(), 0); // no SVID source
  EXPECT_EQ(authorizer_.methods().back(), "/spire.api.server.debug.v1.Debug/GetInfo");

  node.spiffe_id = "spiffe://example.org/spire/agent/join_token/b";
  ASSERT_TRUE(fixture_->datastore().createAttestedNode(node).isOk());
  fixture_->advance(std::chrono::seconds(4));
  EXPECT_EQ(getInfo(server_->channel(), &st).agents_count(), 1); // cached
  fixture_->advance(std::chrono::seconds(1));
  info = getInfo(server_->channel(), &st);
  EXPECT_EQ(info.agents_count(), 2);
  EXPECT_EQ(info.uptime(), 47);
}

TEST_F(AdminServicesTest, DebugReportsTheServerSvidChain) {
  auto key = crypto::generateKey(crypto::KeyType::kEcP256).value();
  auto chain = fixture_->ca().signServerX509Svid(key.get());
  ASSERT_TRUE(chain.isOk()) << chain.status().message();
  std::vector<crypto::X509Shared> svid = *chain;
  debug_->setSvidSource([svid] { return svid; });

  grpc::Status st;
  debugv1::GetInfoResponse info = getInfo(server_->channel(), &st);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(info.svid_chain_size(), 2); // the leaf and the CA it verifies to
  EXPECT_EQ(info.svid_chain(0).id().trust_domain(), "example.org");
  EXPECT_EQ(info.svid_chain(0).id().path(), "/spire/server");
  EXPECT_EQ(info.svid_chain(0).expires_at(), std::chrono::duration_cast<std::chrono::seconds>(
                                                 crypto::notAfter(*svid.front()).time_since_epoch())
                                                 .count());
  EXPECT_EQ(info.svid_chain(0).subject(), crypto::subjectName(*svid.front()));
  const auto& ca = *fixture_->ca().snapshot()->x509->certificate;
  EXPECT_EQ(info.svid_chain(1).subject(), crypto::subjectName(ca));
  // The CA's URI SAN is the trust domain ID, so it has an ID with an empty path.
  EXPECT_EQ(info.svid_chain(1).id().trust_domain(), "example.org");
}

TEST_F(AdminServicesTest, DebugRefusesAChainTheBundleDoesNotVouchFor) {
  auto other = spire::testing::TestCa::createRoot("example.org");
  auto leaf = other.issueLeaf();
  debug_->setSvidSource([chain = leaf.chain] { return chain; });
  grpc::Status st;
  getInfo(server_->channel(), &st);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(st.error_message(),
            "failed verification against bundle: x509svid: could not verify leaf certificate: "
            "x509: certificate signed by unknown authority");
}

TEST_F(AdminServicesTest, DebugDeniedCaller) {
  expectDeniedEverywhere();
  grpc::Status st;
  getInfo(server_->channel(), &st);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

} // namespace
} // namespace spire::server::api
