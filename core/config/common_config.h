#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/decoder.h"

namespace spire::config {

// Key types SPIRE names in ca_key_type, jwt_key_type and workload_x509_svid_key_type.
enum class KeyType { kRsa2048, kRsa4096, kEcP256, kEcP384 };

// "rsa-2048", "rsa-4096", "ec-p256", "ec-p384".
std::string_view keyTypeName(KeyType type);
// Case-insensitive, as SPIRE lower-cases before matching. nullopt for anything else.
std::optional<KeyType> keyTypeFromName(std::string_view name);

// `health_checks {}` (SPIRE pkg/common/health/config.go), same for server and agent.
struct HealthChecksConfig {
  bool listener_enabled = false;
  std::string bind_address = "localhost";
  int bind_port = 80;
  std::string live_path = "/live";
  std::string ready_path = "/ready";
};

struct PrometheusTlsConfig {
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;
  bool use_spire_svid = false;
  std::vector<std::string> authorized_spiffe_ids;
};

struct PrometheusConfig {
  std::string host;
  int port = 0;
  std::optional<PrometheusTlsConfig> tls;
};

struct StatsdConfig { // DogStatsd and Statsd
  std::string address;
};

struct M3Config {
  std::string address;
  std::string env;
};

struct InMemConfig {
  std::optional<bool> enabled; // deprecated in SPIRE; kept so old files still load
};

// `telemetry {}` (SPIRE doc/telemetry/telemetry_config.md). Nothing consumes it yet; it is kept
// faithfully so that the metrics work can start from a loaded config.
struct TelemetryConfig {
  std::optional<PrometheusConfig> prometheus;
  std::vector<StatsdConfig> dogstatsd;
  std::vector<StatsdConfig> statsd;
  std::vector<M3Config> m3;
  std::optional<InMemConfig> inmem;
  std::string metric_prefix; // the loader fills "spire_server" / "spire_agent" when unset
  bool enable_trust_domain_label = false;
  bool enable_hostname_label = true;
  std::vector<std::string> allowed_prefixes;
  std::vector<std::string> blocked_prefixes;
  std::vector<std::string> allowed_labels;
  std::vector<std::string> blocked_labels;
};

// Log options shared by server {} and agent {}.
struct LogOptions {
  std::string level = "INFO";  // normalised to upper case
  std::string format = "text"; // normalised to lower case
  std::string file;            // empty: stderr
  bool source_location = false;
};

void decodeHealthChecks(BlockReader& reader, HealthChecksConfig& out);
void decodeTelemetry(BlockReader& reader, TelemetryConfig& out);
// Reads log_level, log_format, log_file and log_source_location from `reader`, validating values.
void decodeLogOptions(BlockReader& reader, LogOptions& out);
// Reads `key` as a key type; `allowed` lists the accepted ones (agent workloads exclude rsa-4096).
// True when the key is present and valid.
bool decodeKeyType(BlockReader& reader, std::string_view key, const std::vector<KeyType>& allowed,
                   KeyType& out);

} // namespace spire::config
