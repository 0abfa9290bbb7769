#include "config/server_config.h"

#include <algorithm>
#include <cctype>

namespace spire::config {
namespace {

const std::vector<KeyType> kAllKeyTypes = {KeyType::kRsa2048, KeyType::kRsa4096, KeyType::kEcP256,
                                           KeyType::kEcP384};

bool startsWithHttps(const std::string& url) {
  std::string prefix = url.substr(0, 8);
  std::transform(prefix.begin(), prefix.end(), prefix.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return prefix == "https://";
}

void decodeExperimental(BlockReader& r, ServerExperimentalConfig& out) {
  r.readDuration("cache_reload_interval", out.cache_reload_interval);
  r.readBool("events_based_cache", out.events_based_cache);
  r.readDuration("full_cache_reload_interval", out.full_cache_reload_interval);
  r.readDuration("prune_events_older_than", out.prune_events_older_than);
  r.readDuration("event_timeout", out.event_timeout);
  r.readBool("agent_spiffe_id_as_selector", out.agent_spiffe_id_as_selector);
  if (auto opa = r.block("auth_opa_policy_engine")) {
    AuthOpaPolicyEngineConfig engine;
    if (auto local = opa->block("local")) {
      OpaLocalConfig config;
      local->readString("rego_path", config.rego_path);
      local->readString("policy_data_path", config.policy_data_path);
      local->finish();
      engine.local = std::move(config);
    }
    opa->finish();
    out.auth_opa_policy_engine = std::move(engine);
  }
  r.readString("named_pipe_name", out.named_pipe_name);
  r.readBool("require_pq_kem", out.require_pq_kem);
  r.readOptionalDuration("sql_transaction_timeout", out.sql_transaction_timeout);
  r.readString("wit_issuer", out.wit_issuer);
  KeyType wit_key_type = KeyType::kEcP256;
  if (decodeKeyType(r, "wit_key_type", kAllKeyTypes, wit_key_type)) {
    out.wit_key_type = wit_key_type;
  }
  r.readStringList("feature_flags", out.feature_flags);
  r.finish();
}

void decodeProfileBody(LabelledBlock& profile, BundleEndpointConfig& out) {
  BlockReader& body = profile.body;
  if (profile.label == "https_spiffe") {
    out.profile = BundleEndpointProfile::kHttpsSpiffe;
  } else if (profile.label == "https_web") {
    out.profile = BundleEndpointProfile::kHttpsWeb;
    if (auto acme = body.block("acme")) {
      AcmeConfig config;
      acme->readString("directory_url", config.directory_url);
      acme->readString("domain_name", config.domain_name);
      acme->readString("email", config.email);
      acme->readBool("tos_accepted", config.tos_accepted);
      if (config.domain_name.empty()) {
        acme->failBlock("domain_name must be configured");
      }
      if (config.email.empty()) {
        acme->failBlock("email must be configured");
      }
      acme->finish();
      out.acme = std::move(config);
    }
    if (auto file = body.block("serving_cert_file")) {
      ServingCertFileConfig config;
      file->readString("cert_file_path", config.cert_file_path);
      file->readString("key_file_path", config.key_file_path);
      file->readDuration("file_sync_interval", config.file_sync_interval);
      if (config.cert_file_path.empty()) {
        file->failBlock("cert_file_path must be configured");
      }
      if (config.key_file_path.empty()) {
        file->failBlock("key_file_path must be configured");
      }
      file->finish();
      out.serving_cert_file = std::move(config);
    }
    if (out.acme.has_value() == out.serving_cert_file.has_value()) {
      body.failBlock("exactly one of acme or serving_cert_file must be configured");
    }
  } else {
    body.context().addError(
        body.path() + ": unknown bundle endpoint profile " + quote(profile.label) +
        "; expected \"https_spiffe\" or \"https_web\" at " + profile.position.toString());
    return;
  }
  body.finish();
}

void decodeBundleEndpoint(BlockReader& r, BundleEndpointConfig& out) {
  r.readString("address", out.address);
  r.readPort("port", out.port);
  r.readDuration("refresh_hint", out.refresh_hint);
  std::vector<LabelledBlock> profiles = r.labelledBlocks("profile");
  if (profiles.size() > 1) {
    r.fail("profile", "only one bundle endpoint profile can be configured, got " +
                          std::to_string(profiles.size()));
  } else if (profiles.size() == 1) {
    out.profile_configured = true;
    decodeProfileBody(profiles.front(), out);
  }
  r.finish();
}

void decodeFederatesWith(LabelledBlock& entry, FederatesWithConfig& out) {
  BlockReader& body = entry.body;
  out.trust_domain = entry.label;
  out.position = entry.position;
  if (body.readString("bundle_endpoint_url", out.bundle_endpoint_url)) {
    if (!startsWithHttps(out.bundle_endpoint_url)) {
      body.fail("bundle_endpoint_url",
                "must use the HTTPS protocol; URL found: " + quote(out.bundle_endpoint_url));
    }
  } else {
    body.failBlock("bundle_endpoint_url must be configured");
  }
  std::vector<LabelledBlock> profiles = body.labelledBlocks("bundle_endpoint_profile");
  if (profiles.size() != 1) {
    body.failBlock("exactly one bundle_endpoint_profile is expected, got " +
                   std::to_string(profiles.size()));
  } else {
    LabelledBlock& profile = profiles.front();
    if (profile.label == "https_web") {
      out.profile = BundleEndpointProfile::kHttpsWeb;
      profile.body.finish();
    } else if (profile.label == "https_spiffe") {
      out.profile = BundleEndpointProfile::kHttpsSpiffe;
      if (!profile.body.readString("endpoint_spiffe_id", out.endpoint_spiffe_id) ||
          out.endpoint_spiffe_id.empty()) {
        profile.body.failBlock("endpoint_spiffe_id must be configured");
      }
      profile.body.finish();
    } else {
      body.context().addError(
          profile.body.path() + ": unknown bundle endpoint profile " + quote(profile.label) +
          "; expected \"https_spiffe\" or \"https_web\" at " + profile.position.toString());
    }
  }
  body.finish();
}

void decodeFederation(BlockReader& r, FederationConfig& out) {
  if (auto endpoint = r.block("bundle_endpoint")) {
    BundleEndpointConfig config;
    decodeBundleEndpoint(*endpoint, config);
    out.bundle_endpoint = std::move(config);
  }
  for (auto& entry : r.labelledBlocks("federates_with")) {
    bool duplicate =
        std::any_of(out.federates_with.begin(), out.federates_with.end(),
                    [&](const FederatesWithConfig& c) { return c.trust_domain == entry.label; });
    if (duplicate) {
      r.context().addError(entry.body.path() + ": trust domain configured more than once at " +
                           entry.position.toString());
      continue;
    }
    FederatesWithConfig config;
    decodeFederatesWith(entry, config);
    out.federates_with.push_back(std::move(config));
  }
  r.finish();
}

} // namespace

void decodeServer(BlockReader& r, ServerConfig& out) {
  r.readString("trust_domain", out.trust_domain);
  r.readString("bind_address", out.bind_address);
  r.readPort("bind_port", out.bind_port);
  r.readString("socket_path", out.socket_path);
  r.readString("data_dir", out.data_dir);
  r.readStringList("admin_ids", out.admin_ids);
  r.readOptionalDuration("agent_ttl", out.agent_ttl);
  r.readBool("audit_log_enabled", out.audit_log_enabled);
  decodeKeyType(r, "ca_key_type", kAllKeyTypes, out.ca_key_type);
  out.jwt_key_type = out.ca_key_type;
  decodeKeyType(r, "jwt_key_type", kAllKeyTypes, out.jwt_key_type);
  if (auto subject = r.block("ca_subject")) {
    CaSubjectConfig config{{}, {}, {}};
    subject->readStringList("country", config.country);
    subject->readStringList("organization", config.organization);
    subject->readString("common_name", config.common_name);
    subject->finish();
    // SPIRE keeps its default subject when the block is present but empty (RFC 3280 wants an
    // issuer DN), so only a non-empty block replaces it.
    if (!config.country.empty() || !config.organization.empty() || !config.common_name.empty()) {
      out.ca_subject = std::move(config);
    }
  }
  r.readDuration("ca_ttl", out.ca_ttl);
  r.readDuration("default_x509_svid_ttl", out.default_x509_svid_ttl);
  r.readDuration("default_jwt_svid_ttl", out.default_jwt_svid_ttl);
  r.readString("jwt_issuer", out.jwt_issuer);
  r.readBool("disable_jwt_svids", out.disable_jwt_svids);
  if (auto federation = r.block("federation")) {
    FederationConfig config;
    decodeFederation(*federation, config);
    out.federation = std::move(config);
  }
  decodeLogOptions(r, out.log);
  r.readOptionalDuration("prune_attested_nodes_expired_for", out.prune_attested_nodes_expired_for);
  if (r.readInt("prune_attested_nodes_batch_size", out.prune_attested_nodes_batch_size) &&
      out.prune_attested_nodes_batch_size <= 0) {
    r.fail("prune_attested_nodes_batch_size", "must be greater than 0");
  }
  r.readBool("prune_tofu_nodes", out.prune_tofu_nodes);
  r.readStringList("proxy_protocol_trusted_cidrs", out.proxy_protocol_trusted_cidrs);
  if (auto ratelimit = r.block("ratelimit")) {
    ratelimit->readBool("attestation", out.ratelimit.attestation);
    ratelimit->readBool("signing", out.ratelimit.signing);
    ratelimit->finish();
  }
  r.readDuration("max_attested_node_info_staleness", out.max_attested_node_info_staleness);
  r.readBool("profiling_enabled", out.profiling_enabled);
  r.readPort("profiling_port", out.profiling_port);
  r.readInt("profiling_freq", out.profiling_freq);
  r.readStringList("profiling_names", out.profiling_names);
  if (auto experimental = r.block("experimental")) {
    decodeExperimental(*experimental, out.experimental);
  }
  r.finish();
}

Status validateServerConfig(const ServerConfig& config) {
  if (config.bind_address.empty() || config.bind_port == 0) {
    return invalidArgument("bind_address and bind_port must be configured");
  }
  if (config.trust_domain.empty()) {
    return invalidArgument("trust_domain must be configured");
  }
  if (config.data_dir.empty()) {
    return invalidArgument("data_dir must be configured");
  }
  return Status::ok();
}

} // namespace spire::config
