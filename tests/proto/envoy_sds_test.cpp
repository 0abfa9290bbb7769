// The Envoy SDS v3 contract as SPIRE serves it, typed from spiffe-standards.md §7.1 and §7.5
// (and Envoy's discovery.proto for the delta messages, which §7.1 only names).

#include <google/protobuf/any.pb.h>
#include <gtest/gtest.h>

#include "envoy/extensions/transport_sockets/tls/v3/secret.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls_spiffe_validator_config.pb.h"
#include "proto/descriptor_expectations.h"

namespace spire::proto::testing {
namespace {

constexpr std::string_view kTls = "envoy.extensions.transport_sockets.tls.v3.";

constexpr FileExpectation kEnvoyFiles[] = {
    {"envoy/type/v3/semantic_version.proto", "envoy.type.v3"},
    {"envoy/config/core/v3/base.proto", "envoy.config.core.v3"},
    {"envoy/config/core/v3/extension.proto", "envoy.config.core.v3"},
    {"envoy/service/discovery/v3/discovery.proto", "envoy.service.discovery.v3"},
    {"envoy/service/secret/v3/sds.proto", "envoy.service.secret.v3"},
    {"envoy/extensions/transport_sockets/tls/v3/common.proto",
     "envoy.extensions.transport_sockets.tls.v3"},
    {"envoy/extensions/transport_sockets/tls/v3/secret.proto",
     "envoy.extensions.transport_sockets.tls.v3"},
    {"envoy/extensions/transport_sockets/tls/v3/tls_spiffe_validator_config.proto",
     "envoy.extensions.transport_sockets.tls.v3"},
    {"google/rpc/status.proto", "google.rpc"},
};

constexpr FieldExpectation kEnvoyFields[] = {
    {"envoy.service.discovery.v3.DiscoveryRequest", "version_info", 1, "string"},
    {"envoy.service.discovery.v3.DiscoveryRequest", "node", 2, "envoy.config.core.v3.Node"},
    {"envoy.service.discovery.v3.DiscoveryRequest", "resource_names", 3, "repeated string"},
    {"envoy.service.discovery.v3.DiscoveryRequest", "type_url", 4, "string"},
    {"envoy.service.discovery.v3.DiscoveryRequest", "response_nonce", 5, "string"},
    {"envoy.service.discovery.v3.DiscoveryRequest", "error_detail", 6, "google.rpc.Status"},
    {"google.rpc.Status", "code", 1, "int32"},
    {"google.rpc.Status", "message", 2, "string"},
    {"google.rpc.Status", "details", 3, "repeated google.protobuf.Any"},
    {"envoy.service.discovery.v3.DiscoveryResponse", "version_info", 1, "string"},
    {"envoy.service.discovery.v3.DiscoveryResponse", "resources", 2,
     "repeated google.protobuf.Any"},
    {"envoy.service.discovery.v3.DiscoveryResponse", "canary", 3, "bool"},
    {"envoy.service.discovery.v3.DiscoveryResponse", "type_url", 4, "string"},
    {"envoy.service.discovery.v3.DiscoveryResponse", "nonce", 5, "string"},
    {"envoy.service.discovery.v3.DiscoveryResponse", "control_plane", 6,
     "envoy.config.core.v3.ControlPlane"},
    {"envoy.config.core.v3.ControlPlane", "identifier", 1, "string"},
    {"envoy.service.discovery.v3.DeltaDiscoveryRequest", "node", 1, "envoy.config.core.v3.Node"},
    {"envoy.service.discovery.v3.DeltaDiscoveryRequest", "type_url", 2, "string"},
    {"envoy.service.discovery.v3.DeltaDiscoveryRequest", "resource_names_subscribe", 3,
     "repeated string"},
    {"envoy.service.discovery.v3.DeltaDiscoveryRequest", "resource_names_unsubscribe", 4,
     "repeated string"},
    {"envoy.service.discovery.v3.DeltaDiscoveryRequest", "initial_resource_versions", 5,
     "map<string, string>"},
    {"envoy.service.discovery.v3.DeltaDiscoveryRequest", "response_nonce", 6, "string"},
    {"envoy.service.discovery.v3.DeltaDiscoveryRequest", "error_detail", 7, "google.rpc.Status"},
    {"envoy.service.discovery.v3.DeltaDiscoveryResponse", "system_version_info", 1, "string"},
    {"envoy.service.discovery.v3.DeltaDiscoveryResponse", "resources", 2,
     "repeated envoy.service.discovery.v3.Resource"},
    {"envoy.service.discovery.v3.DeltaDiscoveryResponse", "type_url", 4, "string"},
    {"envoy.service.discovery.v3.DeltaDiscoveryResponse", "nonce", 5, "string"},
    {"envoy.service.discovery.v3.DeltaDiscoveryResponse", "removed_resources", 6,
     "repeated string"},
    {"envoy.service.discovery.v3.Resource", "version", 1, "string"},
    {"envoy.service.discovery.v3.Resource", "resource", 2, "google.protobuf.Any"},
    {"envoy.service.discovery.v3.Resource", "name", 3, "string"},
    {"envoy.service.discovery.v3.Resource", "aliases", 4, "repeated string"},
    {"envoy.service.discovery.v3.Resource", "ttl", 6, "google.protobuf.Duration"},
    {"envoy.extensions.transport_sockets.tls.v3.Secret", "name", 1, "string"},
    {"envoy.extensions.transport_sockets.tls.v3.Secret", "tls_certificate", 2,
     "envoy.extensions.transport_sockets.tls.v3.TlsCertificate"},
    {"envoy.extensions.transport_sockets.tls.v3.Secret", "session_ticket_keys", 3,
     "envoy.extensions.transport_sockets.tls.v3.TlsSessionTicketKeys"},
    {"envoy.extensions.transport_sockets.tls.v3.Secret", "validation_context", 4,
     "envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext"},
    {"envoy.extensions.transport_sockets.tls.v3.Secret", "generic_secret", 5,
     "envoy.extensions.transport_sockets.tls.v3.GenericSecret"},
    {"envoy.extensions.transport_sockets.tls.v3.TlsCertificate", "certificate_chain", 1,
     "envoy.config.core.v3.DataSource"},
    {"envoy.extensions.transport_sockets.tls.v3.TlsCertificate", "private_key", 2,
     "envoy.config.core.v3.DataSource"},
    {"envoy.extensions.transport_sockets.tls.v3.TlsCertificate", "password", 3,
     "envoy.config.core.v3.DataSource"},
    {"envoy.extensions.transport_sockets.tls.v3.TlsCertificate", "ocsp_staple", 4,
     "envoy.config.core.v3.DataSource"},
    {"envoy.extensions.transport_sockets.tls.v3.TlsCertificate", "signed_certificate_timestamp", 5,
     "repeated envoy.config.core.v3.DataSource"},
    {"envoy.extensions.transport_sockets.tls.v3.TlsCertificate", "pkcs12", 8,
     "envoy.config.core.v3.DataSource"},
    {"envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext", "trusted_ca", 1,
     "envoy.config.core.v3.DataSource"},
    {"envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext",
     "custom_validator_config", 12, "envoy.config.core.v3.TypedExtensionConfig"},
    {"envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig", "trust_domains", 1,
     "repeated envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig.TrustDomain"},
    {"envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig.TrustDomain", "name", 1,
     "string"},
    {"envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig.TrustDomain",
     "trust_bundle", 2, "envoy.config.core.v3.DataSource"},
    {"envoy.config.core.v3.DataSource", "filename", 1, "string"},
    {"envoy.config.core.v3.DataSource", "inline_bytes", 2, "bytes"},
    {"envoy.config.core.v3.DataSource", "inline_string", 3, "string"},
    {"envoy.config.core.v3.DataSource", "environment_variable", 4, "string"},
    {"envoy.config.core.v3.TypedExtensionConfig", "name", 1, "string"},
    {"envoy.config.core.v3.TypedExtensionConfig", "typed_config", 2, "google.protobuf.Any"},
    {"envoy.config.core.v3.Node", "id", 1, "string"},
    {"envoy.config.core.v3.Node", "cluster", 2, "string"},
    {"envoy.config.core.v3.Node", "metadata", 3, "google.protobuf.Struct"},
    {"envoy.config.core.v3.Node", "locality", 4, "envoy.config.core.v3.Locality"},
    {"envoy.config.core.v3.Node", "user_agent_name", 6, "string"},
    {"envoy.config.core.v3.Node", "user_agent_version", 7, "string"},
    {"envoy.config.core.v3.Node", "user_agent_build_version", 8,
     "envoy.config.core.v3.BuildVersion"},
    {"envoy.config.core.v3.Node", "client_features", 10, "repeated string"},
    {"envoy.config.core.v3.BuildVersion", "version", 1, "envoy.type.v3.SemanticVersion"},
    {"envoy.config.core.v3.BuildVersion", "metadata", 2, "google.protobuf.Struct"},
    {"envoy.type.v3.SemanticVersion", "major_number", 1, "uint32"},
    {"envoy.type.v3.SemanticVersion", "minor_number", 2, "uint32"},
    {"envoy.type.v3.SemanticVersion", "patch", 3, "uint32"},
};

constexpr OneofExpectation kEnvoyOneofs[] = {
    {"envoy.extensions.transport_sockets.tls.v3.Secret", "tls_certificate", "type"},
    {"envoy.extensions.transport_sockets.tls.v3.Secret", "session_ticket_keys", "type"},
    {"envoy.extensions.transport_sockets.tls.v3.Secret", "validation_context", "type"},
    {"envoy.extensions.transport_sockets.tls.v3.Secret", "generic_secret", "type"},
    {"envoy.config.core.v3.DataSource", "filename", "specifier"},
    {"envoy.config.core.v3.DataSource", "inline_bytes", "specifier"},
    {"envoy.config.core.v3.DataSource", "inline_string", "specifier"},
    {"envoy.config.core.v3.DataSource", "environment_variable", "specifier"},
    {"envoy.config.core.v3.Node", "user_agent_version", "user_agent_version_type"},
    {"envoy.config.core.v3.Node", "user_agent_build_version", "user_agent_version_type"},
};

// Numbers Envoy uses for fields this subset leaves out; they must stay reserved so that no
// later edit gives them another meaning.
struct ReservedExpectation {
  std::string_view message;
  int number;
};

constexpr ReservedExpectation kEnvoyReserved[] = {
    {"envoy.service.discovery.v3.DiscoveryRequest", 7}, // resource_locators
    {"envoy.config.core.v3.Node", 5},                   // build_version (removed in v3)
    {"envoy.config.core.v3.Node", 9},                   // extensions
    {"envoy.config.core.v3.Node", 11},                  // listening_addresses
    {"envoy.config.core.v3.Node", 12},                  // dynamic_parameters
    {"envoy.extensions.transport_sockets.tls.v3.TlsCertificate", 6}, // private_key_provider
    {"envoy.extensions.transport_sockets.tls.v3.TlsCertificate", 7}, // watched_directory
    {"envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext", 2},
    {"envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext", 3},
    {"envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext", 6},
    {"envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext", 7},
    {"envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext", 8},
    {"envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext", 9},
    {"envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext", 10},
    {"envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext", 11},
    {"envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext", 13},
    {"envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext", 14},
    {"envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext", 15},
    {"envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext", 16},
};

constexpr MethodExpectation kSdsMethods[] = {
    {"/envoy.service.secret.v3.SecretDiscoveryService/StreamSecrets",
     "envoy.service.discovery.v3.DiscoveryRequest", "envoy.service.discovery.v3.DiscoveryResponse",
     true, true},
    {"/envoy.service.secret.v3.SecretDiscoveryService/FetchSecrets",
     "envoy.service.discovery.v3.DiscoveryRequest", "envoy.service.discovery.v3.DiscoveryResponse",
     false, false},
    {"/envoy.service.secret.v3.SecretDiscoveryService/DeltaSecrets",
     "envoy.service.discovery.v3.DeltaDiscoveryRequest",
     "envoy.service.discovery.v3.DeltaDiscoveryResponse", true, true},
};

TEST(EnvoySdsProto, FilesKeepEnvoyPackages) {
  for (const auto& expected : kEnvoyFiles) {
    EXPECT_EQ(checkFile(expected), "");
  }
}

TEST(EnvoySdsProto, FieldsMatchEnvoy) {
  for (const auto& expected : kEnvoyFields) {
    EXPECT_EQ(checkField(expected), "");
  }
}

TEST(EnvoySdsProto, OneofsMatchEnvoy) {
  for (const auto& expected : kEnvoyOneofs) {
    EXPECT_EQ(checkOneof(expected), "");
  }
}

TEST(EnvoySdsProto, DroppedEnvoyNumbersAreReserved) {
  for (const auto& expected : kEnvoyReserved) {
    const auto* message = linkedPool().FindMessageTypeByName(std::string(expected.message));
    ASSERT_NE(message, nullptr) << expected.message;
    EXPECT_TRUE(message->IsReservedNumber(expected.number))
        << expected.message << " #" << expected.number;
    EXPECT_EQ(message->FindFieldByNumber(expected.number), nullptr)
        << expected.message << " #" << expected.number;
  }
}

TEST(EnvoySdsProto, SecretDiscoveryServiceMethods) {
  std::vector<std::string> paths;
  for (const auto& expected : kSdsMethods) {
    EXPECT_EQ(checkMethod(expected), "");
    paths.emplace_back(expected.path);
  }
  EXPECT_EQ(checkServiceMethodSet("envoy.service.secret.v3.SecretDiscoveryService", paths), "");
}

TEST(EnvoySdsProto, PackedSecretCarriesEnvoyTypeUrl) {
  envoy::extensions::transport_sockets::tls::v3::Secret secret;
  secret.set_name("default");
  google::protobuf::Any any;
  ASSERT_TRUE(any.PackFrom(secret));
  EXPECT_EQ(any.type_url(), "type.googleapis.com/" + std::string(kTls) + "Secret");
}

TEST(EnvoySdsProto, PackedValidatorConfigCarriesEnvoyTypeUrl) {
  envoy::extensions::transport_sockets::tls::v3::SPIFFECertValidatorConfig config;
  config.add_trust_domains()->set_name("example.org");
  google::protobuf::Any any;
  ASSERT_TRUE(any.PackFrom(config));
  EXPECT_EQ(any.type_url(),
            "type.googleapis.com/" + std::string(kTls) + "SPIFFECertValidatorConfig");
}

TEST(EnvoySdsProto, UnpackRefusesAnotherType) {
  envoy::extensions::transport_sockets::tls::v3::SPIFFECertValidatorConfig config;
  google::protobuf::Any any;
  ASSERT_TRUE(any.PackFrom(config));
  envoy::extensions::transport_sockets::tls::v3::Secret secret;
  EXPECT_FALSE(any.UnpackTo(&secret));
}

TEST(EnvoySdsProto, TrustDomainNameMismatchIsReported) {
  EXPECT_EQ(checkField({"envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig",
                        "trust_domains", 1, "repeated string"}),
            "envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig.trust_domains: "
            "type \"repeated "
            "envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig.TrustDomain\" "
            "!= \"repeated string\";");
}

} // namespace
} // namespace spire::proto::testing
