#include "config/loader.h"

#include <gtest/gtest.h>

#include "config_test_util.h"

namespace spire::config {
namespace {

using namespace std::chrono_literals;
using testing::invalid;

// `federation` is the body of server.federation {}, starting at line 5 column 5.
std::string conf(const std::string& federation) {
  return "server {\n  trust_domain = \"example.org\"\n  data_dir = \"/d\"\n  federation {\n" +
         federation + "  }\n}\nplugins {}\n";
}

Result<ServerFileConfig> load(const std::string& text) {
  LoadOptions options;
  options.source_name = "f.conf";
  return loadServerConfigFromString(text, options);
}

FederationConfig loadOk(const std::string& federation) {
  Result<ServerFileConfig> r = load(conf(federation));
  EXPECT_TRUE(r.isOk()) << r.status().message();
  if (!r.isOk() || !r->server.federation) {
    return {};
  }
  return *r->server.federation;
}

TEST(Federation, EmptyBlock) {
  FederationConfig f = loadOk("");
  EXPECT_FALSE(f.bundle_endpoint.has_value());
  EXPECT_TRUE(f.federates_with.empty());
}

TEST(Federation, BundleEndpointDefaultsToHttpsSpiffe) {
  FederationConfig f = loadOk("    bundle_endpoint {}\n");
  ASSERT_TRUE(f.bundle_endpoint.has_value());
  EXPECT_EQ(f.bundle_endpoint->address, "0.0.0.0");
  EXPECT_EQ(f.bundle_endpoint->port, 443);
  EXPECT_EQ(f.bundle_endpoint->refresh_hint, 5min);
  EXPECT_EQ(f.bundle_endpoint->profile, BundleEndpointProfile::kHttpsSpiffe);
  EXPECT_FALSE(f.bundle_endpoint->profile_configured);
  EXPECT_FALSE(f.bundle_endpoint->acme.has_value());
}

TEST(Federation, BundleEndpointWithAcme) {
  FederationConfig f = loadOk(R"(    bundle_endpoint {
      address = "127.0.0.1"
      port = 8443
      refresh_hint = "10m"
      profile "https_web" {
        acme {
          domain_name = "example.org"
          email = "a@example.org"
          tos_accepted = true
        }
      }
    }
)");
  ASSERT_TRUE(f.bundle_endpoint.has_value());
  const BundleEndpointConfig& b = *f.bundle_endpoint;
  EXPECT_EQ(b.address, "127.0.0.1");
  EXPECT_EQ(b.port, 8443);
  EXPECT_EQ(b.refresh_hint, 10min);
  EXPECT_EQ(b.profile, BundleEndpointProfile::kHttpsWeb);
  EXPECT_TRUE(b.profile_configured);
  ASSERT_TRUE(b.acme.has_value());
  EXPECT_EQ(b.acme->directory_url, "https://acme-v02.api.letsencrypt.org/directory");
  EXPECT_EQ(b.acme->domain_name, "example.org");
  EXPECT_EQ(b.acme->email, "a@example.org");
  EXPECT_TRUE(b.acme->tos_accepted);
}

TEST(Federation, BundleEndpointWithServingCertFile) {
  FederationConfig f = loadOk(R"(    bundle_endpoint {
      profile "https_web" {
        serving_cert_file {
          cert_file_path = "/c.pem"
          key_file_path = "/k.pem"
        }
      }
    }
)");
  ASSERT_TRUE(f.bundle_endpoint && f.bundle_endpoint->serving_cert_file);
  EXPECT_EQ(f.bundle_endpoint->serving_cert_file->cert_file_path, "/c.pem");
  EXPECT_EQ(f.bundle_endpoint->serving_cert_file->key_file_path, "/k.pem");
  EXPECT_EQ(f.bundle_endpoint->serving_cert_file->file_sync_interval, 1h);
}

TEST(Federation, ExplicitHttpsSpiffeProfile) {
  FederationConfig f = loadOk("    bundle_endpoint {\n      profile \"https_spiffe\" {}\n    }\n");
  ASSERT_TRUE(f.bundle_endpoint.has_value());
  EXPECT_EQ(f.bundle_endpoint->profile, BundleEndpointProfile::kHttpsSpiffe);
  EXPECT_TRUE(f.bundle_endpoint->profile_configured);
}

TEST(Federation, AcmeNeedsDomainAndEmail) {
  EXPECT_TRUE(invalid(load(conf("    bundle_endpoint {\n      profile \"https_web\" {\n"
                                "        acme {}\n      }\n    }\n")),
                      "server.federation.bundle_endpoint.profile[\"https_web\"].acme: domain_name "
                      "must be configured at f.conf:7:14; "
                      "server.federation.bundle_endpoint.profile[\"https_web\"].acme: email must "
                      "be configured at f.conf:7:14"));
}

TEST(Federation, HttpsWebNeedsExactlyOneCertificateSource) {
  EXPECT_TRUE(invalid(load(conf("    bundle_endpoint {\n      profile \"https_web\" {}\n    }\n")),
                      "server.federation.bundle_endpoint.profile[\"https_web\"]: exactly one of "
                      "acme or serving_cert_file must be configured at f.conf:6:27"));
}

TEST(Federation, UnknownOrRepeatedProfile) {
  EXPECT_TRUE(
      invalid(load(conf("    bundle_endpoint {\n      profile \"ftp\" {}\n    }\n")),
              "server.federation.bundle_endpoint.profile[\"ftp\"]: unknown bundle endpoint "
              "profile \"ftp\"; expected \"https_spiffe\" or \"https_web\" at f.conf:6:15"));
  EXPECT_TRUE(invalid(load(conf("    bundle_endpoint {\n      profile \"https_spiffe\" {}\n"
                                "      profile \"https_spiffe\" {}\n    }\n")),
                      "server.federation.bundle_endpoint.profile: only one bundle endpoint profile "
                      "can be configured, got 2 at f.conf:7:15"));
}

TEST(Federation, FederatesWithKeepsOrderAndBothProfiles) {
  FederationConfig f = loadOk(R"(    federates_with "domain.test" {
      bundle_endpoint_url = "https://domain.test:8443"
      bundle_endpoint_profile "https_spiffe" {
        endpoint_spiffe_id = "spiffe://domain.test/spire/server"
      }
    }
    federates_with "web.test" {
      bundle_endpoint_url = "HTTPS://web.test/bundle"
      bundle_endpoint_profile "https_web" {}
    }
)");
  ASSERT_EQ(f.federates_with.size(), 2u);
  EXPECT_EQ(f.federates_with[0].trust_domain, "domain.test");
  EXPECT_EQ(f.federates_with[0].bundle_endpoint_url, "https://domain.test:8443");
  EXPECT_EQ(f.federates_with[0].profile, BundleEndpointProfile::kHttpsSpiffe);
  EXPECT_EQ(f.federates_with[0].endpoint_spiffe_id, "spiffe://domain.test/spire/server");
  EXPECT_EQ(f.federates_with[0].position.toString(), "f.conf:5:20");
  EXPECT_EQ(f.federates_with[1].trust_domain, "web.test");
  EXPECT_EQ(f.federates_with[1].profile, BundleEndpointProfile::kHttpsWeb);
}

TEST(Federation, FederatesWithChecks) {
  EXPECT_TRUE(invalid(load(conf("    federates_with \"a.test\" {\n"
                                "      bundle_endpoint_profile \"https_web\" {}\n    }\n")),
                      "server.federation.federates_with[\"a.test\"]: bundle_endpoint_url must be "
                      "configured at f.conf:5:29"));
  EXPECT_TRUE(invalid(load(conf("    federates_with \"a.test\" {\n"
                                "      bundle_endpoint_url = \"http://a.test\"\n"
                                "      bundle_endpoint_profile \"https_web\" {}\n    }\n")),
                      "server.federation.federates_with[\"a.test\"].bundle_endpoint_url: must use "
                      "the HTTPS protocol; URL found: \"http://a.test\" at f.conf:6:29"));
  EXPECT_TRUE(invalid(load(conf("    federates_with \"a.test\" {\n"
                                "      bundle_endpoint_url = \"https://a.test\"\n    }\n")),
                      "server.federation.federates_with[\"a.test\"]: exactly one "
                      "bundle_endpoint_profile is expected, got 0 at f.conf:5:29"));
  EXPECT_TRUE(invalid(load(conf("    federates_with \"a.test\" {\n"
                                "      bundle_endpoint_url = \"https://a.test\"\n"
                                "      bundle_endpoint_profile \"https_spiffe\" {}\n    }\n")),
                      "server.federation.federates_with[\"a.test\"].bundle_endpoint_profile["
                      "\"https_spiffe\"]: endpoint_spiffe_id must be configured at f.conf:7:46"));
  EXPECT_TRUE(invalid(load(conf("    federates_with \"a.test\" {\n"
                                "      bundle_endpoint_url = \"https://a.test\"\n"
                                "      bundle_endpoint_profile \"mtls\" {}\n    }\n")),
                      "server.federation.federates_with[\"a.test\"].bundle_endpoint_profile["
                      "\"mtls\"]: unknown bundle endpoint profile \"mtls\"; expected "
                      "\"https_spiffe\" or \"https_web\" at f.conf:7:31"));
}

TEST(Federation, DuplicateTrustDomain) {
  std::string one = "    federates_with \"a.test\" {\n      bundle_endpoint_url = \"https://a\"\n"
                    "      bundle_endpoint_profile \"https_web\" {}\n    }\n";
  EXPECT_TRUE(invalid(load(conf(one + one)),
                      "server.federation.federates_with[\"a.test\"]: trust domain configured more "
                      "than once at f.conf:9:20"));
}

TEST(Federation, JsonForm) {
  LoadOptions options;
  options.source_name = "f.json";
  Result<ServerFileConfig> r = loadServerConfigFromString(R"({
  "server": {
    "trust_domain": "example.org", "data_dir": "/d",
    "federation": {
      "bundle_endpoint": {"port": 8443},
      "federates_with": {
        "a.test": {"bundle_endpoint_url": "https://a.test",
                   "bundle_endpoint_profile": {"https_web": {}}},
        "b.test": {"bundle_endpoint_url": "https://b.test",
                   "bundle_endpoint_profile": {"https_spiffe": {"endpoint_spiffe_id": "spiffe://b.test/s"}}}
      }
    }
  },
  "plugins": {}
})",
                                                          options);
  ASSERT_TRUE(r.isOk()) << r.status().message();
  const FederationConfig& f = *r->server.federation;
  EXPECT_EQ(f.bundle_endpoint->port, 8443);
  ASSERT_EQ(f.federates_with.size(), 2u);
  EXPECT_EQ(f.federates_with[1].trust_domain, "b.test");
  EXPECT_EQ(f.federates_with[1].endpoint_spiffe_id, "spiffe://b.test/s");
}

} // namespace
} // namespace spire::config
