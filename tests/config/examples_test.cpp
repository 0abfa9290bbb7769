// The example configurations in conf/ must load, and the *_full.conf files must tell the truth
// about defaults: every single-'#' line in them is an option at its default value.
#include "config/loader.h"

#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "config_test_util.h"

namespace spire::config {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

std::string confPath(const std::string& name) {
  return testing::sourceDir() + "/conf/" + name;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Turns "    # key = value" into "    key = value"; leaves "##" documentation alone.
std::string uncommentDefaults(const std::string& text) {
  static const std::regex kOption(R"(^(\s*)# (.*)$)");
  std::istringstream in(text);
  std::string out;
  std::string line;
  while (std::getline(in, line)) {
    out += std::regex_replace(line, kOption, "$1$2") + "\n";
  }
  return out;
}

TEST(Examples, ServerConf) {
  Result<ServerFileConfig> r = loadServerConfig(confPath("server.conf"));
  ASSERT_TRUE(r.isOk()) << r.status().message();
  EXPECT_EQ(r->server.bind_address, "127.0.0.1");
  EXPECT_EQ(r->server.bind_port, 8081);
  EXPECT_EQ(r->server.socket_path, "/tmp/spire-server/private/api.sock");
  EXPECT_EQ(r->server.trust_domain, "example.org");
  EXPECT_EQ(r->server.data_dir, "./.data");
  EXPECT_EQ(r->server.log.level, "DEBUG");
  ASSERT_EQ(r->plugins.size(), 4u);
  EXPECT_EQ(r->plugins[0].type, "DataStore");
  EXPECT_EQ(r->plugins[0].name, "sql");
  EXPECT_EQ(r->plugins[0].data_json,
            R"({"database_type":"sqlite3","connection_string":"./.data/datastore.sqlite3"})");
  EXPECT_EQ(r->plugins[1].type, "NodeAttestor");
  EXPECT_EQ(r->plugins[1].name, "join_token");
  EXPECT_EQ(r->plugins[1].data_json, "{}");
  EXPECT_EQ(r->plugins[2].type, "KeyManager");
  EXPECT_EQ(r->plugins[2].name, "memory");
  EXPECT_EQ(r->plugins[2].data_json, "{}");
  EXPECT_EQ(r->plugins[3].type, "UpstreamAuthority");
  EXPECT_EQ(r->plugins[3].name, "disk");
  EXPECT_EQ(r->plugins[3].data_json, R"({"key_file_path":"./conf/server/dummy_upstream_ca.key",)"
                                     R"("cert_file_path":"./conf/server/dummy_upstream_ca.crt"})");
}

TEST(Examples, ServerJsonEqualsServerConf) {
  Result<ServerFileConfig> hcl = loadServerConfig(confPath("server.conf"));
  Result<ServerFileConfig> json = loadServerConfig(confPath("server.json"));
  ASSERT_TRUE(hcl.isOk()) << hcl.status().message();
  ASSERT_TRUE(json.isOk()) << json.status().message();
  EXPECT_EQ(json->server.bind_address, hcl->server.bind_address);
  EXPECT_EQ(json->server.bind_port, hcl->server.bind_port);
  EXPECT_EQ(json->server.socket_path, hcl->server.socket_path);
  EXPECT_EQ(json->server.trust_domain, hcl->server.trust_domain);
  EXPECT_EQ(json->server.data_dir, hcl->server.data_dir);
  EXPECT_EQ(json->server.log.level, hcl->server.log.level);
  ASSERT_EQ(json->plugins.size(), hcl->plugins.size());
  for (std::size_t i = 0; i < hcl->plugins.size(); ++i) {
    EXPECT_EQ(json->plugins[i].type, hcl->plugins[i].type);
    EXPECT_EQ(json->plugins[i].name, hcl->plugins[i].name);
    EXPECT_EQ(json->plugins[i].data_json, hcl->plugins[i].data_json);
    EXPECT_EQ(json->plugins[i].enabled, hcl->plugins[i].enabled);
  }
}

TEST(Examples, AgentConf) {
  Result<AgentFileConfig> r = loadAgentConfig(confPath("agent.conf"));
  ASSERT_TRUE(r.isOk()) << r.status().message();
  EXPECT_EQ(r->agent.data_dir, "./.data");
  EXPECT_EQ(r->agent.log.level, "DEBUG");
  EXPECT_EQ(r->agent.server_address, "127.0.0.1");
  EXPECT_EQ(r->agent.server_port, 8081);
  EXPECT_EQ(r->agent.socket_path, "/tmp/spire-agent/public/api.sock");
  EXPECT_EQ(r->agent.trust_bundle_path, "./conf/agent/dummy_root_ca.crt");
  EXPECT_EQ(r->agent.trust_domain, "example.org");
  ASSERT_EQ(r->plugins.size(), 3u);
  EXPECT_EQ(r->plugins[0].type, "NodeAttestor");
  EXPECT_EQ(r->plugins[1].type, "KeyManager");
  EXPECT_EQ(r->plugins[1].name, "disk");
  EXPECT_EQ(r->plugins[1].data_json, R"({"directory":"./.data"})");
  EXPECT_EQ(r->plugins[2].type, "WorkloadAttestor");
  EXPECT_EQ(r->plugins[2].name, "unix");
}

TEST(Examples, ServerFullConfLoadsWithDefaults) {
  Result<ServerFileConfig> r = loadServerConfig(confPath("server_full.conf"));
  ASSERT_TRUE(r.isOk()) << r.status().message();
  EXPECT_EQ(r->server.trust_domain, "example.org");
  EXPECT_EQ(r->server.bind_port, 8081);
  EXPECT_EQ(r->plugins.size(), 3u);
}

TEST(Examples, ServerFullConfDocumentedDefaultsAreTheDefaults) {
  TempDir dir;
  std::string path =
      dir.write("server_full.conf", uncommentDefaults(readFile(confPath("server_full.conf"))));
  Result<ServerFileConfig> documented = loadServerConfig(path);
  ASSERT_TRUE(documented.isOk()) << documented.status().message();
  Result<ServerFileConfig> bare = loadServerConfig(confPath("server_full.conf"));
  ASSERT_TRUE(bare.isOk());
  const ServerConfig& d = documented->server;
  const ServerConfig& b = bare->server;
  EXPECT_EQ(d.bind_address, b.bind_address);
  EXPECT_EQ(d.bind_port, b.bind_port);
  EXPECT_EQ(d.socket_path, b.socket_path);
  EXPECT_EQ(d.admin_ids, b.admin_ids);
  EXPECT_EQ(d.agentTtl(), b.agentTtl());
  EXPECT_EQ(d.audit_log_enabled, b.audit_log_enabled);
  EXPECT_EQ(d.ca_key_type, b.ca_key_type);
  EXPECT_EQ(d.jwt_key_type, b.jwt_key_type);
  EXPECT_EQ(d.ca_subject.country, b.ca_subject.country);
  EXPECT_EQ(d.ca_subject.organization, b.ca_subject.organization);
  EXPECT_EQ(d.ca_subject.common_name, b.ca_subject.common_name);
  EXPECT_EQ(d.ca_ttl, b.ca_ttl);
  EXPECT_EQ(d.default_x509_svid_ttl, b.default_x509_svid_ttl);
  EXPECT_EQ(d.default_jwt_svid_ttl, b.default_jwt_svid_ttl);
  EXPECT_EQ(d.jwt_issuer, b.jwt_issuer);
  EXPECT_EQ(d.disable_jwt_svids, b.disable_jwt_svids);
  EXPECT_EQ(d.log.level, b.log.level);
  EXPECT_EQ(d.log.format, b.log.format);
  EXPECT_EQ(d.log.file, b.log.file);
  EXPECT_EQ(d.log.source_location, b.log.source_location);
  EXPECT_EQ(d.prune_attested_nodes_batch_size, b.prune_attested_nodes_batch_size);
  EXPECT_EQ(d.prune_tofu_nodes, b.prune_tofu_nodes);
  EXPECT_EQ(d.proxy_protocol_trusted_cidrs, b.proxy_protocol_trusted_cidrs);
  EXPECT_EQ(d.max_attested_node_info_staleness, b.max_attested_node_info_staleness);
  EXPECT_EQ(d.ratelimit.attestation, b.ratelimit.attestation);
  EXPECT_EQ(d.ratelimit.signing, b.ratelimit.signing);
  EXPECT_EQ(d.profiling_enabled, b.profiling_enabled);
  EXPECT_EQ(d.profiling_port, b.profiling_port);
  EXPECT_EQ(d.profiling_freq, b.profiling_freq);
  EXPECT_EQ(d.profiling_names, b.profiling_names);
  const ServerExperimentalConfig& de = d.experimental;
  const ServerExperimentalConfig& be = b.experimental;
  EXPECT_EQ(de.cache_reload_interval, be.cache_reload_interval);
  EXPECT_EQ(de.events_based_cache, be.events_based_cache);
  EXPECT_EQ(de.full_cache_reload_interval, be.full_cache_reload_interval);
  EXPECT_EQ(de.prune_events_older_than, be.prune_events_older_than);
  EXPECT_EQ(de.event_timeout, be.event_timeout);
  EXPECT_EQ(de.agent_spiffe_id_as_selector, be.agent_spiffe_id_as_selector);
  EXPECT_EQ(de.named_pipe_name, be.named_pipe_name);
  EXPECT_EQ(de.require_pq_kem, be.require_pq_kem);
  EXPECT_EQ(de.wit_issuer, be.wit_issuer);
  EXPECT_EQ(de.feature_flags, be.feature_flags);
  const HealthChecksConfig& dh = documented->health_checks;
  const HealthChecksConfig& bh = bare->health_checks;
  EXPECT_EQ(dh.listener_enabled, bh.listener_enabled);
  EXPECT_EQ(dh.bind_address, bh.bind_address);
  EXPECT_EQ(dh.bind_port, bh.bind_port);
  EXPECT_EQ(dh.live_path, bh.live_path);
  EXPECT_EQ(dh.ready_path, bh.ready_path);
  const TelemetryConfig& dt = documented->telemetry;
  const TelemetryConfig& bt = bare->telemetry;
  EXPECT_EQ(dt.metric_prefix, bt.metric_prefix);
  EXPECT_EQ(dt.enable_trust_domain_label, bt.enable_trust_domain_label);
  EXPECT_EQ(dt.enable_hostname_label, bt.enable_hostname_label);
}

TEST(Examples, AgentFullConfDocumentedDefaultsAreTheDefaults) {
  TempDir dir;
  std::string path =
      dir.write("agent_full.conf", uncommentDefaults(readFile(confPath("agent_full.conf"))));
  Result<AgentFileConfig> documented = loadAgentConfig(path);
  ASSERT_TRUE(documented.isOk()) << documented.status().message();
  Result<AgentFileConfig> bare = loadAgentConfig(confPath("agent_full.conf"));
  ASSERT_TRUE(bare.isOk()) << bare.status().message();
  const AgentConfig& d = documented->agent;
  const AgentConfig& b = bare->agent;
  EXPECT_EQ(d.trust_bundle_format, b.trust_bundle_format);
  EXPECT_EQ(d.rebootstrap_mode, b.rebootstrap_mode);
  EXPECT_EQ(d.rebootstrap_delay, b.rebootstrap_delay);
  EXPECT_EQ(d.data_dir, b.data_dir);
  EXPECT_EQ(d.socket_path, b.socket_path);
  EXPECT_EQ(d.admin_socket_path, b.admin_socket_path);
  EXPECT_EQ(d.disable_workload_api, b.disable_workload_api);
  EXPECT_EQ(d.disable_sds_api, b.disable_sds_api);
  EXPECT_EQ(d.join_token, b.join_token);
  EXPECT_EQ(d.join_token_file, b.join_token_file);
  EXPECT_EQ(d.workload_x509_svid_key_type, b.workload_x509_svid_key_type);
  EXPECT_EQ(d.x509_svid_cache_max_size, b.x509_svid_cache_max_size);
  EXPECT_EQ(d.jwt_svid_cache_max_size, b.jwt_svid_cache_max_size);
  EXPECT_EQ(d.allow_unauthenticated_verifiers, b.allow_unauthenticated_verifiers);
  EXPECT_EQ(d.allowed_foreign_jwt_claims, b.allowed_foreign_jwt_claims);
  EXPECT_EQ(d.authorized_delegates, b.authorized_delegates);
  EXPECT_EQ(d.log.level, b.log.level);
  EXPECT_EQ(d.log.format, b.log.format);
  EXPECT_EQ(d.log.file, b.log.file);
  EXPECT_EQ(d.log.source_location, b.log.source_location);
  EXPECT_EQ(d.log_selectors, b.log_selectors);
  EXPECT_EQ(d.sds.default_svid_name, b.sds.default_svid_name);
  EXPECT_EQ(d.sds.default_bundle_name, b.sds.default_bundle_name);
  EXPECT_EQ(d.sds.default_all_bundles_name, b.sds.default_all_bundles_name);
  EXPECT_EQ(d.sds.disable_spiffe_cert_validation, b.sds.disable_spiffe_cert_validation);
  EXPECT_EQ(d.profiling_enabled, b.profiling_enabled);
  EXPECT_EQ(d.profiling_port, b.profiling_port);
  const AgentExperimentalConfig& de = d.experimental;
  const AgentExperimentalConfig& be = b.experimental;
  EXPECT_EQ(de.sync_interval, be.sync_interval);
  EXPECT_EQ(de.use_sync_authorized_entries, be.use_sync_authorized_entries);
  EXPECT_EQ(de.jwt_svid_cache_hit_timeout, be.jwt_svid_cache_hit_timeout);
  EXPECT_EQ(de.require_pq_kem, be.require_pq_kem);
  EXPECT_EQ(de.named_pipe_name, be.named_pipe_name);
  EXPECT_EQ(de.admin_named_pipe_name, be.admin_named_pipe_name);
  EXPECT_EQ(de.feature_flags, be.feature_flags);
  EXPECT_EQ(de.ratelimit.fetch_x509_svid, be.ratelimit.fetch_x509_svid);
  EXPECT_EQ(de.ratelimit.fetch_secrets, be.ratelimit.fetch_secrets);
  EXPECT_EQ(documented->health_checks.bind_port, bare->health_checks.bind_port);
  EXPECT_EQ(documented->telemetry.metric_prefix, bare->telemetry.metric_prefix);
}

TEST(Examples, UncommentingReallyUncomments) {
  EXPECT_EQ(uncommentDefaults("  # a = 1\n## doc\n# }\n#x\n"), "  a = 1\n## doc\n}\n#x\n");
}

} // namespace
} // namespace spire::config
