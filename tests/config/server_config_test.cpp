#include "config/loader.h"

#include <gtest/gtest.h>

#include "config_test_util.h"

namespace spire::config {
namespace {

using namespace std::chrono_literals;
using testing::invalid;

// The `extra` lines start at line 4, inside server {}.
std::string serverConf(const std::string& extra, const std::string& after = "plugins {}\n") {
  return "server {\n  trust_domain = \"example.org\"\n  data_dir = \"/d\"\n" + extra + "}\n" +
         after;
}

Result<ServerFileConfig> load(const std::string& text) {
  LoadOptions options;
  options.source_name = "s.conf";
  return loadServerConfigFromString(text, options);
}

ServerConfig loadOk(const std::string& text) {
  Result<ServerFileConfig> r = load(text);
  EXPECT_TRUE(r.isOk()) << r.status().message();
  return r.isOk() ? r->server : ServerConfig{};
}

TEST(ServerConfig, Defaults) {
  Result<ServerFileConfig> r = load(serverConf(""));
  ASSERT_TRUE(r.isOk()) << r.status().message();
  const ServerConfig& s = r->server;
  EXPECT_EQ(s.trust_domain, "example.org");
  EXPECT_EQ(s.data_dir, "/d");
  EXPECT_EQ(s.bind_address, "0.0.0.0");
  EXPECT_EQ(s.bind_port, 8081);
  EXPECT_EQ(s.socket_path, "/tmp/spire-server/private/api.sock");
  EXPECT_TRUE(s.admin_ids.empty());
  EXPECT_FALSE(s.agent_ttl.has_value());
  EXPECT_EQ(s.agentTtl(), 1h);
  EXPECT_FALSE(s.audit_log_enabled);
  EXPECT_EQ(s.ca_key_type, KeyType::kEcP256);
  EXPECT_EQ(s.jwt_key_type, KeyType::kEcP256);
  EXPECT_EQ(s.ca_subject.country, std::vector<std::string>{"US"});
  EXPECT_EQ(s.ca_subject.organization, std::vector<std::string>{"SPIFFE"});
  EXPECT_EQ(s.ca_subject.common_name, "");
  EXPECT_EQ(s.ca_ttl, 24h);
  EXPECT_EQ(s.default_x509_svid_ttl, 1h);
  EXPECT_EQ(s.default_jwt_svid_ttl, 5min);
  EXPECT_EQ(s.jwt_issuer, "");
  EXPECT_FALSE(s.disable_jwt_svids);
  EXPECT_FALSE(s.federation.has_value());
  EXPECT_EQ(s.log.level, "INFO");
  EXPECT_EQ(s.log.format, "text");
  EXPECT_EQ(s.log.file, "");
  EXPECT_FALSE(s.log.source_location);
  EXPECT_FALSE(s.prune_attested_nodes_expired_for.has_value());
  EXPECT_EQ(s.prune_attested_nodes_batch_size, 1000);
  EXPECT_FALSE(s.prune_tofu_nodes);
  EXPECT_TRUE(s.proxy_protocol_trusted_cidrs.empty());
  EXPECT_TRUE(s.ratelimit.attestation);
  EXPECT_TRUE(s.ratelimit.signing);
  EXPECT_EQ(s.max_attested_node_info_staleness, 0s);
  EXPECT_FALSE(s.profiling_enabled);
  EXPECT_EQ(s.profiling_port, 0);
  EXPECT_EQ(s.profiling_freq, 0);
  EXPECT_TRUE(s.profiling_names.empty());
  const ServerExperimentalConfig& e = s.experimental;
  EXPECT_EQ(e.cache_reload_interval, 5s);
  EXPECT_FALSE(e.events_based_cache);
  EXPECT_EQ(e.full_cache_reload_interval, 24h);
  EXPECT_EQ(e.prune_events_older_than, 12h);
  EXPECT_EQ(e.event_timeout, 15min);
  EXPECT_FALSE(e.agent_spiffe_id_as_selector);
  EXPECT_FALSE(e.auth_opa_policy_engine.has_value());
  EXPECT_EQ(e.named_pipe_name, "\\spire-server\\private\\api");
  EXPECT_FALSE(e.require_pq_kem);
  EXPECT_FALSE(e.sql_transaction_timeout.has_value());
  EXPECT_EQ(e.wit_issuer, "");
  EXPECT_FALSE(e.wit_key_type.has_value());
  EXPECT_TRUE(e.feature_flags.empty());
  // Sections outside server {}.
  EXPECT_TRUE(r->plugins.empty());
  EXPECT_FALSE(r->health_checks.listener_enabled);
  EXPECT_EQ(r->telemetry.metric_prefix, "spire_server");
}

TEST(ServerConfig, EveryOptionSet) {
  ServerConfig s = loadOk(serverConf(R"(
  bind_address = "127.0.0.1"
  bind_port = 9000
  socket_path = "/run/api.sock"
  admin_ids = ["spiffe://example.org/admin", "spiffe://other.org/admin"]
  agent_ttl = "2h"
  audit_log_enabled = true
  ca_key_type = "rsa-2048"
  jwt_key_type = "ec-p384"
  ca_subject {
    country = ["NL"]
    organization = ["Acme", "Widgets"]
    common_name = "Acme CA"
  }
  ca_ttl = "72h"
  default_x509_svid_ttl = "6h"
  default_jwt_svid_ttl = "10m"
  jwt_issuer = "https://issuer.example.org"
  disable_jwt_svids = true
  log_level = "warn"
  log_format = "JSON"
  log_file = "/var/log/spire.log"
  log_source_location = true
  prune_attested_nodes_expired_for = "720h"
  prune_attested_nodes_batch_size = 50
  prune_tofu_nodes = true
  proxy_protocol_trusted_cidrs = ["10.0.0.0/8"]
  ratelimit {
    attestation = false
    signing = false
  }
  max_attested_node_info_staleness = "30s"
  profiling_enabled = true
  profiling_port = 6060
  profiling_freq = 10
  profiling_names = ["heap", "goroutine"]
  experimental {
    cache_reload_interval = "10s"
    events_based_cache = true
    full_cache_reload_interval = "12h"
    prune_events_older_than = "6h"
    event_timeout = "20m"
    agent_spiffe_id_as_selector = true
    auth_opa_policy_engine {
      local {
        rego_path = "/p.rego"
        policy_data_path = "/p.json"
      }
    }
    named_pipe_name = "\\pipe"
    require_pq_kem = true
    sql_transaction_timeout = "45s"
    wit_issuer = "wit.example.org"
    wit_key_type = "ec-p384"
    feature_flags = ["flag_a"]
  }
)"));
  EXPECT_EQ(s.bind_address, "127.0.0.1");
  EXPECT_EQ(s.bind_port, 9000);
  EXPECT_EQ(s.socket_path, "/run/api.sock");
  EXPECT_EQ(s.admin_ids.size(), 2u);
  EXPECT_EQ(s.agentTtl(), 2h);
  EXPECT_TRUE(s.audit_log_enabled);
  EXPECT_EQ(s.ca_key_type, KeyType::kRsa2048);
  EXPECT_EQ(s.jwt_key_type, KeyType::kEcP384);
  EXPECT_EQ(s.ca_subject.country, std::vector<std::string>{"NL"});
  EXPECT_EQ(s.ca_subject.organization, (std::vector<std::string>{"Acme", "Widgets"}));
  EXPECT_EQ(s.ca_subject.common_name, "Acme CA");
  EXPECT_EQ(s.ca_ttl, 72h);
  EXPECT_EQ(s.default_x509_svid_ttl, 6h);
  EXPECT_EQ(s.default_jwt_svid_ttl, 10min);
  EXPECT_EQ(s.jwt_issuer, "https://issuer.example.org");
  EXPECT_TRUE(s.disable_jwt_svids);
  EXPECT_EQ(s.log.level, "WARN");
  EXPECT_EQ(s.log.format, "json");
  EXPECT_EQ(s.log.file, "/var/log/spire.log");
  EXPECT_TRUE(s.log.source_location);
  EXPECT_EQ(s.prune_attested_nodes_expired_for, std::optional<Duration>(720h));
  EXPECT_EQ(s.prune_attested_nodes_batch_size, 50);
  EXPECT_TRUE(s.prune_tofu_nodes);
  EXPECT_EQ(s.proxy_protocol_trusted_cidrs, std::vector<std::string>{"10.0.0.0/8"});
  EXPECT_FALSE(s.ratelimit.attestation);
  EXPECT_FALSE(s.ratelimit.signing);
  EXPECT_EQ(s.max_attested_node_info_staleness, 30s);
  EXPECT_TRUE(s.profiling_enabled);
  EXPECT_EQ(s.profiling_port, 6060);
  EXPECT_EQ(s.profiling_freq, 10);
  EXPECT_EQ(s.profiling_names.size(), 2u);
  const ServerExperimentalConfig& e = s.experimental;
  EXPECT_EQ(e.cache_reload_interval, 10s);
  EXPECT_TRUE(e.events_based_cache);
  EXPECT_EQ(e.full_cache_reload_interval, 12h);
  EXPECT_EQ(e.prune_events_older_than, 6h);
  EXPECT_EQ(e.event_timeout, 20min);
  EXPECT_TRUE(e.agent_spiffe_id_as_selector);
  ASSERT_TRUE(e.auth_opa_policy_engine && e.auth_opa_policy_engine->local);
  EXPECT_EQ(e.auth_opa_policy_engine->local->rego_path, "/p.rego");
  EXPECT_EQ(e.auth_opa_policy_engine->local->policy_data_path, "/p.json");
  EXPECT_EQ(e.named_pipe_name, "\\pipe");
  EXPECT_TRUE(e.require_pq_kem);
  EXPECT_EQ(e.sql_transaction_timeout, std::optional<Duration>(45s));
  EXPECT_EQ(e.wit_issuer, "wit.example.org");
  EXPECT_EQ(e.wit_key_type, std::optional<KeyType>(KeyType::kEcP384));
  EXPECT_EQ(e.feature_flags, std::vector<std::string>{"flag_a"});
}

TEST(ServerConfig, PortAsStringIsAcceptedLikeSpireExample) {
  EXPECT_EQ(loadOk(serverConf("  bind_port = \"8443\"\n")).bind_port, 8443);
  EXPECT_EQ(loadOk(serverConf("  bind_port = \"0x50\"\n")).bind_port, 80);
}

TEST(ServerConfig, TypeErrorsNameKeyAndPosition) {
  EXPECT_TRUE(invalid(load(serverConf("  bind_port = \"abc\"\n")),
                      "server.bind_port: expected a number, got string \"abc\" at s.conf:4:15"));
  EXPECT_TRUE(invalid(load(serverConf("  bind_port = 1.5\n")),
                      "server.bind_port: expected an integer, got number 1.5 at s.conf:4:15"));
  EXPECT_TRUE(invalid(load(serverConf("  bind_port = true\n")),
                      "server.bind_port: expected a number, got bool true at s.conf:4:15"));
  EXPECT_TRUE(invalid(load(serverConf("  socket_path = [\"a\"]\n")),
                      "server.socket_path: expected a string, got list at s.conf:4:17"));
  EXPECT_TRUE(invalid(load(serverConf("  audit_log_enabled = \"true\"\n")),
                      "server.audit_log_enabled: expected a bool, got string \"true\" at "
                      "s.conf:4:23"));
  EXPECT_TRUE(invalid(load(serverConf("  admin_ids = \"spiffe://x/y\"\n")),
                      "server.admin_ids: expected a list of strings, got string \"spiffe://x/y\" "
                      "at s.conf:4:15"));
  EXPECT_TRUE(invalid(load(serverConf("  admin_ids = [\"a\", true]\n")),
                      "server.admin_ids: expected a list of strings, got bool true in the list at "
                      "s.conf:4:21"));
  EXPECT_TRUE(invalid(load(serverConf("  ca_subject = \"x\"\n")),
                      "server.ca_subject: expected a block, got string \"x\" at s.conf:4:16"));
  EXPECT_TRUE(invalid(load("server = 1\nplugins {}\n"),
                      "server: expected a block, got number 1 at s.conf:1:10"));
}

TEST(ServerConfig, NumberIntoStringFieldIsItsText) {
  EXPECT_EQ(loadOk(serverConf("  jwt_issuer = 42\n")).jwt_issuer, "42");
}

TEST(ServerConfig, PortRange) {
  EXPECT_TRUE(invalid(load(serverConf("  bind_port = 70000\n")),
                      "server.bind_port: port 70000 is out of range 0-65535 at s.conf:4:15"));
  EXPECT_TRUE(invalid(load(serverConf("  bind_port = -1\n")),
                      "server.bind_port: port -1 is out of range 0-65535 at s.conf:4:15"));
}

TEST(ServerConfig, RequiredSections) {
  EXPECT_TRUE(invalid(load("plugins {}\n"), "server section must be configured"));
  EXPECT_TRUE(invalid(load(serverConf("", "")), "plugins section must be configured"));
  EXPECT_TRUE(invalid(load("server {\n  data_dir = \"/d\"\n}\nplugins {}\n"),
                      "trust_domain must be configured"));
  EXPECT_TRUE(invalid(load("server {\n  trust_domain = \"example.org\"\n}\nplugins {}\n"),
                      "data_dir must be configured"));
  EXPECT_TRUE(invalid(load(serverConf("  bind_address = \"\"\n")),
                      "bind_address and bind_port must be configured"));
  EXPECT_TRUE(invalid(load(serverConf("  bind_port = 0\n")),
                      "bind_address and bind_port must be configured"));
}

TEST(ServerConfig, LogLevelAndFormat) {
  EXPECT_EQ(loadOk(serverConf("  log_level = \"debug\"\n")).log.level, "DEBUG");
  EXPECT_EQ(loadOk(serverConf("  log_level = \"Error\"\n")).log.level, "ERROR");
  EXPECT_EQ(loadOk(serverConf("  log_format = \"Text\"\n")).log.format, "text");
  EXPECT_TRUE(invalid(load(serverConf("  log_level = \"verbose\"\n")),
                      "server.log_level: invalid log level \"verbose\", expected one of DEBUG, "
                      "INFO, WARN, ERROR at s.conf:4:15"));
  EXPECT_TRUE(invalid(load(serverConf("  log_format = \"xml\"\n")),
                      "server.log_format: invalid log format \"xml\", expected text or json at "
                      "s.conf:4:16"));
}

TEST(ServerConfig, KeyTypes) {
  ServerConfig s = loadOk(serverConf("  ca_key_type = \"RSA-4096\"\n"));
  EXPECT_EQ(s.ca_key_type, KeyType::kRsa4096);
  EXPECT_EQ(s.jwt_key_type, KeyType::kRsa4096); // follows ca_key_type
  EXPECT_EQ(loadOk(serverConf("  jwt_key_type = \"rsa-2048\"\n")).jwt_key_type, KeyType::kRsa2048);
  EXPECT_TRUE(invalid(load(serverConf("  ca_key_type = \"ed25519\"\n")),
                      "server.ca_key_type: key type \"ed25519\" is unknown; must be one of "
                      "[rsa-2048, rsa-4096, ec-p256, ec-p384] at s.conf:4:17"));
  EXPECT_TRUE(invalid(load(serverConf("  jwt_key_type = \"ec-p521\"\n")),
                      "server.jwt_key_type: key type \"ec-p521\" is unknown; must be one of "
                      "[rsa-2048, rsa-4096, ec-p256, ec-p384] at s.conf:4:18"));
  EXPECT_TRUE(invalid(load(serverConf("  experimental {\n    wit_key_type = \"x\"\n  }\n")),
                      "server.experimental.wit_key_type: key type \"x\" is unknown; must be one of "
                      "[rsa-2048, rsa-4096, ec-p256, ec-p384] at s.conf:5:20"));
}

TEST(ServerConfig, Durations) {
  ServerConfig s = loadOk(serverConf("  ca_ttl = \"1h30m\"\n  default_x509_svid_ttl = \"90s\"\n"
                                     "  default_jwt_svid_ttl = \"1.5h\"\n  agent_ttl = \"500ms\"\n"
                                     "  max_attested_node_info_staleness = 0\n"));
  EXPECT_EQ(s.ca_ttl, 90min);
  EXPECT_EQ(s.default_x509_svid_ttl, 90s);
  EXPECT_EQ(s.default_jwt_svid_ttl, 90min);
  EXPECT_EQ(s.agentTtl(), 500ms);
  EXPECT_EQ(s.max_attested_node_info_staleness, 0s);
}

TEST(ServerConfig, AgentTtlFollowsDefaultX509SvidTtl) {
  EXPECT_EQ(loadOk(serverConf("  default_x509_svid_ttl = \"6h\"\n")).agentTtl(), 6h);
}

TEST(ServerConfig, BadDurationsNameKeyAndPosition) {
  EXPECT_TRUE(invalid(load(serverConf("  ca_ttl = \"1d\"\n")),
                      "server.ca_ttl: could not parse \"1d\": time: unknown unit \"d\" in duration "
                      "\"1d\" at s.conf:4:12"));
  EXPECT_TRUE(invalid(load(serverConf("  default_x509_svid_ttl = 3600\n")),
                      "server.default_x509_svid_ttl: could not parse \"3600\": time: missing unit "
                      "in duration \"3600\" at s.conf:4:27"));
  EXPECT_TRUE(
      invalid(load(serverConf("  agent_ttl = true\n")),
              "server.agent_ttl: expected a duration string, got bool true at s.conf:4:15"));
  EXPECT_TRUE(invalid(load(serverConf("  experimental {\n    event_timeout = \"soon\"\n  }\n")),
                      "server.experimental.event_timeout: could not parse \"soon\": time: invalid "
                      "duration \"soon\" at s.conf:5:21"));
}

TEST(ServerConfig, EmptyCaSubjectKeepsDefault) {
  ServerConfig s = loadOk(serverConf("  ca_subject {}\n"));
  EXPECT_EQ(s.ca_subject.country, std::vector<std::string>{"US"});
  EXPECT_EQ(s.ca_subject.organization, std::vector<std::string>{"SPIFFE"});
}

TEST(ServerConfig, PartialCaSubjectReplacesDefault) {
  ServerConfig s = loadOk(serverConf("  ca_subject { common_name = \"CA\" }\n"));
  EXPECT_TRUE(s.ca_subject.country.empty());
  EXPECT_EQ(s.ca_subject.common_name, "CA");
}

TEST(ServerConfig, PruneBatchSizeMustBePositive) {
  EXPECT_TRUE(invalid(load(serverConf("  prune_attested_nodes_batch_size = 0\n")),
                      "server.prune_attested_nodes_batch_size: must be greater than 0 at "
                      "s.conf:4:37"));
}

TEST(ServerConfig, KeysMatchCaseInsensitivelyAsInHcl1) {
  ServerConfig s = loadOk(serverConf("  Bind_Port = 1234\n  LOG_LEVEL = \"debug\"\n"));
  EXPECT_EQ(s.bind_port, 1234);
  EXPECT_EQ(s.log.level, "DEBUG");
}

TEST(ServerConfig, RepeatedKeyLastWinsAndRepeatedBlocksMerge) {
  ServerConfig s = loadOk("server {\n  trust_domain = \"a.org\"\n  bind_port = 1\n}\n"
                          "server {\n  data_dir = \"/d\"\n  bind_port = 2\n}\nplugins {}\n");
  EXPECT_EQ(s.trust_domain, "a.org");
  EXPECT_EQ(s.data_dir, "/d");
  EXPECT_EQ(s.bind_port, 2);
}

TEST(ServerConfig, SeveralErrorsAreReportedTogether) {
  EXPECT_TRUE(invalid(load(serverConf("  bind_port = \"x\"\n  ca_ttl = \"y\"\n")),
                      "server.bind_port: expected a number, got string \"x\" at s.conf:4:15; "
                      "server.ca_ttl: could not parse \"y\": time: invalid duration \"y\" at "
                      "s.conf:5:12"));
}

} // namespace
} // namespace spire::config
