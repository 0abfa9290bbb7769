// SvidService over the real built-in plugins, called through an in-process gRPC server: every
// SVID is verified against the CA bundle (and a few with the openssl CLI), every failure checked
// for SPIRE's code and message.
#include "server/api/svid/svid_service.h"

#include <chrono>
#include <fstream>

#include <gtest/gtest.h>

#include "api_test_helpers.h"
#include "fixed_authorizer.h"
#include "jwt/jwt_svid.h"
#include "support/command.h"

namespace spire::server::api::testing {
namespace {

using grpc::StatusCode;

constexpr char kAgentId[] = "spiffe://example.org/spire/agent/join_token/abc";

class SvidServiceTest : public ::testing::Test {
protected:
  void SetUp() override {
    ServerFixtureOptions options;
    options.fake_clock = true;
    auto created = ServerFixture::create(options);
    ASSERT_TRUE(created.isOk()) << created.status().message();
    fixture_ = std::move(*created);
    service_ = std::make_unique<SvidService>(fixture_->state(), authorizer_);
    server_ = std::make_unique<InProcessServer>(std::vector<grpc::Service*>{service_.get()});
    stub_ = svidv1::SVID::NewStub(server_->channel());
  }

  void TearDown() override {
    stub_.reset();
    if (server_) {
      server_->shutdown();
    }
  }

  // Stores an entry and applies it to the index, as the entry service does.
  plugin_host::Entry addEntry(const std::string& spiffe_id, const std::string& parent_id,
                              std::int32_t x509_ttl = 0, std::int32_t jwt_ttl = 0,
                              std::vector<std::string> dns = {}) {
    plugin_host::Entry entry;
    entry.spiffe_id = spiffe_id;
    entry.parent_id = parent_id;
    entry.selectors = {{"unix", "uid:" + std::to_string(++entries_)}};
    entry.x509_svid_ttl = x509_ttl;
    entry.jwt_svid_ttl = jwt_ttl;
    entry.dns_names = std::move(dns);
    auto created = fixture_->datastore().createEntry(entry);
    EXPECT_TRUE(created.isOk()) << created.status().message();
    fixture_->index().upsertEntry(*created);
    return *created;
  }

  std::int64_t nowUnix() const { return unixSeconds(fixture_->now()); }

  std::unique_ptr<ServerFixture> fixture_;
  FixedAuthorizer authorizer_;
  std::unique_ptr<SvidService> service_;
  std::unique_ptr<InProcessServer> server_;
  std::unique_ptr<svidv1::SVID::Stub> stub_;
  int entries_ = 0;
};

// ---- MintX509SVID ----------------------------------------------------------------------------

TEST_F(SvidServiceTest, MintX509SvidSignsTheCsrIdWithTtlAndDnsNames) {
  auto key = newKey();
  svidv1::MintX509SVIDRequest request;
  request.set_csr(csrDer(*key, {"spiffe://example.org/workload"}, {"web.example.org"}));
  request.set_ttl(120);
  svidv1::MintX509SVIDResponse response;
  grpc::ClientContext ctx;
  grpc::Status status = stub_->MintX509SVID(&ctx, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(verifiedId(*fixture_, response.svid()), "spiffe://example.org/workload");
  EXPECT_EQ(response.svid().id().trust_domain(), "example.org");
  EXPECT_EQ(response.svid().id().path(), "/workload");
  EXPECT_EQ(response.svid().expires_at(), nowUnix() + 120);
  auto chain = chainOf(response.svid());
  ASSERT_FALSE(chain.empty());
  EXPECT_EQ(crypto::dnsSans(*chain.front()), std::vector<std::string>{"web.example.org"});
  auto leaf_key = crypto::publicKeyOf(*chain.front());
  EXPECT_TRUE(crypto::publicKeysEqual(*leaf_key, *key));
  EXPECT_EQ(authorizer_.methods(),
            std::vector<std::string>{"/spire.api.server.svid.v1.SVID/MintX509SVID"});
}

TEST_F(SvidServiceTest, MintX509SvidZeroTtlUsesTheDefault) {
  auto key = newKey();
  svidv1::MintX509SVIDRequest request;
  request.set_csr(csrDer(*key, {"spiffe://example.org/workload"}));
  svidv1::MintX509SVIDResponse response;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->MintX509SVID(&ctx, request, &response).ok());
  EXPECT_EQ(response.svid().expires_at(),
            nowUnix() + fixture_->ca().credentials().config().x509_svid_ttl.count());
}

TEST_F(SvidServiceTest, MintX509SvidIsAcceptedByOpenSslVerify) {
  if (!spire::testing::haveOpenSslCli()) {
    GTEST_SKIP() << "openssl CLI not available";
  }
  auto key = newKey();
  svidv1::MintX509SVIDRequest request;
  request.set_csr(csrDer(*key, {"spiffe://example.org/db"}));
  svidv1::MintX509SVIDResponse response;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->MintX509SVID(&ctx, request, &response).ok());
  const auto dir = fixture_->dir();
  std::ofstream(dir / "bundle.pem") << fixture_->ca().snapshot()->bundle->toPem();
  std::ofstream(dir / "svid.pem") << crypto::certificatesToPem(chainOf(response.svid()));
  // The fake clock starts at the wall clock, so openssl's own time is inside the validity.
  auto result =
      spire::testing::runCommand("openssl verify -CAfile " + (dir / "bundle.pem").string() + " " +
                                 (dir / "svid.pem").string());
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find(": OK"), std::string::npos) << result.output;
}

TEST_F(SvidServiceTest, MintX509SvidRefusesBadCsrsWithSpireMessages) {
  auto key = newKey();
  const std::string good = csrDer(*key, {"spiffe://example.org/workload"});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "missing CSR"},
      {"not a csr", "malformed CSR: malformed certificate request"},
      {tamperedCsr(good),
       "failed to verify CSR signature: certificate request signature verification failed"},
      {csrDer(*key), "CSR URI SAN is required"},
      {csrDer(*key, {"spiffe://example.org/a", "spiffe://example.org/b"}),
       "only one URI SAN is expected"},
      {csrDer(*key, {"spiffe://other.org/workload"}),
       "CSR URI SAN is invalid: \"spiffe://other.org/workload\" is not a member of trust domain "
       "\"example.org\""},
      {csrDer(*key, {"spiffe://example.org/spire/agent/x"}),
       "CSR URI SAN is invalid: \"spiffe://example.org/spire/agent/x\" is not a workload in trust "
       "domain \"example.org\"; path is in the reserved namespace"},
      {csrDer(*key, {"spiffe://example.org"}),
       "CSR URI SAN is invalid: \"spiffe://example.org\" is not a workload in trust domain "
       "\"example.org\"; path is empty"},
      {csrDer(*key, {"spiffe://example.org/workload"}, {"web.*.example.org"}),
       "CSR DNS name is invalid: wildcard must be first label"},
  };
  for (const auto& [csr, message] : cases) {
    svidv1::MintX509SVIDRequest request;
    request.set_csr(csr);
    svidv1::MintX509SVIDResponse response;
    grpc::ClientContext ctx;
    EXPECT_STATUS(stub_->MintX509SVID(&ctx, request, &response), StatusCode::INVALID_ARGUMENT,
                  message);
    EXPECT_FALSE(response.has_svid());
  }
}

TEST_F(SvidServiceTest, EveryMethodFailsWithTheAuthorizersStatus) {
  authorizer_.deny(Status(spire::StatusCode::kPermissionDenied,
                          "authorization denied for method /spire.api.server.svid.v1.SVID/x"));
  const std::string expected = "authorization denied for method /spire.api.server.svid.v1.SVID/x";
  {
    grpc::ClientContext ctx;
    svidv1::MintX509SVIDResponse r;
    EXPECT_STATUS(stub_->MintX509SVID(&ctx, {}, &r), StatusCode::PERMISSION_DENIED, expected);
  }
  {
    grpc::ClientContext ctx;
    svidv1::MintJWTSVIDResponse r;
    EXPECT_STATUS(stub_->MintJWTSVID(&ctx, {}, &r), StatusCode::PERMISSION_DENIED, expected);
  }
  {
    grpc::ClientContext ctx;
    svidv1::BatchNewX509SVIDResponse r;
    EXPECT_STATUS(stub_->BatchNewX509SVID(&ctx, {}, &r), StatusCode::PERMISSION_DENIED, expected);
  }
  {
    grpc::ClientContext ctx;
    svidv1::NewJWTSVIDResponse r;
    EXPECT_STATUS(stub_->NewJWTSVID(&ctx, {}, &r), StatusCode::PERMISSION_DENIED, expected);
  }
  {
    grpc::ClientContext ctx;
    svidv1::NewDownstreamX509CAResponse r;
    EXPECT_STATUS(stub_->NewDownstreamX509CA(&ctx, {}, &r), StatusCode::PERMISSION_DENIED,
                  expected);
  }
  EXPECT_EQ(authorizer_.methods(),
            (std::vector<std::string>{"/spire.api.server.svid.v1.SVID/MintX509SVID",
                                      "/spire.api.server.svid.v1.SVID/MintJWTSVID",
                                      "/spire.api.server.svid.v1.SVID/BatchNewX509SVID",
                                      "/spire.api.server.svid.v1.SVID/NewJWTSVID",
                                      "/spire.api.server.svid.v1.SVID/NewDownstreamX509CA"}));
}

// ---- MintJWTSVID -----------------------------------------------------------------------------

jwt::JwtBundleSet jwtBundles(ServerFixture& fixture) {
  jwt::JwtBundleSet set;
  set.add(*fixture.ca().snapshot()->jwt_bundle);
  return set;
}

TEST_F(SvidServiceTest, MintJwtSvidIsValidForItsAudience) {
  svidv1::MintJWTSVIDRequest request;
  request.mutable_id()->set_trust_domain("example.org");
  request.mutable_id()->set_path("/workload");
  request.add_audience("aud1");
  request.add_audience("aud2");
  request.set_ttl(60);
  svidv1::MintJWTSVIDResponse response;
  grpc::ClientContext ctx;
  grpc::Status status = stub_->MintJWTSVID(&ctx, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.svid().id().path(), "/workload");
  EXPECT_EQ(response.svid().issued_at(), nowUnix());
  EXPECT_EQ(response.svid().expires_at(), nowUnix() + 60);
  auto bundles = jwtBundles(*fixture_);
  auto svid = jwt::parseAndValidate(response.svid().token(), bundles, {"aud2"}, fixture_->now());
  ASSERT_TRUE(svid.isOk()) << svid.status().message();
  EXPECT_EQ(svid->id.toString(), "spiffe://example.org/workload");
  EXPECT_EQ(svid->audience, (std::vector<std::string>{"aud1", "aud2"}));
  EXPECT_EQ(svid->claims["iat"].get<std::int64_t>(), response.svid().issued_at());
  EXPECT_EQ(svid->claims["exp"].get<std::int64_t>(), response.svid().expires_at());
  // Another audience is refused by the validator.
  EXPECT_FALSE(
      jwt::parseAndValidate(response.svid().token(), bundles, {"other"}, fixture_->now()).isOk());
}

TEST_F(SvidServiceTest, MintJwtSvidRefusesBadIdsAndMissingAudience) {
  struct Case {
    std::optional<std::pair<std::string, std::string>> id;
    std::vector<std::string> audience;
    std::string message;
  };
  const std::vector<Case> cases = {
      {std::nullopt, {"a"}, "invalid SPIFFE ID: request must specify SPIFFE ID"},
      {std::pair{"other.org", "/w"},
       {"a"},
       "invalid SPIFFE ID: \"spiffe://other.org/w\" is not a member of trust domain "
       "\"example.org\""},
      {std::pair{"example.org", "/spire/server"},
       {"a"},
       "invalid SPIFFE ID: \"spiffe://example.org/spire/server\" is not a workload in trust domain "
       "\"example.org\"; path is in the reserved namespace"},
      {std::pair{"example.org", "no-slash"},
       {"a"},
       "invalid SPIFFE ID: path must have a leading slash"},
      {std::pair{"example.org", "/w"}, {}, "at least one audience is required"},
  };
  for (const Case& c : cases) {
    svidv1::MintJWTSVIDRequest request;
    if (c.id) {
      request.mutable_id()->set_trust_domain(c.id->first);
      request.mutable_id()->set_path(c.id->second);
    }
    for (const std::string& a : c.audience) {
      request.add_audience(a);
    }
    svidv1::MintJWTSVIDResponse response;
    grpc::ClientContext ctx;
    EXPECT_STATUS(stub_->MintJWTSVID(&ctx, request, &response), StatusCode::INVALID_ARGUMENT,
                  c.message);
  }
}

// ---- BatchNewX509SVID ------------------------------------------------------------------------

TEST_F(SvidServiceTest, BatchNewX509SvidSignsAuthorizedEntriesAndRefusesOthersPerResult) {
  authorizer_.setCaller(agentCaller(kAgentId));
  const auto mine = addEntry("spiffe://example.org/web", kAgentId, 600, 0, {"web.example.org"});
  // A descendant of one of the agent's entries is authorized too.
  const auto nested = addEntry("spiffe://example.org/nested", "spiffe://example.org/web");
  const auto theirs =
      addEntry("spiffe://example.org/other", "spiffe://example.org/spire/agent/x/y");
  auto key = newKey();
  const std::string csr = csrDer(*key);

  svidv1::BatchNewX509SVIDRequest request;
  auto add = [&](const std::string& id, const std::string& c) {
    auto* p = request.add_params();
    p->set_entry_id(id);
    p->set_csr(c);
  };
  add(mine.entry_id, csr);
  add(theirs.entry_id, csr);
  add("no-such-entry", csr);
  add(nested.entry_id, csr);
  add("", csr);
  add(mine.entry_id, "");
  add(mine.entry_id, "garbage");
  add(mine.entry_id, tamperedCsr(csr));
  svidv1::BatchNewX509SVIDResponse response;
  grpc::ClientContext ctx;
  grpc::Status status = stub_->BatchNewX509SVID(&ctx, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.results_size(), 8);

  const auto& ok = response.results(0);
  EXPECT_EQ(ok.status().code(), 0);
  EXPECT_EQ(ok.status().message(), "OK");
  EXPECT_EQ(verifiedId(*fixture_, ok.svid()), "spiffe://example.org/web");
  EXPECT_EQ(ok.svid().expires_at(), nowUnix() + 600);
  auto chain = chainOf(ok.svid());
  ASSERT_FALSE(chain.empty());
  EXPECT_EQ(crypto::dnsSans(*chain.front()), std::vector<std::string>{"web.example.org"});

  const std::vector<std::pair<int, std::string>> failures = {
      {5, "entry not found or not authorized"},
      {5, "entry not found or not authorized"},
      {-1, ""},
      {3, "missing entry ID"},
      {3, "missing CSR"},
      {3, "malformed CSR: malformed certificate request"},
      {3, "invalid CSR signature: certificate request signature verification failed"},
  };
  for (int i = 1; i < 8; ++i) {
    const auto& r = response.results(i);
    if (failures[i - 1].first < 0) {
      EXPECT_EQ(r.status().code(), 0) << r.status().message();
      EXPECT_EQ(verifiedId(*fixture_, r.svid()), "spiffe://example.org/nested");
      EXPECT_EQ(r.svid().expires_at(),
                nowUnix() + fixture_->ca().credentials().config().x509_svid_ttl.count());
      continue;
    }
    EXPECT_EQ(r.status().code(), failures[i - 1].first) << i;
    EXPECT_EQ(r.status().message(), failures[i - 1].second) << i;
    EXPECT_FALSE(r.has_svid()) << i;
  }
}

// EC requests take the cheap CSR path, RSA ones the general one: every SVID carries the CSR's
// key, verifies against the bundle, and the openssl CLI accepts the chain.
TEST_F(SvidServiceTest, BatchNewX509SvidSignsEcAndRsaCsrs) {
  authorizer_.setCaller(agentCaller(kAgentId));
  const auto mine = addEntry("spiffe://example.org/web", kAgentId, 0, 0, {"web.example.org"});
  std::vector<std::shared_ptr<EVP_PKEY>> keys = {newKey(crypto::KeyType::kEcP256),
                                                 newKey(crypto::KeyType::kEcP384),
                                                 newKey(crypto::KeyType::kRsa2048)};
  svidv1::BatchNewX509SVIDRequest request;
  for (const auto& key : keys) {
    auto* p = request.add_params();
    p->set_entry_id(mine.entry_id);
    p->set_csr(csrDer(*key));
  }
  svidv1::BatchNewX509SVIDResponse response;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->BatchNewX509SVID(&ctx, request, &response).ok());
  ASSERT_EQ(response.results_size(), 3);
  const auto dir = fixture_->dir();
  std::ofstream(dir / "bundle.pem") << fixture_->ca().snapshot()->bundle->toPem();
  for (int i = 0; i < 3; ++i) {
    const auto& r = response.results(i);
    ASSERT_EQ(r.status().code(), 0) << i << ": " << r.status().message();
    EXPECT_EQ(verifiedId(*fixture_, r.svid()), "spiffe://example.org/web");
    auto chain = chainOf(r.svid());
    ASSERT_FALSE(chain.empty());
    EXPECT_TRUE(crypto::publicKeysEqual(*crypto::publicKeyOf(*chain.front()), *keys[i])) << i;
    EXPECT_EQ(crypto::dnsSans(*chain.front()), std::vector<std::string>{"web.example.org"});
    if (!spire::testing::haveOpenSslCli()) {
      continue;
    }
    std::ofstream(dir / "svid.pem") << crypto::certificatesToPem(chain);
    auto result =
        spire::testing::runCommand("openssl verify -CAfile " + (dir / "bundle.pem").string() + " " +
                                   (dir / "svid.pem").string());
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find(": OK"), std::string::npos) << result.output;
  }
}

TEST_F(SvidServiceTest, BatchNewX509SvidWithFewParamsUsesTheSameRules) {
  authorizer_.setCaller(agentCaller(kAgentId));
  const auto mine = addEntry("spiffe://example.org/web", kAgentId);
  const auto theirs =
      addEntry("spiffe://example.org/other", "spiffe://example.org/spire/agent/x/y");
  auto key = newKey();
  svidv1::BatchNewX509SVIDRequest request;
  for (const auto* entry : {&mine, &theirs}) {
    auto* p = request.add_params();
    p->set_entry_id(entry->entry_id);
    p->set_csr(csrDer(*key));
  }
  svidv1::BatchNewX509SVIDResponse response;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->BatchNewX509SVID(&ctx, request, &response).ok());
  ASSERT_EQ(response.results_size(), 2);
  EXPECT_EQ(response.results(0).status().code(), 0);
  EXPECT_EQ(verifiedId(*fixture_, response.results(0).svid()), "spiffe://example.org/web");
  EXPECT_EQ(response.results(1).status().code(), 5);
  EXPECT_EQ(response.results(1).status().message(), "entry not found or not authorized");
}

TEST_F(SvidServiceTest, BatchNewX509SvidNodeAliasGrantsEntriesToMatchingAgents) {
  authorizer_.setCaller(agentCaller(kAgentId));
  plugin_host::Entry alias;
  alias.spiffe_id = "spiffe://example.org/cluster";
  alias.parent_id = "spiffe://example.org/spire/server";
  alias.selectors = {{"join_token", "group:a"}};
  auto created = fixture_->datastore().createEntry(alias);
  ASSERT_TRUE(created.isOk());
  fixture_->index().upsertEntry(*created);
  const auto under_alias = addEntry("spiffe://example.org/svc", "spiffe://example.org/cluster");
  auto key = newKey();
  svidv1::BatchNewX509SVIDRequest request;
  auto* p = request.add_params();
  p->set_entry_id(under_alias.entry_id);
  p->set_csr(csrDer(*key));
  {
    svidv1::BatchNewX509SVIDResponse response;
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->BatchNewX509SVID(&ctx, request, &response).ok());
    EXPECT_EQ(response.results(0).status().code(), 5);
  }
  fixture_->index().setNodeSelectors(kAgentId, {{"join_token", "group:a"}});
  {
    svidv1::BatchNewX509SVIDResponse response;
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->BatchNewX509SVID(&ctx, request, &response).ok());
    EXPECT_EQ(response.results(0).status().code(), 0) << response.results(0).status().message();
    EXPECT_EQ(verifiedId(*fixture_, response.results(0).svid()), "spiffe://example.org/svc");
  }
}

TEST_F(SvidServiceTest, BatchNewX509SvidRequestLevelErrors) {
  authorizer_.setCaller(agentCaller(kAgentId));
  {
    svidv1::BatchNewX509SVIDResponse response;
    grpc::ClientContext ctx;
    EXPECT_STATUS(stub_->BatchNewX509SVID(&ctx, {}, &response), StatusCode::INVALID_ARGUMENT,
                  "missing parameters");
  }
  authorizer_.setCaller(Caller{}); // no SPIFFE ID (a local caller would not pass the policy)
  svidv1::BatchNewX509SVIDRequest request;
  request.add_params()->set_entry_id("x");
  svidv1::BatchNewX509SVIDResponse response;
  grpc::ClientContext ctx;
  EXPECT_STATUS(stub_->BatchNewX509SVID(&ctx, request, &response), StatusCode::INTERNAL,
                "caller ID missing from request context");
}

// ---- NewJWTSVID ------------------------------------------------------------------------------

TEST_F(SvidServiceTest, NewJwtSvidForAnAuthorizedEntryUsesItsJwtTtl) {
  authorizer_.setCaller(agentCaller(kAgentId));
  const auto mine = addEntry("spiffe://example.org/web", kAgentId, 0, 90);
  svidv1::NewJWTSVIDRequest request;
  request.set_entry_id(mine.entry_id);
  request.add_audience("spire-test");
  svidv1::NewJWTSVIDResponse response;
  grpc::ClientContext ctx;
  grpc::Status status = stub_->NewJWTSVID(&ctx, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.svid().expires_at(), nowUnix() + 90);
  auto bundles = jwtBundles(*fixture_);
  auto svid =
      jwt::validateTokenSpire(response.svid().token(), bundles, {"spire-test"}, fixture_->now());
  ASSERT_TRUE(svid.isOk()) << svid.status().message();
  EXPECT_EQ(svid->id.toString(), "spiffe://example.org/web");
}

TEST_F(SvidServiceTest, NewJwtSvidRefusesUnauthorizedEntriesAndMissingAudience) {
  authorizer_.setCaller(agentCaller(kAgentId));
  const auto mine = addEntry("spiffe://example.org/web", kAgentId);
  const auto theirs =
      addEntry("spiffe://example.org/other", "spiffe://example.org/spire/agent/x/y");
  {
    svidv1::NewJWTSVIDRequest request;
    request.set_entry_id(theirs.entry_id);
    request.add_audience("a");
    svidv1::NewJWTSVIDResponse response;
    grpc::ClientContext ctx;
    EXPECT_STATUS(stub_->NewJWTSVID(&ctx, request, &response), StatusCode::NOT_FOUND,
                  "entry not found or not authorized");
  }
  {
    svidv1::NewJWTSVIDRequest request;
    request.set_entry_id(mine.entry_id);
    svidv1::NewJWTSVIDResponse response;
    grpc::ClientContext ctx;
    EXPECT_STATUS(stub_->NewJWTSVID(&ctx, request, &response), StatusCode::INVALID_ARGUMENT,
                  "at least one audience is required");
  }
  {
    svidv1::NewJWTSVIDRequest request;
    request.add_audience("a");
    svidv1::NewJWTSVIDResponse response;
    grpc::ClientContext ctx;
    EXPECT_STATUS(stub_->NewJWTSVID(&ctx, request, &response), StatusCode::NOT_FOUND,
                  "entry not found or not authorized");
  }
}

TEST_F(SvidServiceTest, NewDownstreamX509CaIsUnimplemented) {
  svidv1::NewDownstreamX509CAResponse response;
  grpc::ClientContext ctx;
  EXPECT_STATUS(stub_->NewDownstreamX509CA(&ctx, {}, &response), StatusCode::UNIMPLEMENTED,
                "NewDownstreamX509CA is not implemented by this server");
}

} // namespace
} // namespace spire::server::api::testing
