#include "config/loader.h"

#include <gtest/gtest.h>

#include "config_test_util.h"

namespace spire::config {
namespace {

using testing::invalid;

Result<ServerFileConfig> load(const std::string& text) {
  LoadOptions options;
  options.source_name = "u.conf";
  return loadServerConfigFromString(text, options);
}

// `extra` starts at line 4 inside server {}.
std::string serverConf(const std::string& extra, const std::string& after = "plugins {}\n") {
  return "server {\n  trust_domain = \"example.org\"\n  data_dir = \"/d\"\n" + extra + "}\n" +
         after;
}

TEST(UnknownKeys, TopLevel) {
  EXPECT_TRUE(invalid(load(serverConf("") + "unknown_option1 = 1\nunknown_option2 {}\n"),
                      "unknown configuration detected: \"unknown_option1\" at u.conf:6:1, "
                      "\"unknown_option2\" at u.conf:7:1"));
}

TEST(UnknownKeys, AgentBlockInServerFileIsUnknown) {
  EXPECT_TRUE(invalid(load(serverConf("") + "agent {}\n"),
                      "unknown configuration detected: \"agent\" at u.conf:6:1"));
}

TEST(UnknownKeys, InServerBlock) {
  EXPECT_TRUE(invalid(load(serverConf("  bind_prot = 1\n  default_svid_ttl = \"1h\"\n")),
                      "unknown configuration detected: \"server.bind_prot\" at u.conf:4:3, "
                      "\"server.default_svid_ttl\" at u.conf:5:3"));
}

TEST(UnknownKeys, InCaSubjectRatelimitAndExperimental) {
  EXPECT_TRUE(invalid(load(serverConf("  ca_subject {\n    province = [\"x\"]\n  }\n"
                                      "  ratelimit {\n    burst = 5\n  }\n"
                                      "  experimental {\n    turbo = true\n  }\n")),
                      "unknown configuration detected: \"server.ca_subject.province\" at "
                      "u.conf:5:5, \"server.ratelimit.burst\" at u.conf:8:5, "
                      "\"server.experimental.turbo\" at u.conf:11:5"));
}

TEST(UnknownKeys, InOpaPolicyEngine) {
  EXPECT_TRUE(invalid(load(serverConf("  experimental {\n    auth_opa_policy_engine {\n"
                                      "      remote {}\n      local {\n        x = 1\n      }\n"
                                      "    }\n  }\n")),
                      "unknown configuration detected: "
                      "\"server.experimental.auth_opa_policy_engine.remote\" at u.conf:6:7, "
                      "\"server.experimental.auth_opa_policy_engine.local.x\" at u.conf:8:9"));
}

TEST(UnknownKeys, InFederationBlocks) {
  EXPECT_TRUE(invalid(
      load(serverConf(
          "  federation {\n    extra = 1\n    bundle_endpoint {\n      tls = 1\n"
          "      profile \"https_web\" {\n        acme {\n          domain_name = \"d\"\n"
          "          email = \"e\"\n          staging = true\n        }\n"
          "        other = 1\n      }\n    }\n"
          "    federates_with \"a.test\" {\n      bundle_endpoint_url = \"https://a\"\n"
          "      bundle_endpoint_profile \"https_spiffe\" {\n"
          "        endpoint_spiffe_id = \"spiffe://a/s\"\n        x = 1\n      }\n"
          "      y = 2\n    }\n  }\n")),
      "unknown configuration detected: "
      "\"server.federation.extra\" at u.conf:5:5, "
      "\"server.federation.bundle_endpoint.tls\" at u.conf:7:7, "
      "\"server.federation.bundle_endpoint.profile[\\\"https_web\\\"].acme.staging\" at "
      "u.conf:12:11, "
      "\"server.federation.bundle_endpoint.profile[\\\"https_web\\\"].other\" at u.conf:14:9, "
      "\"server.federation.federates_with[\\\"a.test\\\"].bundle_endpoint_profile[\\\"https_"
      "spiffe\\\"].x\" at u.conf:21:9, "
      "\"server.federation.federates_with[\\\"a.test\\\"].y\" at u.conf:23:7"));
}

TEST(UnknownKeys, InHealthChecksAndTelemetry) {
  EXPECT_TRUE(invalid(load(serverConf("") + "health_checks {\n  unknown_option1 = 1\n}\n"
                                            "telemetry {\n  Prometheus {\n    bogus = 1\n  }\n"
                                            "  DogStatsd = [{ address = \"a\", b = 1 }]\n"
                                            "  weird = 2\n}\n"),
                      "unknown configuration detected: \"health_checks.unknown_option1\" at "
                      "u.conf:7:3, \"telemetry.Prometheus.bogus\" at u.conf:11:5, "
                      "\"telemetry.DogStatsd.b\" at u.conf:13:33, \"telemetry.weird\" at "
                      "u.conf:14:3"));
}

TEST(UnknownKeys, InPluginBlockButNotInPluginData) {
  EXPECT_TRUE(invalid(load(serverConf("", "plugins {\n  KeyManager \"disk\" {\n"
                                          "    plugin_data { anything = 1 }\n"
                                          "    plugin_dta {}\n  }\n}\n")),
                      "unknown configuration detected: \"plugins.KeyManager[\\\"disk\\\"]."
                      "plugin_dta\" at u.conf:8:5"));
}

TEST(UnknownKeys, ReportedBeforeOtherErrors) {
  EXPECT_TRUE(invalid(load(serverConf("  nope = 1\n  bind_port = \"x\"\n")),
                      "unknown configuration detected: \"server.nope\" at u.conf:4:3; "
                      "server.bind_port: expected a number, got string \"x\" at u.conf:5:15"));
}

TEST(UnknownKeys, InJsonFile) {
  LoadOptions options;
  options.source_name = "u.json";
  EXPECT_TRUE(invalid(
      loadServerConfigFromString("{\"server\": {\"trust_domain\": \"t\", \"data_dir\": \"/d\", "
                                 "\"bogus\": 1}, \"plugins\": {}}",
                                 options),
      "unknown configuration detected: \"server.bogus\" at u.json:1:52"));
}

} // namespace
} // namespace spire::config
