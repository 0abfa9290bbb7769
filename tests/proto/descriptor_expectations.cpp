#include "proto/descriptor_expectations.h"

#include <algorithm>
#include <set>

#include "envoy/config/core/v3/base.pb.h"
#include "envoy/config/core/v3/extension.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/common.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/secret.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls_spiffe_validator_config.pb.h"
#include "envoy/service/discovery/v3/discovery.pb.h"
#include "envoy/service/secret/v3/sds.pb.h"
#include "envoy/type/v3/semantic_version.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.pb.h"
#include "spiffe/workload/workload.pb.h"
#include "spire/api/agent/debug/v1/debug.pb.h"
#include "spire/api/agent/delegatedidentity/v1/delegatedidentity.pb.h"
#include "spire/api/agent/logger/v1/logger.pb.h"
#include "spire/api/server/agent/v1/agent.pb.h"
#include "spire/api/server/bundle/v1/bundle.pb.h"
#include "spire/api/server/debug/v1/debug.pb.h"
#include "spire/api/server/entry/v1/entry.pb.h"
#include "spire/api/server/localauthority/v1/localauthority.pb.h"
#include "spire/api/server/logger/v1/logger.pb.h"
#include "spire/api/server/svid/v1/svid.pb.h"
#include "spire/api/server/trustdomain/v1/trustdomain.pb.h"
#include "spire/api/types/agent.pb.h"
#include "spire/api/types/attestation.pb.h"
#include "spire/api/types/bundle.pb.h"
#include "spire/api/types/entry.pb.h"
#include "spire/api/types/federateswith.pb.h"
#include "spire/api/types/federationrelationship.pb.h"
#include "spire/api/types/jointoken.pb.h"
#include "spire/api/types/jwtsvid.pb.h"
#include "spire/api/types/logger.pb.h"
#include "spire/api/types/selector.pb.h"
#include "spire/api/types/spiffeid.pb.h"
#include "spire/api/types/status.pb.h"
#include "spire/api/types/x509svid.pb.h"

namespace spire::proto::testing {
namespace {

using google::protobuf::FieldDescriptor;

std::string quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

std::string baseTypeName(const FieldDescriptor& field) {
  switch (field.type()) {
  case FieldDescriptor::TYPE_MESSAGE:
  case FieldDescriptor::TYPE_GROUP:
    return field.message_type()->full_name();
  case FieldDescriptor::TYPE_ENUM:
    return field.enum_type()->full_name();
  default:
    return field.type_name();
  }
}

} // namespace

const google::protobuf::DescriptorPool& linkedPool() {
  // One message per .proto file; calling descriptor() forces the object file into the link.
  static const bool linked = [] {
    const google::protobuf::Descriptor* anchors[] = {
        ::X509SVIDRequest::descriptor(),
        spire::api::types::Agent::descriptor(),
        spire::api::types::AttestationData::descriptor(),
        spire::api::types::Bundle::descriptor(),
        spire::api::types::Entry::descriptor(),
        spire::api::types::FederatesWithMatch::descriptor(),
        spire::api::types::FederationRelationship::descriptor(),
        spire::api::types::JoinToken::descriptor(),
        spire::api::types::JWTSVID::descriptor(),
        spire::api::types::Logger::descriptor(),
        spire::api::types::Selector::descriptor(),
        spire::api::types::SPIFFEID::descriptor(),
        spire::api::types::Status::descriptor(),
        spire::api::types::X509SVID::descriptor(),
        spire::api::server::agent::v1::CountAgentsRequest::descriptor(),
        spire::api::server::bundle::v1::CountBundlesRequest::descriptor(),
        spire::api::server::debug::v1::GetInfoRequest::descriptor(),
        spire::api::server::entry::v1::CountEntriesRequest::descriptor(),
        spire::api::server::localauthority::v1::AuthorityState::descriptor(),
        spire::api::server::logger::v1::GetLoggerRequest::descriptor(),
        spire::api::server::svid::v1::MintX509SVIDRequest::descriptor(),
        spire::api::server::trustdomain::v1::RefreshBundleRequest::descriptor(),
        spire::agent::debug::v1::GetInfoRequest::descriptor(),
        spire::api::agent::delegatedidentity::v1::X509SVIDWithKey::descriptor(),
        spire::api::agent::logger::v1::GetLoggerRequest::descriptor(),
        envoy::type::v3::SemanticVersion::descriptor(),
        envoy::config::core::v3::Node::descriptor(),
        envoy::config::core::v3::TypedExtensionConfig::descriptor(),
        envoy::service::discovery::v3::DiscoveryRequest::descriptor(),
        envoy::service::secret::v3::SdsDummy::descriptor(),
        envoy::extensions::transport_sockets::tls::v3::TlsCertificate::descriptor(),
        envoy::extensions::transport_sockets::tls::v3::Secret::descriptor(),
        envoy::extensions::transport_sockets::tls::v3::SPIFFECertValidatorConfig::descriptor(),
        google::rpc::Status::descriptor(),
        grpc::health::v1::HealthCheckRequest::descriptor(),
    };
    return std::all_of(std::begin(anchors), std::end(anchors),
                       [](const auto* descriptor) { return descriptor != nullptr; });
  }();
  (void)linked;
  return *google::protobuf::DescriptorPool::generated_pool();
}

std::string describeFieldType(const FieldDescriptor& field) {
  if (field.is_map()) {
    const auto* entry = field.message_type();
    return "map<" + baseTypeName(*entry->map_key()) + ", " + baseTypeName(*entry->map_value()) +
           ">";
  }
  return (field.is_repeated() ? "repeated " : "") + baseTypeName(field);
}

std::string checkField(const FieldExpectation& expected) {
  const auto* message = linkedPool().FindMessageTypeByName(std::string(expected.message));
  if (message == nullptr) {
    return "no message " + quoted(expected.message);
  }
  const auto* field = message->FindFieldByName(std::string(expected.field));
  if (field == nullptr) {
    return quoted(expected.message) + " has no field " + quoted(expected.field);
  }
  std::string problems;
  if (field->number() != expected.number) {
    problems += " number " + std::to_string(field->number()) +
                " != " + std::to_string(expected.number) + ";";
  }
  if (const auto type = describeFieldType(*field); type != expected.type) {
    problems += " type " + quoted(type) + " != " + quoted(expected.type) + ";";
  }
  if (!problems.empty()) {
    return std::string(expected.message) + "." + std::string(expected.field) + ":" + problems;
  }
  return "";
}

std::string checkOneof(const OneofExpectation& expected) {
  const auto* message = linkedPool().FindMessageTypeByName(std::string(expected.message));
  if (message == nullptr) {
    return "no message " + quoted(expected.message);
  }
  const auto* field = message->FindFieldByName(std::string(expected.field));
  if (field == nullptr) {
    return quoted(expected.message) + " has no field " + quoted(expected.field);
  }
  const auto* oneof = field->real_containing_oneof();
  if (oneof == nullptr) {
    return std::string(expected.field) + " is not in a oneof";
  }
  if (oneof->name() != expected.oneof) {
    return std::string(expected.field) + " is in oneof " + quoted(oneof->name()) + ", not " +
           quoted(expected.oneof);
  }
  return "";
}

std::string checkMethod(const MethodExpectation& expected) {
  const auto path = std::string(expected.path);
  const auto slash = path.find('/', 1);
  if (path.empty() || path.front() != '/' || slash == std::string::npos) {
    return "malformed path " + quoted(path);
  }
  const auto service_name = path.substr(1, slash - 1);
  const auto method_name = path.substr(slash + 1);
  const auto* service = linkedPool().FindServiceByName(service_name);
  if (service == nullptr) {
    return "no service " + quoted(service_name);
  }
  const auto* method = service->FindMethodByName(method_name);
  if (method == nullptr) {
    return quoted(service_name) + " has no method " + quoted(method_name);
  }
  std::string problems;
  // gRPC builds the path from the service's full name and the method name.
  if (const auto actual_path = "/" + service->full_name() + "/" + method->name();
      actual_path != path) {
    problems += " path " + quoted(actual_path) + ";";
  }
  if (method->full_name() != service_name + "." + method_name) {
    problems += " full_name " + quoted(method->full_name()) + ";";
  }
  if (method->input_type()->full_name() != expected.input) {
    problems += " input " + quoted(method->input_type()->full_name()) + ";";
  }
  if (method->output_type()->full_name() != expected.output) {
    problems += " output " + quoted(method->output_type()->full_name()) + ";";
  }
  if (method->client_streaming() != expected.client_streaming) {
    problems += " client_streaming is " + std::to_string(method->client_streaming()) + ";";
  }
  if (method->server_streaming() != expected.server_streaming) {
    problems += " server_streaming is " + std::to_string(method->server_streaming()) + ";";
  }
  if (!problems.empty()) {
    return path + ":" + problems;
  }
  return "";
}

std::string checkEnumValue(const EnumValueExpectation& expected) {
  const auto* enum_type = linkedPool().FindEnumTypeByName(std::string(expected.enum_name));
  if (enum_type == nullptr) {
    return "no enum " + quoted(expected.enum_name);
  }
  const auto* value = enum_type->FindValueByName(std::string(expected.value));
  if (value == nullptr) {
    return quoted(expected.enum_name) + " has no value " + quoted(expected.value);
  }
  if (value->number() != expected.number) {
    return std::string(expected.enum_name) + "." + std::string(expected.value) + " is " +
           std::to_string(value->number()) + ", not " + std::to_string(expected.number);
  }
  return "";
}

std::string checkFile(const FileExpectation& expected) {
  const auto* file = linkedPool().FindFileByName(std::string(expected.path));
  if (file == nullptr) {
    return "no file " + quoted(expected.path);
  }
  if (file->package() != expected.package) {
    return std::string(expected.path) + " has package " + quoted(file->package()) + ", not " +
           quoted(expected.package);
  }
  if (file->syntax() != google::protobuf::FileDescriptor::SYNTAX_PROTO3) {
    return std::string(expected.path) + " is not proto3";
  }
  return "";
}

std::string checkServiceMethodSet(std::string_view service_name,
                                  const std::vector<std::string>& paths) {
  const auto* service = linkedPool().FindServiceByName(std::string(service_name));
  if (service == nullptr) {
    return "no service " + quoted(service_name);
  }
  std::set<std::string> expected;
  const auto prefix = "/" + std::string(service_name) + "/";
  for (const auto& path : paths) {
    if (path.rfind(prefix, 0) == 0) {
      expected.insert(path.substr(prefix.size()));
    }
  }
  std::set<std::string> declared;
  for (int i = 0; i < service->method_count(); ++i) {
    declared.insert(service->method(i)->name());
  }
  std::string problems;
  for (const auto& name : declared) {
    if (expected.count(name) == 0) {
      problems += " undeclared-in-spec " + name + ";";
    }
  }
  for (const auto& name : expected) {
    if (declared.count(name) == 0) {
      problems += " missing " + name + ";";
    }
  }
  return problems.empty() ? "" : std::string(service_name) + ":" + problems;
}

} // namespace spire::proto::testing
