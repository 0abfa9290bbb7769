#pragma once

// A running Endpoints on a socket in a temp dir, a FakeIdentitySource behind it, and clients made
// with our generated stubs over "unix:<path>".

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include "agent/endpoints/endpoints.h"
#include "agent/endpoints/fake_identity_source.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "spiffe/workload/workload.grpc.pb.h"
#include "support/temp_dir.h"
#include "support/test_ca.h"

namespace spire::agent::endpoints::testing {

inline spiffe::TrustDomain td(const std::string& name) {
  return spiffe::TrustDomain::parse(name).value();
}

class EndpointsTest : public ::testing::Test {
protected:
  void SetUp() override { start(); }
  void TearDown() override { endpoints_.reset(); }

  void start(bool allow_unauthenticated_verifiers = false) {
    endpoints_.reset();
    EndpointsConfig config;
    config.socket_path = socket_path_;
    config.workload_api.trust_domain = ca_.trustDomain();
    config.workload_api.allow_unauthenticated_verifiers = allow_unauthenticated_verifiers;
    config.workload_api.allowed_foreign_jwt_claims = {"allowed"};
    endpoints_ = std::make_unique<Endpoints>(config, source_);
    Status started = endpoints_->start();
    ASSERT_TRUE(started.isOk()) << started.toString();
    channel_ = grpc::CreateChannel("unix:" + socket_path_, grpc::InsecureChannelCredentials());
    stub_ = SpiffeWorkloadAPI::NewStub(channel_);
  }

  // SVIDs for the given (path, hint) pairs, the own X.509 and JWT bundles, and optionally the
  // federated trust domain's bundles.
  std::shared_ptr<IdentitySnapshot>
  snapshot(const std::vector<std::pair<std::string, std::string>>& svids,
           bool federated = false) const {
    auto snap = std::make_shared<IdentitySnapshot>();
    for (const auto& [path, hint] : svids) {
      x509::X509Svid svid = ca_.issueSvid(path);
      svid.hint = hint;
      snap->svids.push_back(std::make_shared<const x509::X509Svid>(std::move(svid)));
    }
    snap->bundle = std::make_shared<const x509::X509Bundle>(ca_.bundle());
    snap->jwt_bundle = source_.jwtBundle();
    if (federated) {
      snap->federated_bundles.push_back(std::make_shared<const x509::X509Bundle>(fed_ca_.bundle()));
      snap->federated_jwt_bundles.push_back(fed_source_.jwtBundle());
    }
    return snap;
  }

  // A client context with the security header and a deadline, so no test can hang.
  static std::unique_ptr<grpc::ClientContext> context(bool header = true) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    if (header) {
      ctx->AddMetadata("workload.spiffe.io", "true");
    }
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return ctx;
  }

  spire::testing::TempDir dir_;
  std::string socket_path_ = (dir_.path() / "public" / "api.sock").string();
  spire::testing::TestCa ca_ = spire::testing::TestCa::createRoot("example.org");
  spire::testing::TestCa fed_ca_ = spire::testing::TestCa::createRoot("federated.test");
  FakeIdentitySource source_{ca_.trustDomain()};
  FakeIdentitySource fed_source_{fed_ca_.trustDomain(), "fed-kid"};
  std::unique_ptr<Endpoints> endpoints_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<SpiffeWorkloadAPI::Stub> stub_;
};

// Finish() of a stream that is expected to end without (more) messages.
template <class Response> grpc::Status finishEmpty(grpc::ClientReader<Response>& reader) {
  Response response;
  while (reader.Read(&response)) {
    ADD_FAILURE() << "unexpected message: " << response.ShortDebugString();
  }
  return reader.Finish();
}

#define EXPECT_GRPC_STATUS(status, code_, message_)                                                \
  do {                                                                                             \
    const grpc::Status& s_ = (status);                                                             \
    EXPECT_EQ(s_.error_code(), (code_)) << s_.error_message();                                     \
    EXPECT_EQ(s_.error_message(), (message_));                                                     \
  } while (0)

} // namespace spire::agent::endpoints::testing
