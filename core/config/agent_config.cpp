#include "config/agent_config.h"

#include <algorithm>
#include <cctype>

namespace spire::config {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

void decodeBroker(BlockReader& r, BrokerConfig& out) {
  r.readString("socket_path", out.socket_path);
  r.readString("bind_address", out.bind_address);
  for (auto& broker : r.blockList("brokers")) {
    BrokerEntryConfig entry;
    broker.readString("id", entry.id);
    for (auto& type : broker.blockList("allowed_reference_types")) {
      BrokerReferenceTypeConfig config;
      type.readString("type_url", config.type_url);
      type.readBool("allow_over_tcp", config.allow_over_tcp);
      type.finish();
      entry.allowed_reference_types.push_back(std::move(config));
    }
    broker.finish();
    out.brokers.push_back(std::move(entry));
  }
  r.finish();
}

void decodeExperimental(BlockReader& r, AgentExperimentalConfig& out) {
  r.readDuration("sync_interval", out.sync_interval);
  r.readBool("use_sync_authorized_entries", out.use_sync_authorized_entries);
  r.readDuration("jwt_svid_cache_hit_timeout", out.jwt_svid_cache_hit_timeout);
  r.readBool("require_pq_kem", out.require_pq_kem);
  r.readString("named_pipe_name", out.named_pipe_name);
  r.readString("admin_named_pipe_name", out.admin_named_pipe_name);
  if (auto limits = r.block("ratelimit")) {
    auto read = [&](std::string_view key, std::int64_t& value) {
      if (limits->readInt(key, value) && value < 0) {
        limits->fail(key, "should not be negative");
      }
    };
    read("fetch_x509_svid", out.ratelimit.fetch_x509_svid);
    read("fetch_jwt_svid", out.ratelimit.fetch_jwt_svid);
    read("fetch_x509_bundles", out.ratelimit.fetch_x509_bundles);
    read("fetch_jwt_bundles", out.ratelimit.fetch_jwt_bundles);
    read("stream_secrets", out.ratelimit.stream_secrets);
    read("fetch_secrets", out.ratelimit.fetch_secrets);
    limits->finish();
  }
  if (auto broker = r.block("broker")) {
    BrokerConfig config;
    decodeBroker(*broker, config);
    out.broker = std::move(config);
  }
  r.readStringList("feature_flags", out.feature_flags);
  r.finish();
}

} // namespace

std::string_view rebootstrapModeName(RebootstrapMode mode) {
  switch (mode) {
  case RebootstrapMode::kNever:
    return "never";
  case RebootstrapMode::kAuto:
    return "auto";
  case RebootstrapMode::kAlways:
    return "always";
  }
  return "never";
}

void decodeAgent(BlockReader& r, AgentConfig& out) {
  r.readString("trust_domain", out.trust_domain);
  r.readString("server_address", out.server_address);
  r.readPort("server_port", out.server_port);
  r.readString("data_dir", out.data_dir);
  r.readString("socket_path", out.socket_path);
  r.readString("admin_socket_path", out.admin_socket_path);
  r.readBool("disable_workload_api", out.disable_workload_api);
  r.readBool("disable_sds_api", out.disable_sds_api);
  r.readString("trust_bundle_path", out.trust_bundle_path);
  r.readString("trust_bundle_url", out.trust_bundle_url);
  r.readString("trust_bundle_unix_socket", out.trust_bundle_unix_socket);
  r.readString("trust_bundle_spiffe_workload_api", out.trust_bundle_spiffe_workload_api);
  std::string format;
  if (r.readString("trust_bundle_format", format)) {
    if (format == "pem") {
      out.trust_bundle_format = TrustBundleFormat::kPem;
    } else if (format == "spiffe") {
      out.trust_bundle_format = TrustBundleFormat::kSpiffe;
    } else {
      r.fail("trust_bundle_format",
             "invalid value " + quote(format) + ", expected \"pem\" or \"spiffe\"");
    }
  }
  r.readBool("insecure_bootstrap", out.insecure_bootstrap);
  std::string mode;
  if (r.readString("rebootstrap_mode", mode)) {
    std::string m = lower(mode);
    if (m == "never") {
      out.rebootstrap_mode = RebootstrapMode::kNever;
    } else if (m == "auto") {
      out.rebootstrap_mode = RebootstrapMode::kAuto;
    } else if (m == "always") {
      out.rebootstrap_mode = RebootstrapMode::kAlways;
    } else {
      r.fail("rebootstrap_mode",
             "invalid value " + quote(mode) + ", expected \"never\", \"auto\" or \"always\"");
    }
  }
  r.readDuration("rebootstrap_delay", out.rebootstrap_delay);
  r.readString("join_token", out.join_token);
  r.readString("join_token_file", out.join_token_file);
  decodeKeyType(r, "workload_x509_svid_key_type",
                {KeyType::kRsa2048, KeyType::kEcP256, KeyType::kEcP384},
                out.workload_x509_svid_key_type);
  if (r.readOptionalDuration("availability_target", out.availability_target) &&
      *out.availability_target < std::chrono::hours(24)) {
    r.fail("availability_target", "must be at least 24h0m0s");
  }
  if (r.readInt("x509_svid_cache_max_size", out.x509_svid_cache_max_size) &&
      out.x509_svid_cache_max_size < 0) {
    r.fail("x509_svid_cache_max_size", "should not be negative");
  }
  if (r.readInt("jwt_svid_cache_max_size", out.jwt_svid_cache_max_size) &&
      out.jwt_svid_cache_max_size < 0) {
    r.fail("jwt_svid_cache_max_size", "should not be negative");
  }
  r.readBool("allow_unauthenticated_verifiers", out.allow_unauthenticated_verifiers);
  r.readStringList("allowed_foreign_jwt_claims", out.allowed_foreign_jwt_claims);
  r.readStringList("authorized_delegates", out.authorized_delegates);
  decodeLogOptions(r, out.log);
  r.readStringList("log_selectors", out.log_selectors);
  if (auto sds = r.block("sds")) {
    sds->readString("default_svid_name", out.sds.default_svid_name);
    sds->readString("default_bundle_name", out.sds.default_bundle_name);
    sds->readString("default_all_bundles_name", out.sds.default_all_bundles_name);
    sds->readBool("disable_spiffe_cert_validation", out.sds.disable_spiffe_cert_validation);
    sds->finish();
  }
  r.readBool("profiling_enabled", out.profiling_enabled);
  r.readPort("profiling_port", out.profiling_port);
  r.readInt("profiling_freq", out.profiling_freq);
  r.readStringList("profiling_names", out.profiling_names);
  if (auto experimental = r.block("experimental")) {
    decodeExperimental(*experimental, out.experimental);
  }
  r.finish();
}

Status validateAgentConfig(const AgentConfig& c) {
  if (c.server_address.empty()) {
    return invalidArgument("server_address must be configured");
  }
  if (c.server_port == 0) {
    return invalidArgument("server_port must be configured");
  }
  if (c.trust_domain.empty()) {
    return invalidArgument("trust_domain must be configured");
  }
  // SPIRE allows one bootstrap source; its messages name the ones that clash, in this order.
  std::vector<std::string> sources;
  if (c.insecure_bootstrap) {
    sources.emplace_back("insecure_bootstrap");
  }
  if (!c.trust_bundle_url.empty()) {
    sources.emplace_back("trust_bundle_url");
  }
  if (!c.trust_bundle_path.empty()) {
    sources.emplace_back("trust_bundle_path");
  }
  if (!c.trust_bundle_spiffe_workload_api.empty()) {
    sources.emplace_back("trust_bundle_spiffe_workload_api");
  }
  if (sources.empty()) {
    return invalidArgument("trust_bundle_path, trust_bundle_url or "
                           "trust_bundle_spiffe_workload_api must be configured unless "
                           "insecure_bootstrap is set");
  }
  if (sources.size() == 2) {
    return invalidArgument("only one of " + sources[0] + " or " + sources[1] +
                           " can be specified, not both");
  }
  if (sources.size() > 2) {
    std::string list;
    for (std::size_t i = 0; i < sources.size(); ++i) {
      list += (i == 0 ? "" : (i + 1 == sources.size() ? ", or " : ", ")) + sources[i];
    }
    static const char* kCounts[] = {"", "", "", "three", "four"};
    return invalidArgument("only one of " + list + " can be specified, not the " +
                           kCounts[sources.size()] + " options");
  }
  if (!c.trust_bundle_unix_socket.empty() && c.trust_bundle_url.empty()) {
    return invalidArgument("trust_bundle_unix_socket requires trust_bundle_url");
  }
  if (!c.trust_bundle_url.empty()) {
    std::string url = lower(c.trust_bundle_url);
    bool https = url.rfind("https://", 0) == 0;
    bool http = url.rfind("http://", 0) == 0;
    if (c.trust_bundle_unix_socket.empty() && !https) {
      return invalidArgument("trust bundle URL must start with https://");
    }
    if (!c.trust_bundle_unix_socket.empty() && !https && !http) {
      return invalidArgument("trust bundle URL must start with http:// or https://");
    }
  }
  if (!c.join_token.empty() && !c.join_token_file.empty()) {
    return invalidArgument("only one of join_token or join_token_file can be specified, not both");
  }
  return Status::ok();
}

} // namespace spire::config
