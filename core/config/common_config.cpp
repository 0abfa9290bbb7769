#include "config/common_config.h"

#include <algorithm>
#include <cctype>

namespace spire::config {
namespace {

std::string toLower(std::string text) {
  for (auto& c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}

std::string toUpper(std::string text) {
  for (auto& c : text) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return text;
}

void decodePrometheus(BlockReader& reader, PrometheusConfig& out) {
  reader.readString("host", out.host);
  reader.readPort("port", out.port);
  if (auto tls = reader.block("tls")) {
    PrometheusTlsConfig config;
    tls->readString("cert_file", config.cert_file);
    tls->readString("key_file", config.key_file);
    tls->readString("client_ca_file", config.client_ca_file);
    tls->readBool("use_spire_svid", config.use_spire_svid);
    tls->readStringList("authorized_spiffe_ids", config.authorized_spiffe_ids);
    tls->finish();
    out.tls = std::move(config);
  }
  reader.finish();
}

} // namespace

std::string_view keyTypeName(KeyType type) {
  switch (type) {
  case KeyType::kRsa2048:
    return "rsa-2048";
  case KeyType::kRsa4096:
    return "rsa-4096";
  case KeyType::kEcP256:
    return "ec-p256";
  case KeyType::kEcP384:
    return "ec-p384";
  }
  return "ec-p256";
}

std::optional<KeyType> keyTypeFromName(std::string_view name) {
  std::string lower = toLower(std::string(name));
  for (KeyType type : {KeyType::kRsa2048, KeyType::kRsa4096, KeyType::kEcP256, KeyType::kEcP384}) {
    if (keyTypeName(type) == lower) {
      return type;
    }
  }
  return std::nullopt;
}

void decodeHealthChecks(BlockReader& reader, HealthChecksConfig& out) {
  reader.readBool("listener_enabled", out.listener_enabled);
  reader.readString("bind_address", out.bind_address);
  reader.readPort("bind_port", out.bind_port);
  reader.readString("live_path", out.live_path);
  reader.readString("ready_path", out.ready_path);
  reader.finish();
}

void decodeTelemetry(BlockReader& reader, TelemetryConfig& out) {
  if (auto prometheus = reader.block("Prometheus")) {
    PrometheusConfig config;
    decodePrometheus(*prometheus, config);
    out.prometheus = std::move(config);
  }
  for (auto& block : reader.blockList("DogStatsd")) {
    StatsdConfig config;
    block.readString("address", config.address);
    block.finish();
    out.dogstatsd.push_back(std::move(config));
  }
  for (auto& block : reader.blockList("Statsd")) {
    StatsdConfig config;
    block.readString("address", config.address);
    block.finish();
    out.statsd.push_back(std::move(config));
  }
  for (auto& block : reader.blockList("M3")) {
    M3Config config;
    block.readString("address", config.address);
    block.readString("env", config.env);
    block.finish();
    out.m3.push_back(std::move(config));
  }
  if (auto inmem = reader.block("InMem")) {
    InMemConfig config;
    inmem->readOptionalBool("enabled", config.enabled);
    inmem->finish();
    out.inmem = config;
  }
  reader.readString("MetricPrefix", out.metric_prefix);
  reader.readBool("EnableTrustDomainLabel", out.enable_trust_domain_label);
  reader.readBool("EnableHostnameLabel", out.enable_hostname_label);
  reader.readStringList("AllowedPrefixes", out.allowed_prefixes);
  reader.readStringList("BlockedPrefixes", out.blocked_prefixes);
  reader.readStringList("AllowedLabels", out.allowed_labels);
  reader.readStringList("BlockedLabels", out.blocked_labels);
  reader.finish();
}

void decodeLogOptions(BlockReader& reader, LogOptions& out) {
  std::string level;
  if (reader.readString("log_level", level)) {
    std::string upper = toUpper(level);
    if (upper == "DEBUG" || upper == "INFO" || upper == "WARN" || upper == "ERROR") {
      out.level = upper;
    } else {
      reader.fail("log_level", "invalid log level " + quote(level) +
                                   ", expected one of DEBUG, INFO, WARN, ERROR");
    }
  }
  std::string format;
  if (reader.readString("log_format", format)) {
    std::string lower = toLower(format);
    if (lower == "text" || lower == "json") {
      out.format = lower;
    } else {
      reader.fail("log_format", "invalid log format " + quote(format) + ", expected text or json");
    }
  }
  reader.readString("log_file", out.file);
  reader.readBool("log_source_location", out.source_location);
}

bool decodeKeyType(BlockReader& reader, std::string_view key, const std::vector<KeyType>& allowed,
                   KeyType& out) {
  std::string name;
  if (!reader.readString(key, name)) {
    return false;
  }
  std::optional<KeyType> type = keyTypeFromName(name);
  if (type && std::find(allowed.begin(), allowed.end(), *type) != allowed.end()) {
    out = *type;
    return true;
  }
  std::string choices;
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    choices += (i > 0 ? ", " : "") + std::string(keyTypeName(allowed[i]));
  }
  reader.fail(key, "key type " + quote(name) + " is unknown; must be one of [" + choices + "]");
  return false;
}

} // namespace spire::config
