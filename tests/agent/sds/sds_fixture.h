#pragma once

// A running Endpoints with the SDS service added, on a socket in a temp dir, a FakeIdentitySource
// behind it, and an SDS client made with the generated stub over "unix:<path>". Log lines of the
// service are collected for the NACK / stale-nonce checks.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include "agent/endpoints/endpoints.h"
#include "agent/endpoints/fake_identity_source.h"
#include "agent/sds/sds_service.h"
#include "envoy/extensions/transport_sockets/tls/v3/secret.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls_spiffe_validator_config.pb.h"
#include "support/temp_dir.h"
#include "support/test_ca.h"

namespace spire::agent::sds::testing {

namespace tls = envoy::extensions::transport_sockets::tls::v3;
using endpoints::testing::FakeIdentitySource;
using envoy::service::discovery::v3::DiscoveryRequest;
using envoy::service::discovery::v3::DiscoveryResponse;
using envoy::service::secret::v3::SecretDiscoveryService;

inline constexpr char kSecretType[] =
    "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";

inline DiscoveryRequest request(const std::vector<std::string>& names) {
  DiscoveryRequest req;
  req.set_type_url(kSecretType);
  for (const std::string& name : names) {
    req.add_resource_names(name);
  }
  return req;
}

// The Secrets of a response, unpacked.
inline std::vector<tls::Secret> secrets(const DiscoveryResponse& response) {
  std::vector<tls::Secret> out;
  for (const auto& any : response.resources()) {
    tls::Secret secret;
    EXPECT_TRUE(any.UnpackTo(&secret)) << any.type_url();
    out.push_back(secret);
  }
  return out;
}

inline std::vector<std::string> names(const DiscoveryResponse& response) {
  std::vector<std::string> out;
  for (const tls::Secret& secret : secrets(response)) {
    out.push_back(secret.name());
  }
  return out;
}

class SdsTest : public ::testing::Test {
protected:
  void SetUp() override {
    source_.publish(snapshot({"/a", "/b"}, /*federated=*/true));
    endpoints::EndpointsConfig config;
    config.socket_path = socket_path_;
    config.workload_api.trust_domain = ca_.trustDomain();
    endpoints_ = std::make_unique<endpoints::Endpoints>(config, source_);
    SdsConfig sds_config;
    sds_config.trust_domain = ca_.trustDomain();
    sds_config.log = [this](std::string_view line) {
      std::lock_guard<std::mutex> lock(log_mutex_);
      log_.emplace_back(line);
    };
    sds_ = std::make_unique<SdsService>(sds_config, source_, endpoints_->peers());
    endpoints_->addService(*sds_);
    Status started = endpoints_->start();
    ASSERT_TRUE(started.isOk()) << started.toString();
    channel_ = grpc::CreateChannel("unix:" + socket_path_, grpc::InsecureChannelCredentials());
    stub_ = SecretDiscoveryService::NewStub(channel_);
  }

  void TearDown() override {
    sds_->shutdown();
    endpoints_.reset();
    sds_.reset();
  }

  std::shared_ptr<endpoints::IdentitySnapshot> snapshot(const std::vector<std::string>& paths,
                                                        bool federated = false) const {
    auto snap = std::make_shared<endpoints::IdentitySnapshot>();
    for (const std::string& path : paths) {
      snap->svids.push_back(std::make_shared<const x509::X509Svid>(ca_.issueSvid(path)));
    }
    snap->bundle = std::make_shared<const x509::X509Bundle>(ca_.bundle());
    if (federated) {
      snap->federated_bundles.push_back(std::make_shared<const x509::X509Bundle>(fed_ca_.bundle()));
    }
    return snap;
  }

  // A deadline on every call, so that no test can hang. No workload.spiffe.io header: SDS does
  // not need it.
  static std::unique_ptr<grpc::ClientContext> context() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return ctx;
  }

  std::vector<std::string> logLines() {
    std::lock_guard<std::mutex> lock(log_mutex_);
    return log_;
  }

  spire::testing::TempDir dir_;
  std::string socket_path_ = (dir_.path() / "public" / "api.sock").string();
  spire::testing::TestCa ca_ = spire::testing::TestCa::createRoot("example.org");
  spire::testing::TestCa fed_ca_ = spire::testing::TestCa::createRoot("federated.test");
  FakeIdentitySource source_{ca_.trustDomain()};
  std::unique_ptr<endpoints::Endpoints> endpoints_;
  std::unique_ptr<SdsService> sds_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<SecretDiscoveryService::Stub> stub_;
  std::mutex log_mutex_;
  std::vector<std::string> log_;
};

#define EXPECT_GRPC_STATUS(status, code_, message_)                                                \
  do {                                                                                             \
    const grpc::Status& s_ = (status);                                                             \
    EXPECT_EQ(s_.error_code(), (code_)) << s_.error_message();                                     \
    EXPECT_EQ(s_.error_message(), (message_));                                                     \
  } while (0)

} // namespace spire::agent::sds::testing
