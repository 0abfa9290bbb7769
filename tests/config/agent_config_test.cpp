#include "config/loader.h"

#include <gtest/gtest.h>

#include "config_test_util.h"

namespace spire::config {
namespace {

using namespace std::chrono_literals;
using testing::invalid;

const char* const kRequired = "  trust_domain = \"example.org\"\n  server_address = \"10.0.0.1\"\n"
                              "  server_port = 8081\n";

// `extra` starts at line 5 inside agent {}. The bootstrap source is added unless `bootstrap` is
// false, at the end so it does not move the lines of `extra`.
std::string agentConf(const std::string& extra, bool bootstrap = true) {
  return std::string("agent {\n") + kRequired + extra +
         (bootstrap ? "  trust_bundle_path = \"/b.pem\"\n" : "") + "}\nplugins {}\n";
}

Result<AgentFileConfig> load(const std::string& text) {
  LoadOptions options;
  options.source_name = "a.conf";
  return loadAgentConfigFromString(text, options);
}

AgentConfig loadOk(const std::string& text) {
  Result<AgentFileConfig> r = load(text);
  EXPECT_TRUE(r.isOk()) << r.status().message();
  return r.isOk() ? r->agent : AgentConfig{};
}

TEST(AgentConfig, Defaults) {
  Result<AgentFileConfig> r = load(agentConf(""));
  ASSERT_TRUE(r.isOk()) << r.status().message();
  const AgentConfig& a = r->agent;
  EXPECT_EQ(a.trust_domain, "example.org");
  EXPECT_EQ(a.server_address, "10.0.0.1");
  EXPECT_EQ(a.server_port, 8081);
  EXPECT_EQ(a.data_dir, ".");
  EXPECT_EQ(a.socket_path, "/tmp/spire-agent/public/api.sock");
  EXPECT_EQ(a.admin_socket_path, "");
  EXPECT_FALSE(a.disable_workload_api);
  EXPECT_FALSE(a.disable_sds_api);
  EXPECT_EQ(a.trust_bundle_path, "/b.pem");
  EXPECT_EQ(a.trust_bundle_url, "");
  EXPECT_EQ(a.trust_bundle_unix_socket, "");
  EXPECT_EQ(a.trust_bundle_spiffe_workload_api, "");
  EXPECT_EQ(a.trust_bundle_format, TrustBundleFormat::kPem);
  EXPECT_FALSE(a.insecure_bootstrap);
  EXPECT_EQ(a.rebootstrap_mode, RebootstrapMode::kNever);
  EXPECT_EQ(a.rebootstrap_delay, 10min);
  EXPECT_EQ(a.join_token, "");
  EXPECT_EQ(a.join_token_file, "");
  EXPECT_EQ(a.workload_x509_svid_key_type, KeyType::kEcP256);
  EXPECT_FALSE(a.availability_target.has_value());
  EXPECT_EQ(a.x509_svid_cache_max_size, 1000);
  EXPECT_EQ(a.jwt_svid_cache_max_size, 1000);
  EXPECT_FALSE(a.allow_unauthenticated_verifiers);
  EXPECT_TRUE(a.allowed_foreign_jwt_claims.empty());
  EXPECT_TRUE(a.authorized_delegates.empty());
  EXPECT_EQ(a.log.level, "INFO");
  EXPECT_EQ(a.log.format, "text");
  EXPECT_TRUE(a.log_selectors.empty());
  EXPECT_EQ(a.sds.default_svid_name, "default");
  EXPECT_EQ(a.sds.default_bundle_name, "ROOTCA");
  EXPECT_EQ(a.sds.default_all_bundles_name, "ALL");
  EXPECT_FALSE(a.sds.disable_spiffe_cert_validation);
  EXPECT_FALSE(a.profiling_enabled);
  const AgentExperimentalConfig& e = a.experimental;
  EXPECT_EQ(e.sync_interval, 5s);
  EXPECT_TRUE(e.use_sync_authorized_entries);
  EXPECT_EQ(e.jwt_svid_cache_hit_timeout, 30s);
  EXPECT_FALSE(e.require_pq_kem);
  EXPECT_EQ(e.named_pipe_name, "\\spire-agent\\public\\api");
  EXPECT_EQ(e.admin_named_pipe_name, "");
  EXPECT_EQ(e.ratelimit.fetch_x509_svid, 0);
  EXPECT_EQ(e.ratelimit.fetch_secrets, 0);
  EXPECT_FALSE(e.broker.has_value());
  EXPECT_TRUE(e.feature_flags.empty());
  EXPECT_EQ(r->telemetry.metric_prefix, "spire_agent");
  EXPECT_EQ(r->health_checks.bind_port, 80);
}

TEST(AgentConfig, EveryOptionSet) {
  AgentConfig a = loadOk(agentConf(R"(
  data_dir = "/var/lib/spire"
  socket_path = "/run/api.sock"
  admin_socket_path = "/run/admin.sock"
  disable_workload_api = true
  disable_sds_api = true
  trust_bundle_format = "spiffe"
  rebootstrap_mode = "AUTO"
  rebootstrap_delay = "1m"
  join_token = "tok"
  workload_x509_svid_key_type = "rsa-2048"
  availability_target = "48h"
  x509_svid_cache_max_size = 5
  jwt_svid_cache_max_size = 6
  allow_unauthenticated_verifiers = true
  allowed_foreign_jwt_claims = ["c1", "c2"]
  authorized_delegates = ["spiffe://example.org/d"]
  log_level = "ERROR"
  log_format = "json"
  log_file = "/l"
  log_source_location = true
  log_selectors = ["unix:uid"]
  sds {
    default_svid_name = "svid"
    default_bundle_name = "bundle"
    default_all_bundles_name = "all"
    disable_spiffe_cert_validation = true
  }
  profiling_enabled = true
  profiling_port = 6061
  profiling_freq = 3
  profiling_names = ["heap"]
  experimental {
    sync_interval = "2s45ms"
    use_sync_authorized_entries = false
    jwt_svid_cache_hit_timeout = "10s"
    require_pq_kem = true
    named_pipe_name = "\\p"
    admin_named_pipe_name = "\\a"
    feature_flags = ["f"]
    ratelimit {
      fetch_x509_svid = 1
      fetch_jwt_svid = 2
      fetch_x509_bundles = 3
      fetch_jwt_bundles = 4
      stream_secrets = 5
      fetch_secrets = 6
    }
    broker {
      socket_path = "/run/broker.sock"
      bind_address = "127.0.0.1:8443"
      brokers = [{
        id = "spiffe://example.org/broker"
        allowed_reference_types = [{ type_url = "t1", allow_over_tcp = true }, { type_url = "t2" }]
      }]
    }
  }
)"));
  EXPECT_EQ(a.data_dir, "/var/lib/spire");
  EXPECT_EQ(a.socket_path, "/run/api.sock");
  EXPECT_EQ(a.admin_socket_path, "/run/admin.sock");
  EXPECT_TRUE(a.disable_workload_api);
  EXPECT_TRUE(a.disable_sds_api);
  EXPECT_EQ(a.trust_bundle_format, TrustBundleFormat::kSpiffe);
  EXPECT_EQ(a.rebootstrap_mode, RebootstrapMode::kAuto);
  EXPECT_EQ(a.rebootstrap_delay, 1min);
  EXPECT_EQ(a.join_token, "tok");
  EXPECT_EQ(a.workload_x509_svid_key_type, KeyType::kRsa2048);
  EXPECT_EQ(a.availability_target, std::optional<Duration>(48h));
  EXPECT_EQ(a.x509_svid_cache_max_size, 5);
  EXPECT_EQ(a.jwt_svid_cache_max_size, 6);
  EXPECT_TRUE(a.allow_unauthenticated_verifiers);
  EXPECT_EQ(a.allowed_foreign_jwt_claims, (std::vector<std::string>{"c1", "c2"}));
  EXPECT_EQ(a.authorized_delegates.size(), 1u);
  EXPECT_EQ(a.log.level, "ERROR");
  EXPECT_EQ(a.log.format, "json");
  EXPECT_EQ(a.log.file, "/l");
  EXPECT_TRUE(a.log.source_location);
  EXPECT_EQ(a.log_selectors, std::vector<std::string>{"unix:uid"});
  EXPECT_EQ(a.sds.default_svid_name, "svid");
  EXPECT_EQ(a.sds.default_bundle_name, "bundle");
  EXPECT_EQ(a.sds.default_all_bundles_name, "all");
  EXPECT_TRUE(a.sds.disable_spiffe_cert_validation);
  EXPECT_TRUE(a.profiling_enabled);
  EXPECT_EQ(a.profiling_port, 6061);
  EXPECT_EQ(a.profiling_freq, 3);
  const AgentExperimentalConfig& e = a.experimental;
  EXPECT_EQ(e.sync_interval, 2045ms);
  EXPECT_FALSE(e.use_sync_authorized_entries);
  EXPECT_EQ(e.jwt_svid_cache_hit_timeout, 10s);
  EXPECT_TRUE(e.require_pq_kem);
  EXPECT_EQ(e.named_pipe_name, "\\p");
  EXPECT_EQ(e.admin_named_pipe_name, "\\a");
  EXPECT_EQ(e.feature_flags, std::vector<std::string>{"f"});
  EXPECT_EQ(e.ratelimit.fetch_x509_svid, 1);
  EXPECT_EQ(e.ratelimit.fetch_jwt_svid, 2);
  EXPECT_EQ(e.ratelimit.fetch_x509_bundles, 3);
  EXPECT_EQ(e.ratelimit.fetch_jwt_bundles, 4);
  EXPECT_EQ(e.ratelimit.stream_secrets, 5);
  EXPECT_EQ(e.ratelimit.fetch_secrets, 6);
  ASSERT_TRUE(e.broker.has_value());
  EXPECT_EQ(e.broker->socket_path, "/run/broker.sock");
  EXPECT_EQ(e.broker->bind_address, "127.0.0.1:8443");
  ASSERT_EQ(e.broker->brokers.size(), 1u);
  EXPECT_EQ(e.broker->brokers[0].id, "spiffe://example.org/broker");
  ASSERT_EQ(e.broker->brokers[0].allowed_reference_types.size(), 2u);
  EXPECT_TRUE(e.broker->brokers[0].allowed_reference_types[0].allow_over_tcp);
  EXPECT_EQ(e.broker->brokers[0].allowed_reference_types[1].type_url, "t2");
  EXPECT_FALSE(e.broker->brokers[0].allowed_reference_types[1].allow_over_tcp);
}

TEST(AgentConfig, ServerPortAsString) {
  EXPECT_EQ(loadOk(agentConf("  server_port = \"9443\"\n")).server_port, 9443);
}

TEST(AgentConfig, RequiredKeys) {
  EXPECT_TRUE(invalid(load("plugins {}\n"), "agent section must be configured"));
  EXPECT_TRUE(invalid(load("agent {}\n"), "plugins section must be configured"));
  EXPECT_TRUE(invalid(load("agent {\n  server_port = 1\n  trust_domain = \"t\"\n}\nplugins {}\n"),
                      "server_address must be configured"));
  EXPECT_TRUE(invalid(load("agent {\n  server_address = \"a\"\n  trust_domain = \"t\"\n}\n"
                           "plugins {}\n"),
                      "server_port must be configured"));
  EXPECT_TRUE(invalid(load("agent {\n  server_address = \"a\"\n  server_port = 1\n}\nplugins {}\n"),
                      "trust_domain must be configured"));
}

TEST(AgentConfig, ExactlyOneBootstrapSource) {
  EXPECT_TRUE(invalid(load(agentConf("", false)),
                      "trust_bundle_path, trust_bundle_url or trust_bundle_spiffe_workload_api "
                      "must be configured unless insecure_bootstrap is set"));
  EXPECT_TRUE(invalid(load(agentConf("  insecure_bootstrap = true\n")),
                      "only one of insecure_bootstrap or trust_bundle_path can be specified, not "
                      "both"));
  EXPECT_TRUE(invalid(load(agentConf("  trust_bundle_url = \"https://x\"\n")),
                      "only one of trust_bundle_url or trust_bundle_path can be specified, not "
                      "both"));
  EXPECT_TRUE(invalid(
      load(agentConf("  insecure_bootstrap = true\n  trust_bundle_url = \"https://x\"\n", false)),
      "only one of insecure_bootstrap or trust_bundle_url can be specified, not "
      "both"));
  EXPECT_TRUE(
      invalid(load(agentConf("  insecure_bootstrap = true\n  trust_bundle_url = \"https://x\"\n")),
              "only one of insecure_bootstrap, trust_bundle_url, or trust_bundle_path can "
              "be specified, not the three options"));
  EXPECT_TRUE(
      invalid(load(agentConf("  insecure_bootstrap = true\n  trust_bundle_url = \"https://x\"\n"
                             "  trust_bundle_spiffe_workload_api = \"unix:///s\"\n")),
              "only one of insecure_bootstrap, trust_bundle_url, trust_bundle_path, or "
              "trust_bundle_spiffe_workload_api can be specified, not the four options"));
  EXPECT_TRUE(invalid(load(agentConf("  trust_bundle_spiffe_workload_api = \"unix:///s\"\n")),
                      "only one of trust_bundle_path or trust_bundle_spiffe_workload_api can be "
                      "specified, not both"));
}

TEST(AgentConfig, EachBootstrapSourceAloneIsFine) {
  EXPECT_TRUE(loadOk(agentConf("  insecure_bootstrap = true\n", false)).insecure_bootstrap);
  EXPECT_EQ(loadOk(agentConf("  trust_bundle_url = \"https://x/b\"\n", false)).trust_bundle_url,
            "https://x/b");
  EXPECT_EQ(loadOk(agentConf("  trust_bundle_spiffe_workload_api = \"unix:///s\"\n", false))
                .trust_bundle_spiffe_workload_api,
            "unix:///s");
}

TEST(AgentConfig, TrustBundleUrlScheme) {
  EXPECT_TRUE(invalid(load(agentConf("  trust_bundle_url = \"http://x/b\"\n", false)),
                      "trust bundle URL must start with https://"));
  AgentConfig a = loadOk(agentConf(
      "  trust_bundle_url = \"http://localhost/b\"\n  trust_bundle_unix_socket = \"/s\"\n", false));
  EXPECT_EQ(a.trust_bundle_unix_socket, "/s");
  EXPECT_TRUE(invalid(load(agentConf("  trust_bundle_url = \"ftp://x\"\n"
                                     "  trust_bundle_unix_socket = \"/s\"\n",
                                     false)),
                      "trust bundle URL must start with http:// or https://"));
  EXPECT_TRUE(invalid(load(agentConf("  trust_bundle_unix_socket = \"/s\"\n")),
                      "trust_bundle_unix_socket requires trust_bundle_url"));
}

TEST(AgentConfig, TrustBundleFormat) {
  EXPECT_TRUE(invalid(load(agentConf("  trust_bundle_format = \"der\"\n")),
                      "agent.trust_bundle_format: invalid value \"der\", expected \"pem\" or "
                      "\"spiffe\" at a.conf:5:25"));
}

TEST(AgentConfig, RebootstrapMode) {
  EXPECT_EQ(loadOk(agentConf("  rebootstrap_mode = \"always\"\n")).rebootstrap_mode,
            RebootstrapMode::kAlways);
  EXPECT_EQ(rebootstrapModeName(RebootstrapMode::kAuto), "auto");
  EXPECT_TRUE(invalid(load(agentConf("  rebootstrap_mode = \"sometimes\"\n")),
                      "agent.rebootstrap_mode: invalid value \"sometimes\", expected \"never\", "
                      "\"auto\" or \"always\" at a.conf:5:22"));
}

TEST(AgentConfig, JoinTokenAndFileAreExclusive) {
  EXPECT_EQ(loadOk(agentConf("  join_token_file = \"/t\"\n")).join_token_file, "/t");
  EXPECT_TRUE(invalid(load(agentConf("  join_token = \"a\"\n  join_token_file = \"/t\"\n")),
                      "only one of join_token or join_token_file can be specified, not both"));
}

TEST(AgentConfig, WorkloadKeyType) {
  EXPECT_EQ(loadOk(agentConf("  workload_x509_svid_key_type = \"EC-P384\"\n"))
                .workload_x509_svid_key_type,
            KeyType::kEcP384);
  EXPECT_TRUE(invalid(load(agentConf("  workload_x509_svid_key_type = \"rsa-4096\"\n")),
                      "agent.workload_x509_svid_key_type: key type \"rsa-4096\" is unknown; must "
                      "be one of [rsa-2048, ec-p256, ec-p384] at a.conf:5:33"));
}

TEST(AgentConfig, AvailabilityTargetAtLeastOneDay) {
  EXPECT_EQ(loadOk(agentConf("  availability_target = \"24h\"\n")).availability_target,
            std::optional<Duration>(24h));
  EXPECT_TRUE(invalid(load(agentConf("  availability_target = \"1h\"\n")),
                      "agent.availability_target: must be at least 24h0m0s at a.conf:5:25"));
}

TEST(AgentConfig, NegativeLimits) {
  EXPECT_TRUE(invalid(load(agentConf("  x509_svid_cache_max_size = -10\n")),
                      "agent.x509_svid_cache_max_size: should not be negative at a.conf:5:30"));
  EXPECT_TRUE(invalid(load(agentConf("  jwt_svid_cache_max_size = -1\n")),
                      "agent.jwt_svid_cache_max_size: should not be negative at a.conf:5:29"));
  EXPECT_TRUE(invalid(load(agentConf("  experimental {\n    ratelimit {\n"
                                     "      stream_secrets = -1\n    }\n  }\n")),
                      "agent.experimental.ratelimit.stream_secrets: should not be negative at "
                      "a.conf:7:24"));
}

TEST(AgentConfig, BadDuration) {
  EXPECT_TRUE(invalid(load(agentConf("  experimental {\n    sync_interval = \"moo\"\n  }\n")),
                      "agent.experimental.sync_interval: could not parse \"moo\": time: invalid "
                      "duration \"moo\" at a.conf:6:21"));
  EXPECT_TRUE(invalid(load(agentConf("  rebootstrap_delay = \"10\"\n")),
                      "agent.rebootstrap_delay: could not parse \"10\": time: missing unit in "
                      "duration \"10\" at a.conf:5:23"));
}

TEST(AgentConfig, LogLevelValidation) {
  EXPECT_EQ(loadOk(agentConf("  log_level = \"wArN\"\n  log_format = \"TeXt\"\n")).log.level,
            "WARN");
  EXPECT_TRUE(invalid(load(agentConf("  log_level = \"not-a-valid-level\"\n")),
                      "agent.log_level: invalid log level \"not-a-valid-level\", expected one of "
                      "DEBUG, INFO, WARN, ERROR at a.conf:5:15"));
}

TEST(AgentConfig, UnknownKeysInAgentSdsExperimentalBroker) {
  EXPECT_TRUE(invalid(load(agentConf("  unknown_option1 = 1\n  sds {\n    foo = 1\n  }\n"
                                     "  experimental {\n    bar = 1\n    ratelimit { baz = 1 }\n"
                                     "    broker {\n      brokers = [{ id = \"x\", qux = 1 }]\n"
                                     "    }\n  }\n")),
                      "unknown configuration detected: \"agent.unknown_option1\" at a.conf:5:3, "
                      "\"agent.sds.foo\" at a.conf:7:5, \"agent.experimental.bar\" at "
                      "a.conf:10:5, \"agent.experimental.ratelimit.baz\" at a.conf:11:17, "
                      "\"agent.experimental.broker.brokers.qux\" at a.conf:13:30"));
}

TEST(AgentConfig, ServerBlockInAgentFileIsUnknown) {
  EXPECT_TRUE(invalid(load(agentConf("") + "server {}\n"),
                      "unknown configuration detected: \"server\" at a.conf:8:1"));
}

} // namespace
} // namespace spire::config
