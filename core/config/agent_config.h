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

// agent.experimental.ratelimit {}: requests per second per selector set; 0 = unlimited.
struct AgentRateLimitConfig {
  std::int64_t fetch_x509_svid = 0;
  std::int64_t fetch_jwt_svid = 0;
  std::int64_t fetch_x509_bundles = 0;
  std::int64_t fetch_jwt_bundles = 0;
  std::int64_t stream_secrets = 0;
  std::int64_t fetch_secrets = 0;
};

struct BrokerReferenceTypeConfig {
  std::string type_url;
  bool allow_over_tcp = false;
};

struct BrokerEntryConfig {
  std::string id;
  std::vector<BrokerReferenceTypeConfig> allowed_reference_types;
};

struct BrokerConfig {
  std::string socket_path;
  std::string bind_address;
  std::vector<BrokerEntryConfig> brokers;
};

// agent.experimental {}
struct AgentExperimentalConfig {
  Duration sync_interval = std::chrono::seconds(5);
  bool use_sync_authorized_entries = true;
  Duration jwt_svid_cache_hit_timeout = std::chrono::seconds(30);
  bool require_pq_kem = false;
  std::string named_pipe_name = "\\spire-agent\\public\\api";
  std::string admin_named_pipe_name;
  AgentRateLimitConfig ratelimit;
  std::optional<BrokerConfig> broker;
  std::vector<std::string> feature_flags;
};

// agent.sds {}
struct SdsConfig {
  std::string default_svid_name = "default";
  std::string default_bundle_name = "ROOTCA";
  std::string default_all_bundles_name = "ALL";
  bool disable_spiffe_cert_validation = false;
};

enum class RebootstrapMode { kNever, kAuto, kAlways };
std::string_view rebootstrapModeName(RebootstrapMode mode);

enum class TrustBundleFormat { kPem, kSpiffe };

// Every `agent {}` option of SPIRE with SPIRE's defaults.
struct AgentConfig {
  std::string trust_domain;   // required
  std::string server_address; // required
  int server_port = 0;        // required
  std::string data_dir = ".";
  std::string socket_path = "/tmp/spire-agent/public/api.sock";
  std::string admin_socket_path; // empty: admin API disabled
  bool disable_workload_api = false;
  bool disable_sds_api = false;
  std::string trust_bundle_path;
  std::string trust_bundle_url;
  std::string trust_bundle_unix_socket;
  std::string trust_bundle_spiffe_workload_api;
  TrustBundleFormat trust_bundle_format = TrustBundleFormat::kPem;
  bool insecure_bootstrap = false;
  RebootstrapMode rebootstrap_mode = RebootstrapMode::kNever;
  Duration rebootstrap_delay = std::chrono::minutes(10);
  std::string join_token;
  std::string join_token_file;
  KeyType workload_x509_svid_key_type = KeyType::kEcP256;
  std::optional<Duration> availability_target;
  std::int64_t x509_svid_cache_max_size = 1000;
  std::int64_t jwt_svid_cache_max_size = 1000;
  bool allow_unauthenticated_verifiers = false;
  std::vector<std::string> allowed_foreign_jwt_claims;
  std::vector<std::string> authorized_delegates;
  LogOptions log;
  std::vector<std::string> log_selectors;
  SdsConfig sds;
  bool profiling_enabled = false;
  int profiling_port = 0;
  std::int64_t profiling_freq = 0;
  std::vector<std::string> profiling_names;
  AgentExperimentalConfig experimental;
};

// Reads `agent {}` into `out` (defaults stay where keys are absent), checking each value.
void decodeAgent(BlockReader& reader, AgentConfig& out);

// SPIRE's whole-struct checks: required keys, one bootstrap source, trust bundle URL scheme,
// join_token vs join_token_file. First failure, kInvalidArgument, SPIRE's wording.
Status validateAgentConfig(const AgentConfig& config);

} // namespace spire::config
