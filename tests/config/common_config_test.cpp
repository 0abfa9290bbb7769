#include "config/loader.h"

#include <gtest/gtest.h>

#include "config_test_util.h"

namespace spire::config {
namespace {

using testing::invalid;

const char* const kServer =
    "server {\n  trust_domain = \"example.org\"\n  data_dir = \"/d\"\n}\nplugins {}\n";

// `extra` starts at line 6.
Result<ServerFileConfig> load(const std::string& extra) {
  LoadOptions options;
  options.source_name = "c.conf";
  return loadServerConfigFromString(std::string(kServer) + extra, options);
}

TEST(HealthChecks, Defaults) {
  Result<ServerFileConfig> r = load("");
  ASSERT_TRUE(r.isOk());
  const HealthChecksConfig& h = r->health_checks;
  EXPECT_FALSE(h.listener_enabled);
  EXPECT_EQ(h.bind_address, "localhost");
  EXPECT_EQ(h.bind_port, 80);
  EXPECT_EQ(h.live_path, "/live");
  EXPECT_EQ(h.ready_path, "/ready");
}

TEST(HealthChecks, AllSet) {
  Result<ServerFileConfig> r =
      load("health_checks {\n  listener_enabled = true\n  bind_address = \"0.0.0.0\"\n"
           "  bind_port = \"8080\"\n  live_path = \"/l\"\n  ready_path = \"/r\"\n}\n");
  ASSERT_TRUE(r.isOk()) << r.status().message();
  const HealthChecksConfig& h = r->health_checks;
  EXPECT_TRUE(h.listener_enabled);
  EXPECT_EQ(h.bind_address, "0.0.0.0");
  EXPECT_EQ(h.bind_port, 8080);
  EXPECT_EQ(h.live_path, "/l");
  EXPECT_EQ(h.ready_path, "/r");
}

TEST(HealthChecks, BadPort) {
  EXPECT_TRUE(invalid(load("health_checks {\n  bind_port = \"http\"\n}\n"),
                      "health_checks.bind_port: expected a number, got string \"http\" at "
                      "c.conf:7:15"));
}

TEST(Telemetry, Defaults) {
  Result<ServerFileConfig> r = load("");
  ASSERT_TRUE(r.isOk());
  const TelemetryConfig& t = r->telemetry;
  EXPECT_FALSE(t.prometheus.has_value());
  EXPECT_TRUE(t.dogstatsd.empty());
  EXPECT_TRUE(t.statsd.empty());
  EXPECT_TRUE(t.m3.empty());
  EXPECT_FALSE(t.inmem.has_value());
  EXPECT_EQ(t.metric_prefix, "spire_server");
  EXPECT_FALSE(t.enable_trust_domain_label);
  EXPECT_TRUE(t.enable_hostname_label);
  EXPECT_TRUE(t.allowed_prefixes.empty());
  EXPECT_TRUE(t.blocked_labels.empty());
}

TEST(Telemetry, AllSinksAndOptions) {
  Result<ServerFileConfig> r = load(R"(telemetry {
  Prometheus {
    host = "localhost"
    port = 9988
    tls {
      cert_file = "/c"
      key_file = "/k"
      client_ca_file = "/ca"
      use_spire_svid = true
      authorized_spiffe_ids = ["spiffe://example.org/scraper"]
    }
  }
  DogStatsd = [{ address = "localhost:8125" }, { address = "localhost:8126" }]
  Statsd { address = "s:1" }
  Statsd { address = "s:2" }
  M3 = [{ address = "m:9000", env = "prod" }]
  InMem { enabled = false }
  MetricPrefix = "custom"
  EnableTrustDomainLabel = true
  EnableHostnameLabel = false
  AllowedPrefixes = ["a"]
  BlockedPrefixes = ["b"]
  AllowedLabels = ["c"]
  BlockedLabels = ["d"]
}
)");
  ASSERT_TRUE(r.isOk()) << r.status().message();
  const TelemetryConfig& t = r->telemetry;
  ASSERT_TRUE(t.prometheus.has_value());
  EXPECT_EQ(t.prometheus->host, "localhost");
  EXPECT_EQ(t.prometheus->port, 9988);
  ASSERT_TRUE(t.prometheus->tls.has_value());
  EXPECT_EQ(t.prometheus->tls->cert_file, "/c");
  EXPECT_EQ(t.prometheus->tls->key_file, "/k");
  EXPECT_EQ(t.prometheus->tls->client_ca_file, "/ca");
  EXPECT_TRUE(t.prometheus->tls->use_spire_svid);
  EXPECT_EQ(t.prometheus->tls->authorized_spiffe_ids.size(), 1u);
  ASSERT_EQ(t.dogstatsd.size(), 2u);
  EXPECT_EQ(t.dogstatsd[1].address, "localhost:8126");
  ASSERT_EQ(t.statsd.size(), 2u);
  EXPECT_EQ(t.statsd[0].address, "s:1");
  EXPECT_EQ(t.statsd[1].address, "s:2");
  ASSERT_EQ(t.m3.size(), 1u);
  EXPECT_EQ(t.m3[0].env, "prod");
  ASSERT_TRUE(t.inmem.has_value());
  EXPECT_EQ(t.inmem->enabled, std::optional<bool>(false));
  EXPECT_EQ(t.metric_prefix, "custom");
  EXPECT_TRUE(t.enable_trust_domain_label);
  EXPECT_FALSE(t.enable_hostname_label);
  EXPECT_EQ(t.allowed_prefixes, std::vector<std::string>{"a"});
  EXPECT_EQ(t.blocked_prefixes, std::vector<std::string>{"b"});
  EXPECT_EQ(t.allowed_labels, std::vector<std::string>{"c"});
  EXPECT_EQ(t.blocked_labels, std::vector<std::string>{"d"});
}

TEST(Telemetry, SinkNamesAreCaseInsensitiveLikeHcl1) {
  Result<ServerFileConfig> r = load("telemetry {\n  prometheus { port = 1 }\n  inmem {}\n}\n");
  ASSERT_TRUE(r.isOk()) << r.status().message();
  EXPECT_EQ(r->telemetry.prometheus->port, 1);
  EXPECT_TRUE(r->telemetry.inmem.has_value());
}

TEST(Telemetry, SinkListMustHoldBlocks) {
  EXPECT_TRUE(invalid(load("telemetry {\n  DogStatsd = [\"localhost:8125\"]\n}\n"),
                      "telemetry.DogStatsd: expected a block, got string \"localhost:8125\" at "
                      "c.conf:7:16"));
}

TEST(KeyTypes, NamesRoundTrip) {
  for (KeyType type : {KeyType::kRsa2048, KeyType::kRsa4096, KeyType::kEcP256, KeyType::kEcP384}) {
    EXPECT_EQ(keyTypeFromName(keyTypeName(type)), std::optional<KeyType>(type));
  }
  EXPECT_EQ(keyTypeFromName("EC-P256"), std::optional<KeyType>(KeyType::kEcP256));
  EXPECT_FALSE(keyTypeFromName("ec-p521").has_value());
}

} // namespace
} // namespace spire::config
