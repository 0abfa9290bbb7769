// buildResponse and the validation-mode rules, without a socket (spiffe-standards.md §7.2, §7.3).

#include <gtest/gtest.h>

#include "agent/sds/sds_fixture.h"
#include "agent/sds/sds_responses.h"
#include "crypto/certificate.h"
#include "crypto/key.h"

namespace spire::agent::sds::testing {
namespace {

class SdsResponsesTest : public ::testing::Test {
protected:
  SdsResponsesTest() {
    config_.trust_domain = ca_.trustDomain();
    snap_ = std::make_shared<endpoints::IdentitySnapshot>();
    for (const char* path : {"/a", "/b"}) {
      snap_->svids.push_back(std::make_shared<const x509::X509Svid>(ca_.issueSvid(path)));
    }
    snap_->bundle = std::make_shared<const x509::X509Bundle>(ca_.bundle());
    // Listed out of name order on purpose: ALL sorts, the rest keeps snapshot order.
    snap_->federated_bundles.push_back(std::make_shared<const x509::X509Bundle>(fed_ca_.bundle()));
    snap_->federated_bundles.push_back(std::make_shared<const x509::X509Bundle>(aaa_ca_.bundle()));
  }

  Result<DiscoveryResponse> build(const DiscoveryRequest& req) {
    return buildResponse(config_, req, *snap_, "7");
  }

  DiscoveryResponse mustBuild(const std::vector<std::string>& names) {
    Result<DiscoveryResponse> response = build(request(names));
    EXPECT_TRUE(response.isOk()) << response.status().toString();
    return response.isOk() ? *response : DiscoveryResponse();
  }

  static DiscoveryRequest rootCaRequest(const std::vector<std::string>& names) {
    DiscoveryRequest req = request(names);
    (*req.mutable_node()->mutable_metadata()->mutable_fields())["disable_spiffe_cert_validation"]
        .set_bool_value(true);
    return req;
  }

  static void expectSpiffeValidator(const tls::Secret& secret,
                                    const std::vector<std::pair<std::string, std::string>>& tds) {
    ASSERT_TRUE(secret.has_validation_context());
    const auto& custom = secret.validation_context().custom_validator_config();
    EXPECT_EQ(custom.name(), "envoy.tls.cert_validator.spiffe");
    EXPECT_FALSE(secret.validation_context().has_trusted_ca());
    EXPECT_EQ(custom.typed_config().type_url(),
              "type.googleapis.com/"
              "envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig");
    tls::SPIFFECertValidatorConfig validator;
    ASSERT_TRUE(custom.typed_config().UnpackTo(&validator));
    ASSERT_EQ(validator.trust_domains_size(), static_cast<int>(tds.size()));
    for (std::size_t i = 0; i < tds.size(); ++i) {
      EXPECT_EQ(validator.trust_domains(i).name(), tds[i].first);
      EXPECT_EQ(validator.trust_domains(i).trust_bundle().inline_bytes(), tds[i].second);
    }
  }

  std::string pem(const spire::testing::TestCa& ca) const {
    return crypto::certificatesToPem(ca.bundle().authorities());
  }

  spire::testing::TestCa ca_ = spire::testing::TestCa::createRoot("example.org");
  spire::testing::TestCa fed_ca_ = spire::testing::TestCa::createRoot("federated.test");
  spire::testing::TestCa aaa_ca_ = spire::testing::TestCa::createRoot("aaa.test");
  SdsConfig config_;
  std::shared_ptr<endpoints::IdentitySnapshot> snap_;
};

TEST_F(SdsResponsesTest, EmptyResourceNamesReturnEverythingInOrder) {
  DiscoveryResponse response = mustBuild({});
  EXPECT_EQ(names(response),
            (std::vector<std::string>{"spiffe://example.org", "spiffe://federated.test",
                                      "spiffe://aaa.test", "spiffe://example.org/a",
                                      "spiffe://example.org/b"}));
  EXPECT_EQ(response.version_info(), "7");
  EXPECT_EQ(response.type_url(), kSecretType);
  EXPECT_EQ(response.nonce(), "");
  for (const auto& any : response.resources()) {
    EXPECT_EQ(any.type_url(), kSecretType);
  }
}

TEST_F(SdsResponsesTest, EmptyStringsAreIgnored) {
  EXPECT_EQ(names(mustBuild({"", ""})).size(), 5U);
  EXPECT_EQ(names(mustBuild({"", "ROOTCA"})), std::vector<std::string>{"ROOTCA"});
}

TEST_F(SdsResponsesTest, TypeUrlIsEchoedUnchecked) {
  DiscoveryRequest req = request({"ROOTCA"});
  req.set_type_url("anything/at.all");
  Result<DiscoveryResponse> response = build(req);
  ASSERT_TRUE(response.isOk());
  EXPECT_EQ(response->type_url(), "anything/at.all");
}

TEST_F(SdsResponsesTest, OwnTrustDomainById) {
  std::vector<tls::Secret> got = secrets(mustBuild({"spiffe://example.org"}));
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].name(), "spiffe://example.org");
  expectSpiffeValidator(got[0], {{"example.org", pem(ca_)}});
}

TEST_F(SdsResponsesTest, RootCaNameIsTheOwnTrustDomain) {
  std::vector<tls::Secret> got = secrets(mustBuild({"ROOTCA"}));
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].name(), "ROOTCA");
  expectSpiffeValidator(got[0], {{"example.org", pem(ca_)}});
}

TEST_F(SdsResponsesTest, OnlyOneOwnBundleEntryWhenIdAndRootCaAreBothAsked) {
  // SPIRE's switch takes the ID; ROOTCA is then left unmatched.
  Result<DiscoveryResponse> response = build(request({"spiffe://example.org", "ROOTCA"}));
  EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(response.status().message(),
            "workload is not authorized for the requested identities [\"ROOTCA\"]");
}

TEST_F(SdsResponsesTest, AllListsEveryTrustDomainSortedByName) {
  std::vector<tls::Secret> got = secrets(mustBuild({"ALL"}));
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].name(), "ALL");
  expectSpiffeValidator(
      got[0],
      {{"aaa.test", pem(aaa_ca_)}, {"example.org", pem(ca_)}, {"federated.test", pem(fed_ca_)}});
}

TEST_F(SdsResponsesTest, AllInRootCaModeIsInternal) {
  Result<DiscoveryResponse> response = build(rootCaRequest({"ALL"}));
  EXPECT_EQ(response.status().code(), StatusCode::kInternal);
  EXPECT_EQ(response.status().message(), "unable to use \"SPIFFE validator\" on Envoy below 1.17");
}

TEST_F(SdsResponsesTest, ConfiguredNamesReplaceTheDefaults) {
  config_.default_svid_name = "my-svid";
  config_.default_bundle_name = "my-ca";
  config_.default_all_bundles_name = "my-all";
  EXPECT_EQ(names(mustBuild({"my-svid", "my-ca"})), (std::vector<std::string>{"my-ca", "my-svid"}));
  EXPECT_EQ(names(mustBuild({"my-all"})), std::vector<std::string>{"my-all"});
  Result<DiscoveryResponse> old_names = build(request({"default", "ROOTCA", "ALL"}));
  EXPECT_EQ(old_names.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(old_names.status().message(),
            "workload is not authorized for the requested identities [\"ALL\" \"ROOTCA\" "
            "\"default\"]");
}

TEST_F(SdsResponsesTest, FederatedTrustDomainById) {
  std::vector<tls::Secret> got = secrets(mustBuild({"spiffe://federated.test"}));
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].name(), "spiffe://federated.test");
  expectSpiffeValidator(got[0], {{"federated.test", pem(fed_ca_)}});
}

TEST_F(SdsResponsesTest, IdentityByIdAndDefault) {
  std::vector<tls::Secret> got = secrets(mustBuild({"spiffe://example.org/b", "default"}));
  ASSERT_EQ(got.size(), 2U);
  // Order follows the identities: /a (as "default") first, then /b.
  EXPECT_EQ(got[0].name(), "default");
  EXPECT_EQ(got[1].name(), "spiffe://example.org/b");
  auto a = x509::X509Svid::parsePem(got[0].tls_certificate().certificate_chain().inline_bytes(),
                                    got[0].tls_certificate().private_key().inline_bytes());
  ASSERT_TRUE(a.isOk()) << a.status().toString();
  EXPECT_EQ(a->id.toString(), "spiffe://example.org/a");
}

TEST_F(SdsResponsesTest, DefaultWithoutIdentitiesIsUnmatched) {
  snap_->svids.clear();
  Result<DiscoveryResponse> response = build(request({"default"}));
  EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(response.status().message(),
            "workload is not authorized for the requested identities [\"default\"]");
}

TEST_F(SdsResponsesTest, UnmatchedNamesAreSortedAndQuoted) {
  Result<DiscoveryResponse> response =
      build(request({"spiffe://example.org/a", "zzz", "spiffe://unknown.test", "q\"uote", "zzz"}));
  EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(response.status().message(),
            "workload is not authorized for the requested identities [\"q\\\"uote\" "
            "\"spiffe://unknown.test\" \"zzz\"]");
}

TEST_F(SdsResponsesTest, MissingOwnBundleIsNotFoundOrInternal) {
  snap_->bundle = nullptr;
  Result<DiscoveryResponse> spiffe = build(request({"ROOTCA"}));
  EXPECT_EQ(spiffe.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(spiffe.status().message(),
            "no bundle found for trust domain: \"spiffe://example.org\"");
  Result<DiscoveryResponse> root_ca = build(rootCaRequest({"spiffe://example.org"}));
  EXPECT_EQ(root_ca.status().code(), StatusCode::kInternal);
  EXPECT_EQ(root_ca.status().message(),
            "no bundle found for trust domain: \"spiffe://example.org\"");
}

TEST_F(SdsResponsesTest, RootCaModeUsesTrustedCa) {
  Result<DiscoveryResponse> response = build(rootCaRequest({"ROOTCA", "spiffe://federated.test"}));
  ASSERT_TRUE(response.isOk()) << response.status().toString();
  std::vector<tls::Secret> got = secrets(*response);
  ASSERT_EQ(got.size(), 2U);
  EXPECT_EQ(got[0].name(), "ROOTCA");
  EXPECT_EQ(got[0].validation_context().trusted_ca().inline_bytes(), pem(ca_));
  EXPECT_FALSE(got[0].validation_context().has_custom_validator_config());
  EXPECT_EQ(got[1].validation_context().trusted_ca().inline_bytes(), pem(fed_ca_));
}

TEST_F(SdsResponsesTest, PemIsWrappedAt64ColumnsWithoutBlankLines) {
  spire::testing::TestCa intermediate = ca_.createIntermediate();
  snap_->svids = {std::make_shared<const x509::X509Svid>(intermediate.issueSvid("/chain"))};
  std::vector<tls::Secret> got = secrets(mustBuild({"default"}));
  ASSERT_EQ(got.size(), 1U);
  const std::string chain = got[0].tls_certificate().certificate_chain().inline_bytes();
  const std::string key = got[0].tls_certificate().private_key().inline_bytes();
  for (const std::string& text : {chain, key}) {
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    EXPECT_EQ(text.find("\n\n"), std::string::npos);
    std::size_t start = 0;
    while (start < text.size()) {
      const std::size_t end = text.find('\n', start);
      const std::string line = text.substr(start, end - start);
      if (line.rfind("-----", 0) != 0) {
        EXPECT_LE(line.size(), 64U) << line;
      }
      start = end + 1;
    }
  }
  EXPECT_EQ(key.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0U);
  EXPECT_TRUE(crypto::parsePkcs8PrivateKeyPem(key).isOk());
  // Leaf first, then the intermediate, each block directly after the previous one.
  const std::string leaf = crypto::certificateToPem(*snap_->svids[0]->certificates[0]);
  ASSERT_EQ(snap_->svids[0]->certificates.size(), 2U);
  EXPECT_EQ(chain, leaf + crypto::certificateToPem(*snap_->svids[0]->certificates[1]));
  EXPECT_EQ(leaf.rfind("-----BEGIN CERTIFICATE-----\n", 0), 0U);
  EXPECT_EQ(leaf.substr(leaf.size() - 26), "-----END CERTIFICATE-----\n");
  std::size_t begin = leaf.find('\n') + 1;
  EXPECT_EQ(leaf.find('\n', begin) - begin, 64U); // full lines are exactly 64 columns
}

// --- validation mode ---

envoy::config::core::v3::Node nodeWithMetadata(const google::protobuf::Value& value) {
  envoy::config::core::v3::Node node;
  (*node.mutable_metadata()->mutable_fields())["disable_spiffe_cert_validation"] = value;
  return node;
}

google::protobuf::Value boolValue(bool b) {
  google::protobuf::Value v;
  v.set_bool_value(b);
  return v;
}

google::protobuf::Value stringValue(const std::string& s) {
  google::protobuf::Value v;
  v.set_string_value(s);
  return v;
}

envoy::config::core::v3::Node nodeWithVersion(int major, int minor) {
  envoy::config::core::v3::Node node;
  auto* version = node.mutable_user_agent_build_version()->mutable_version();
  version->set_major_number(major);
  version->set_minor_number(minor);
  return node;
}

TEST(SdsValidationModeTest, ConfigAndNodeMetadata) {
  SdsConfig config;
  EXPECT_TRUE(useSpiffeValidator(config, {}));
  config.disable_spiffe_cert_validation = true;
  EXPECT_FALSE(useSpiffeValidator(config, {}));
  // Metadata overrides the config in both directions.
  EXPECT_TRUE(useSpiffeValidator(config, nodeWithMetadata(boolValue(false))));
  EXPECT_TRUE(useSpiffeValidator(config, nodeWithMetadata(stringValue("F"))));
  EXPECT_TRUE(useSpiffeValidator(config, nodeWithMetadata(stringValue("0"))));
  config.disable_spiffe_cert_validation = false;
  EXPECT_FALSE(useSpiffeValidator(config, nodeWithMetadata(boolValue(true))));
  EXPECT_FALSE(useSpiffeValidator(config, nodeWithMetadata(stringValue("TRUE"))));
  EXPECT_FALSE(useSpiffeValidator(config, nodeWithMetadata(stringValue("t"))));
  // Unparsable strings and other kinds are ignored.
  EXPECT_TRUE(useSpiffeValidator(config, nodeWithMetadata(stringValue("yes"))));
  google::protobuf::Value number;
  number.set_number_value(1);
  EXPECT_TRUE(useSpiffeValidator(config, nodeWithMetadata(number)));
  config.disable_spiffe_cert_validation = true;
  EXPECT_FALSE(useSpiffeValidator(config, nodeWithMetadata(stringValue("tRUE"))));
}

TEST(SdsValidationModeTest, EnvoyBuildVersion) {
  const SdsConfig config;
  EXPECT_FALSE(useSpiffeValidator(config, nodeWithVersion(1, 17)));
  EXPECT_FALSE(useSpiffeValidator(config, nodeWithVersion(0, 99)));
  EXPECT_TRUE(useSpiffeValidator(config, nodeWithVersion(1, 18)));
  EXPECT_TRUE(useSpiffeValidator(config, nodeWithVersion(2, 0)));
  // A build version without a version is 0.0.
  envoy::config::core::v3::Node empty_version;
  empty_version.mutable_user_agent_build_version();
  EXPECT_FALSE(useSpiffeValidator(config, empty_version));
  // Old Envoy, but metadata cannot turn the validator on for it.
  envoy::config::core::v3::Node old = nodeWithVersion(1, 16);
  (*old.mutable_metadata()->mutable_fields())["disable_spiffe_cert_validation"].set_bool_value(
      false);
  EXPECT_FALSE(useSpiffeValidator(config, old));
}

TEST(SdsValidationModeTest, GoParseBool) {
  for (const char* yes : {"1", "t", "T", "TRUE", "true", "True"}) {
    EXPECT_EQ(parseGoBool(yes), true) << yes;
  }
  for (const char* no : {"0", "f", "F", "FALSE", "false", "False"}) {
    EXPECT_EQ(parseGoBool(no), false) << no;
  }
  for (const char* bad : {"", "yes", "tRUE", " true", "2"}) {
    EXPECT_EQ(parseGoBool(bad), std::nullopt) << bad;
  }
}

} // namespace
} // namespace spire::agent::sds::testing
