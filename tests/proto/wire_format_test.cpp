// Byte-level checks: messages built by hand from the spec's field numbers must decode into the
// generated classes, and what we encode must be the bytes a peer (go-spiffe, Envoy) expects.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "envoy/extensions/transport_sockets/tls/v3/common.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/secret.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls_spiffe_validator_config.pb.h"
#include "envoy/service/discovery/v3/discovery.pb.h"
#include "spiffe/workload/workload.pb.h"

namespace spire::proto::testing {
namespace {

namespace tls = envoy::extensions::transport_sockets::tls::v3;

// Minimal protobuf encoder, so the expected bytes come from the spec, not from libprotobuf.
std::string varint(uint64_t value) {
  std::string out;
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
  return out;
}

std::string varintField(int number, uint64_t value) {
  return varint(static_cast<uint64_t>(number) << 3) + varint(value);
}

std::string bytesField(int number, std::string_view payload) {
  return varint((static_cast<uint64_t>(number) << 3) | 2) + varint(payload.size()) +
         std::string(payload);
}

// A google.protobuf.Struct with one bool entry: fields(1) is a map entry {key(1), value(2)},
// and Value.bool_value is field 4.
std::string structWithBool(std::string_view key, bool value) {
  return bytesField(1, bytesField(1, key) + bytesField(2, varintField(4, value ? 1 : 0)));
}

constexpr std::string_view kSecretTypeUrl =
    "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";
constexpr std::string_view kValidatorTypeUrl =
    "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig";

TEST(WireFormat, X509SvidResponseDecodesFromStandardNumbers) {
  const auto svid = bytesField(1, "spiffe://example.org/web") + bytesField(2, "\x30\x82") +
                    bytesField(3, "key") + bytesField(4, "bundle") + bytesField(5, "internal");
  const auto federated = bytesField(1, "spiffe://other.org") + bytesField(2, "fed");
  const auto wire = bytesField(1, svid) + bytesField(2, "crl") + bytesField(3, federated);

  X509SVIDResponse response;
  ASSERT_TRUE(response.ParseFromString(wire));
  ASSERT_EQ(response.svids_size(), 1);
  EXPECT_EQ(response.svids(0).spiffe_id(), "spiffe://example.org/web");
  EXPECT_EQ(response.svids(0).x509_svid(), "\x30\x82");
  EXPECT_EQ(response.svids(0).x509_svid_key(), "key");
  EXPECT_EQ(response.svids(0).bundle(), "bundle");
  EXPECT_EQ(response.svids(0).hint(), "internal");
  ASSERT_EQ(response.crl_size(), 1);
  EXPECT_EQ(response.crl(0), "crl");
  ASSERT_EQ(response.federated_bundles().count("spiffe://other.org"), 1U);
  EXPECT_EQ(response.federated_bundles().at("spiffe://other.org"), "fed");
}

TEST(WireFormat, DerBytesAreNotUtf8Checked) {
  // x509_svid is `bytes`: arbitrary DER must decode.
  const std::string_view der("\xff\xfe\x00\x01", 4);
  X509SVID svid;
  EXPECT_TRUE(svid.ParseFromString(bytesField(2, der)));
  EXPECT_EQ(svid.x509_svid(), der);
}

TEST(WireFormat, InvalidUtf8InStringFieldIsRejected) {
  // spiffe_id is a proto3 `string`: libprotobuf refuses invalid UTF-8 there.
  X509SVID svid;
  EXPECT_FALSE(svid.ParseFromString(bytesField(1, "\xff\xfe")));
}

TEST(WireFormat, TruncatedMessageIsRejected) {
  auto wire = bytesField(1, bytesField(1, "spiffe://example.org/web"));
  wire.pop_back();
  X509SVIDResponse response;
  EXPECT_FALSE(response.ParseFromString(wire));
}

TEST(WireFormat, LengthBeyondBufferIsRejected) {
  // Tag of field 1 (length-delimited), a length of 100, then only 3 bytes.
  const auto wire = varint((1U << 3) | 2) + varint(100) + "abc";
  JWTSVIDRequest request;
  EXPECT_FALSE(request.ParseFromString(wire));
}

TEST(WireFormat, TlsCertificateSecretEncodesAsEnvoyExpects) {
  tls::Secret secret;
  secret.set_name("default");
  secret.mutable_tls_certificate()->mutable_certificate_chain()->set_inline_bytes("CHAIN");
  secret.mutable_tls_certificate()->mutable_private_key()->set_inline_bytes("KEY");

  const auto expected =
      bytesField(1, "default") +
      bytesField(2, bytesField(1, bytesField(2, "CHAIN")) + bytesField(2, bytesField(2, "KEY")));
  EXPECT_EQ(secret.SerializeAsString(), expected);
}

TEST(WireFormat, SpiffeValidatorSecretEncodesAsEnvoyExpects) {
  tls::SPIFFECertValidatorConfig config;
  auto* domain = config.add_trust_domains();
  domain->set_name("example.org");
  domain->mutable_trust_bundle()->set_inline_bytes("PEM");

  tls::Secret secret;
  secret.set_name("ALL");
  auto* validator = secret.mutable_validation_context()->mutable_custom_validator_config();
  validator->set_name("envoy.tls.cert_validator.spiffe");
  ASSERT_TRUE(validator->mutable_typed_config()->PackFrom(config));

  const auto config_bytes =
      bytesField(1, bytesField(1, "example.org") + bytesField(2, bytesField(2, "PEM")));
  const auto any_bytes = bytesField(1, kValidatorTypeUrl) + bytesField(2, config_bytes);
  const auto extension =
      bytesField(1, "envoy.tls.cert_validator.spiffe") + bytesField(2, any_bytes);
  const auto expected = bytesField(1, "ALL") + bytesField(4, bytesField(12, extension));
  EXPECT_EQ(secret.SerializeAsString(), expected);
}

TEST(WireFormat, RootCaSecretEncodesAsEnvoyExpects) {
  tls::Secret secret;
  secret.set_name("ROOTCA");
  secret.mutable_validation_context()->mutable_trusted_ca()->set_inline_bytes("PEM");
  EXPECT_EQ(secret.SerializeAsString(),
            bytesField(1, "ROOTCA") + bytesField(4, bytesField(1, bytesField(2, "PEM"))));
}

TEST(WireFormat, EnvoyDiscoveryRequestDecodes) {
  const auto build_version = bytesField(1, varintField(1, 1) + varintField(2, 28));
  const auto node = bytesField(1, "sidecar~10.0.0.1") + bytesField(2, "web") +
                    bytesField(3, structWithBool("disable_spiffe_cert_validation", true)) +
                    bytesField(6, "envoy") + bytesField(8, build_version);
  const auto wire = bytesField(1, "3") + bytesField(2, node) + bytesField(3, "default") +
                    bytesField(3, "ROOTCA") + bytesField(4, kSecretTypeUrl) +
                    bytesField(5, "0a1b2c3d");

  envoy::service::discovery::v3::DiscoveryRequest request;
  ASSERT_TRUE(request.ParseFromString(wire));
  EXPECT_EQ(request.version_info(), "3");
  EXPECT_EQ(request.node().id(), "sidecar~10.0.0.1");
  EXPECT_EQ(request.node().cluster(), "web");
  EXPECT_EQ(request.node().user_agent_name(), "envoy");
  ASSERT_TRUE(request.node().has_user_agent_build_version());
  EXPECT_EQ(request.node().user_agent_build_version().version().major_number(), 1U);
  EXPECT_EQ(request.node().user_agent_build_version().version().minor_number(), 28U);
  EXPECT_EQ(request.node().user_agent_build_version().version().patch(), 0U);
  const auto& fields = request.node().metadata().fields();
  ASSERT_EQ(fields.count("disable_spiffe_cert_validation"), 1U);
  EXPECT_TRUE(fields.at("disable_spiffe_cert_validation").bool_value());
  ASSERT_EQ(request.resource_names_size(), 2);
  EXPECT_EQ(request.resource_names(0), "default");
  EXPECT_EQ(request.resource_names(1), "ROOTCA");
  EXPECT_EQ(request.type_url(), kSecretTypeUrl);
  EXPECT_EQ(request.response_nonce(), "0a1b2c3d");
}

TEST(WireFormat, EnvoyNackCarriesErrorDetail) {
  const auto status = varintField(1, 3) + bytesField(2, "bad secret");
  envoy::service::discovery::v3::DiscoveryRequest request;
  ASSERT_TRUE(request.ParseFromString(bytesField(5, "n1") + bytesField(6, status)));
  EXPECT_EQ(request.error_detail().code(), 3);
  EXPECT_EQ(request.error_detail().message(), "bad secret");
}

TEST(WireFormat, FieldsWeDoNotModelSurviveARoundTrip) {
  // DataSource field 5 (watched_directory in newer Envoy) is unknown to us: kept, not lost.
  const auto wire = bytesField(2, "PEM") + bytesField(5, bytesField(1, "/etc/certs"));
  envoy::config::core::v3::DataSource source;
  ASSERT_TRUE(source.ParseFromString(wire));
  EXPECT_EQ(source.inline_bytes(), "PEM");
  EXPECT_EQ(source.SerializeAsString(), wire);
}

TEST(WireFormat, ReservedNodeFieldsFromEnvoyStillDecode) {
  // Node.extensions (9) and client_features (10) as a current Envoy sends them.
  const auto extension =
      bytesField(1, "envoy.tls.cert_validator.spiffe") + bytesField(2, "envoy.tls.cert_validator");
  const auto wire = bytesField(1, "node") + bytesField(9, extension) +
                    bytesField(10, "envoy.lb.does_not_support_overprovisioning");
  envoy::config::core::v3::Node node;
  ASSERT_TRUE(node.ParseFromString(wire));
  EXPECT_EQ(node.id(), "node");
  ASSERT_EQ(node.client_features_size(), 1);
  EXPECT_EQ(node.client_features(0), "envoy.lb.does_not_support_overprovisioning");
}

TEST(WireFormat, DiscoveryResponseResourcesAreAnys) {
  tls::Secret secret;
  secret.set_name("spiffe://example.org");
  envoy::service::discovery::v3::DiscoveryResponse response;
  response.set_version_info("1");
  ASSERT_TRUE(response.add_resources()->PackFrom(secret));
  response.set_type_url(std::string(kSecretTypeUrl));
  response.set_nonce("deadbeef");

  const auto any_bytes =
      bytesField(1, kSecretTypeUrl) + bytesField(2, bytesField(1, "spiffe://example.org"));
  const auto expected = bytesField(1, "1") + bytesField(2, any_bytes) +
                        bytesField(4, kSecretTypeUrl) + bytesField(5, "deadbeef");
  EXPECT_EQ(response.SerializeAsString(), expected);
}

} // namespace
} // namespace spire::proto::testing
