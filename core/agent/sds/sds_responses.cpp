#include "agent/sds/sds_responses.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/go_quote.h"
#include "crypto/certificate.h"
#include "crypto/key.h"
#include "envoy/extensions/transport_sockets/tls/v3/secret.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls_spiffe_validator_config.pb.h"

namespace spire::agent::sds {

namespace {

namespace tls = envoy::extensions::transport_sockets::tls::v3;
using envoy::service::discovery::v3::DiscoveryRequest;
using envoy::service::discovery::v3::DiscoveryResponse;
using BundlePtr = std::shared_ptr<const x509::X509Bundle>;

// The bundles a snapshot carries, by trust-domain ID ("spiffe://td").
std::map<std::string, BundlePtr> bundlesById(const endpoints::IdentitySnapshot& snapshot) {
  std::map<std::string, BundlePtr> bundles;
  if (snapshot.bundle != nullptr) {
    bundles[snapshot.bundle->trustDomain().idString()] = snapshot.bundle;
  }
  for (const BundlePtr& bundle : snapshot.federated_bundles) {
    bundles.emplace(bundle->trustDomain().idString(), bundle);
  }
  return bundles;
}

void packSecret(const tls::Secret& secret, DiscoveryResponse& response) {
  response.add_resources()->PackFrom(secret);
}

// SPIRE's two validationContextBuilders: the SPIFFE validator extension, or plain trusted_ca.
class ValidationContextBuilder {
public:
  ValidationContextBuilder(std::map<std::string, BundlePtr> bundles, bool spiffe)
      : bundles_(std::move(bundles)), spiffe_(spiffe) {}

  Result<tls::Secret> buildOne(const std::string& resource_name,
                               const std::string& trust_domain_id) const {
    auto found = bundles_.find(trust_domain_id);
    if (found == bundles_.end()) {
      // The SPIFFE builder says NotFound, the root-CA one Internal (SPIRE's texts).
      return Status(spiffe_ ? StatusCode::kNotFound : StatusCode::kInternal,
                    "no bundle found for trust domain: " + goQuote(trust_domain_id));
    }
    tls::Secret secret;
    secret.set_name(resource_name);
    const std::string pem = crypto::certificatesToPem(found->second->authorities());
    if (!spiffe_) {
      secret.mutable_validation_context()->mutable_trusted_ca()->set_inline_bytes(pem);
      return secret;
    }
    tls::SPIFFECertValidatorConfig validator;
    addTrustDomain(*found->second, validator);
    setValidator(validator, secret);
    return secret;
  }

  Result<tls::Secret> buildAll(const std::string& resource_name) const {
    if (!spiffe_) {
      return Status(StatusCode::kInternal,
                    "unable to use \"SPIFFE validator\" on Envoy below 1.17");
    }
    // bundles_ is keyed by "spiffe://<name>", so its order is the order of the names.
    tls::SPIFFECertValidatorConfig validator;
    for (const auto& [id, bundle] : bundles_) {
      addTrustDomain(*bundle, validator);
    }
    tls::Secret secret;
    secret.set_name(resource_name);
    setValidator(validator, secret);
    return secret;
  }

private:
  static void addTrustDomain(const x509::X509Bundle& bundle,
                             tls::SPIFFECertValidatorConfig& validator) {
    auto* td = validator.add_trust_domains();
    td->set_name(bundle.trustDomain().name());
    td->mutable_trust_bundle()->set_inline_bytes(crypto::certificatesToPem(bundle.authorities()));
  }

  static void setValidator(const tls::SPIFFECertValidatorConfig& validator, tls::Secret& secret) {
    auto* custom = secret.mutable_validation_context()->mutable_custom_validator_config();
    custom->set_name(std::string(kSpiffeValidatorName));
    custom->mutable_typed_config()->PackFrom(validator);
  }

  std::map<std::string, BundlePtr> bundles_;
  bool spiffe_;
};

Result<tls::Secret> buildTlsCertificate(const x509::X509Svid& svid, const std::string& name) {
  Result<std::string> key = crypto::marshalPkcs8PrivateKeyPem(*svid.private_key);
  if (!key) {
    return Status(StatusCode::kInternal,
                  "unable to marshal private key: " + key.status().message());
  }
  tls::Secret secret;
  secret.set_name(name);
  auto* cert = secret.mutable_tls_certificate();
  cert->mutable_certificate_chain()->set_inline_bytes(crypto::certificatesToPem(svid.certificates));
  cert->mutable_private_key()->set_inline_bytes(std::move(*key));
  return secret;
}

} // namespace

std::optional<bool> parseGoBool(std::string_view text) {
  static const std::set<std::string_view> kTrue = {"1", "t", "T", "TRUE", "true", "True"};
  static const std::set<std::string_view> kFalse = {"0", "f", "F", "FALSE", "false", "False"};
  if (kTrue.contains(text)) {
    return true;
  }
  if (kFalse.contains(text)) {
    return false;
  }
  return std::nullopt;
}

bool useSpiffeValidator(const SdsConfig& config, const envoy::config::core::v3::Node& node) {
  bool disabled = config.disable_spiffe_cert_validation;
  const auto& fields = node.metadata().fields();
  if (auto found = fields.find(std::string(kDisableValidationKey)); found != fields.end()) {
    const google::protobuf::Value& value = found->second;
    if (value.kind_case() == google::protobuf::Value::kBoolValue) {
      disabled = value.bool_value();
    } else if (value.kind_case() == google::protobuf::Value::kStringValue) {
      disabled = parseGoBool(value.string_value()).value_or(disabled);
    }
  }
  if (disabled) {
    return false;
  }
  // SPIRE's supportsSPIFFEAuthExtension: no build version means a recent Envoy.
  if (!node.has_user_agent_build_version()) {
    return true;
  }
  const auto& version = node.user_agent_build_version().version();
  return (version.major_number() == 1 && version.minor_number() > 17) || version.major_number() > 1;
}

Result<DiscoveryResponse> buildResponse(const SdsConfig& config, const DiscoveryRequest& request,
                                        const endpoints::IdentitySnapshot& snapshot,
                                        const std::string& version_info) {
  DiscoveryResponse response;
  response.set_type_url(request.type_url());
  response.set_version_info(version_info);

  std::set<std::string> names;
  for (const std::string& name : request.resource_names()) {
    if (!name.empty()) {
      names.insert(name);
    }
  }
  const bool all = names.empty();
  const ValidationContextBuilder builder(bundlesById(snapshot),
                                         useSpiffeValidator(config, request.node()));

  // Own trust domain first: at most one of by-ID (or everything), ROOTCA, ALL.
  const std::string own_id = config.trust_domain.idString();
  Result<tls::Secret> own = Status(StatusCode::kUnknown, "none");
  bool want_own = true;
  if (all || names.contains(own_id)) {
    own = builder.buildOne(own_id, own_id);
    names.erase(own_id);
  } else if (names.contains(config.default_bundle_name)) {
    own = builder.buildOne(config.default_bundle_name, own_id);
    names.erase(config.default_bundle_name);
  } else if (names.contains(config.default_all_bundles_name)) {
    own = builder.buildAll(config.default_all_bundles_name);
    names.erase(config.default_all_bundles_name);
  } else {
    want_own = false;
  }
  if (want_own) {
    if (!own) {
      return own.status();
    }
    packSecret(*own, response);
  }

  for (const BundlePtr& bundle : snapshot.federated_bundles) {
    const std::string id = bundle->trustDomain().idString();
    if (all || names.contains(id)) {
      Result<tls::Secret> secret = builder.buildOne(id, id);
      if (!secret) {
        return secret.status();
      }
      packSecret(*secret, response);
      names.erase(id);
    }
  }

  for (std::size_t i = 0; i < snapshot.svids.size(); ++i) {
    const x509::X509Svid& svid = *snapshot.svids[i];
    const std::string id = svid.id.toString();
    std::string name;
    if (all || names.contains(id)) {
      name = id;
    } else if (i == 0 && names.contains(config.default_svid_name)) {
      name = config.default_svid_name;
    } else {
      continue;
    }
    Result<tls::Secret> secret = buildTlsCertificate(svid, name);
    if (!secret) {
      return secret.status();
    }
    packSecret(*secret, response);
    names.erase(name);
  }

  if (!names.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "workload is not authorized for the requested identities " +
                      goQuoteList(std::vector<std::string>(names.begin(), names.end())));
  }
  return response;
}

} // namespace spire::agent::sds
