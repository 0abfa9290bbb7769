#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "config/common_config.h"
#include "config/decoder.h"

namespace spire::config {

struct CaSubjectConfig {
  std::vector<std::string> country{"US"};
  std::vector<std::string> organization{"SPIFFE"};
  std::string common_name;
};

struct ServerRateLimitConfig {
  bool attestation = true;
  bool signing = true;
};

struct OpaLocalConfig {
  std::string rego_path;
  std::string policy_data_path;
};

struct AuthOpaPolicyEngineConfig {
  std::optional<OpaLocalConfig> local;
};

// server.experimental {}
struct ServerExperimentalConfig {
  Duration cache_reload_interval = std::chrono::seconds(5);
  bool events_based_cache = false;
  Duration full_cache_reload_interval = std::chrono::hours(24);
  Duration prune_events_older_than = std::chrono::hours(12);
  Duration event_timeout = std::chrono::minutes(15);
  bool agent_spiffe_id_as_selector = false;
  std::optional<AuthOpaPolicyEngineConfig> auth_opa_policy_engine;
  std::string named_pipe_name = "\\spire-server\\private\\api";
  bool require_pq_kem = false;
  std::optional<Duration> sql_transaction_timeout;
  std::string wit_issuer;
  std::optional<KeyType> wit_key_type;
  std::vector<std::string> feature_flags;
};

enum class BundleEndpointProfile { kHttpsSpiffe, kHttpsWeb };

struct AcmeConfig {
  std::string directory_url = "https://acme-v02.api.letsencrypt.org/directory";
  std::string domain_name;
  std::string email;
  bool tos_accepted = false;
};

struct ServingCertFileConfig {
  std::string cert_file_path;
  std::string key_file_path;
  Duration file_sync_interval = std::chrono::hours(1);
};

// server.federation.bundle_endpoint {}
struct BundleEndpointConfig {
  std::string address = "0.0.0.0";
  int port = 443;
  Duration refresh_hint = std::chrono::minutes(5);
  // https_spiffe unless a `profile "https_web" {}` block says otherwise.
  BundleEndpointProfile profile = BundleEndpointProfile::kHttpsSpiffe;
  bool profile_configured = false; // SPIRE warns when no profile block is given
  std::optional<AcmeConfig> acme;  // https_web only
  std::optional<ServingCertFileConfig> serving_cert_file; // https_web only
};

// server.federation.federates_with "<trust domain>" {}
struct FederatesWithConfig {
  std::string trust_domain; // as written; parsed by core/spiffe where it is used
  std::string bundle_endpoint_url;
  BundleEndpointProfile profile = BundleEndpointProfile::kHttpsWeb;
  std::string endpoint_spiffe_id; // https_spiffe only
  SourcePosition position;
};

struct FederationConfig {
  std::optional<BundleEndpointConfig> bundle_endpoint;
  std::vector<FederatesWithConfig> federates_with; // file order
};

// Every `server {}` option of SPIRE with SPIRE's defaults.
struct ServerConfig {
  std::string trust_domain; // required
  std::string bind_address = "0.0.0.0";
  int bind_port = 8081;
  std::string socket_path = "/tmp/spire-server/private/api.sock";
  std::string data_dir; // required, as in SPIRE's validateConfig
  std::vector<std::string> admin_ids;
  std::optional<Duration> agent_ttl; // unset: default_x509_svid_ttl
  bool audit_log_enabled = false;
  KeyType ca_key_type = KeyType::kEcP256;
  KeyType jwt_key_type = KeyType::kEcP256; // = ca_key_type unless jwt_key_type is set
  CaSubjectConfig ca_subject;
  Duration ca_ttl = std::chrono::hours(24);
  Duration default_x509_svid_ttl = std::chrono::hours(1);
  Duration default_jwt_svid_ttl = std::chrono::minutes(5);
  std::string jwt_issuer;
  bool disable_jwt_svids = false;
  std::optional<FederationConfig> federation;
  LogOptions log;
  std::optional<Duration> prune_attested_nodes_expired_for; // unset: no pruning
  std::int64_t prune_attested_nodes_batch_size = 1000;
  bool prune_tofu_nodes = false;
  std::vector<std::string> proxy_protocol_trusted_cidrs;
  ServerRateLimitConfig ratelimit;
  Duration max_attested_node_info_staleness = std::chrono::seconds(0);
  bool profiling_enabled = false;
  int profiling_port = 0;
  std::int64_t profiling_freq = 0;
  std::vector<std::string> profiling_names;
  ServerExperimentalConfig experimental;

  Duration agentTtl() const { return agent_ttl.value_or(default_x509_svid_ttl); }
};

// Reads `server {}` into `out` (defaults stay where keys are absent), checking each value.
void decodeServer(BlockReader& reader, ServerConfig& out);

// SPIRE's checks that need the whole struct: required keys. First failure, kInvalidArgument.
Status validateServerConfig(const ServerConfig& config);

} // namespace spire::config
