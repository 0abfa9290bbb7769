// BundleService through a real gRPC stub over the real datastore plugin and a started CA: the own
// bundle, JWT authority publication, federated bundle CRUD with SPIRE's codes and messages, masks,
// paging, and the index following entries changed by a bundle deletion.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "crypto/certificate.h"
#include "crypto/key.h"
#include "fixed_authorizer.h"
#include "server/api/bundle/bundle_service.h"
#include "server_fixture.h"
#include "support/test_ca.h"

namespace spire::server::api::bundle {
namespace {

namespace types = ::spire::api::types;

class BundleServiceTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto fixture = testing::ServerFixture::create();
    ASSERT_TRUE(fixture.isOk()) << fixture.status().message();
    fixture_ = std::move(*fixture);
    service_ = std::make_unique<BundleService>(fixture_->state(), authorizer_);
    server_ =
        std::make_unique<testing::InProcessServer>(std::vector<grpc::Service*>{service_.get()});
    stub_ = bundlev1::Bundle::NewStub(server_->channel());
  }

  void TearDown() override {
    stub_.reset();
    server_.reset();
  }

  // A federated bundle with one real CA certificate (and optionally a JWT key).
  static types::Bundle federated(const std::string& td, bool with_jwt = false) {
    // The certificate's own trust domain does not matter to the store.
    auto ca = spire::testing::TestCa::createRoot("authority.test");
    types::Bundle b;
    b.set_trust_domain(td);
    b.add_x509_authorities()->set_asn1(crypto::certificateToDer(*ca.cert()));
    b.set_refresh_hint(60);
    if (with_jwt) {
      auto* key = b.add_jwt_authorities();
      key->set_public_key(*crypto::marshalPublicKeyDer(ca.key()));
      key->set_key_id("kid-" + td);
      key->set_expires_at(4102444800);
    }
    return b;
  }

  std::vector<types::Status> createAll(const std::vector<types::Bundle>& bundles) {
    bundlev1::BatchCreateFederatedBundleRequest req;
    for (const auto& b : bundles) {
      *req.add_bundle() = b;
    }
    bundlev1::BatchCreateFederatedBundleResponse resp;
    grpc::ClientContext ctx;
    EXPECT_TRUE(stub_->BatchCreateFederatedBundle(&ctx, req, &resp).ok());
    std::vector<types::Status> out;
    for (const auto& r : resp.results()) {
      out.push_back(r.status());
    }
    return out;
  }

  static std::string jwtKeyDer() {
    auto ca = spire::testing::TestCa::createRoot("keys.org");
    return *crypto::marshalPublicKeyDer(ca.key());
  }

  testing::FixedAuthorizer authorizer_;
  std::unique_ptr<testing::ServerFixture> fixture_;
  std::unique_ptr<BundleService> service_;
  std::unique_ptr<testing::InProcessServer> server_;
  std::unique_ptr<bundlev1::Bundle::Stub> stub_;
};

TEST_F(BundleServiceTest, GetBundleReturnsTheServerBundleWithTheCaAuthorities) {
  types::Bundle b;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->GetBundle(&ctx, {}, &b).ok());
  EXPECT_EQ(b.trust_domain(), "example.org");
  auto snapshot = fixture_->ca().snapshot();
  const std::string ca_der = crypto::certificateToDer(*snapshot->x509->certificate);
  bool found = false;
  for (const auto& authority : b.x509_authorities()) {
    found = found || authority.asn1() == ca_der;
  }
  EXPECT_TRUE(found) << "the active X.509 CA is in the bundle";
  ASSERT_GE(b.jwt_authorities_size(), 1);
  bool kid_found = false;
  for (const auto& key : b.jwt_authorities()) {
    kid_found = kid_found || key.key_id() == snapshot->jwt->kid;
  }
  EXPECT_TRUE(kid_found);
  EXPECT_GT(b.sequence_number(), 0u);
  EXPECT_EQ(authorizer_.methods().back(), "/spire.api.server.bundle.v1.Bundle/GetBundle");
}

TEST_F(BundleServiceTest, GetBundleAppliesTheOutputMask) {
  bundlev1::GetBundleRequest req;
  req.mutable_output_mask()->set_x509_authorities(true);
  types::Bundle b;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->GetBundle(&ctx, req, &b).ok());
  EXPECT_EQ(b.trust_domain(), "example.org");
  EXPECT_GE(b.x509_authorities_size(), 1);
  EXPECT_EQ(b.jwt_authorities_size(), 0);
  EXPECT_EQ(b.sequence_number(), 0u);
}

TEST_F(BundleServiceTest, AppendBundleAddsAuthoritiesToTheOwnBundle) {
  types::Bundle before;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->GetBundle(&ctx, {}, &before).ok());
  }
  auto extra = spire::testing::TestCa::createRoot("example.org");
  bundlev1::AppendBundleRequest req;
  req.add_x509_authorities()->set_asn1(crypto::certificateToDer(*extra.cert()));
  auto* key = req.add_jwt_authorities();
  key->set_public_key(jwtKeyDer());
  key->set_key_id("appended-kid");
  types::Bundle after;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->AppendBundle(&ctx, req, &after).ok());
  EXPECT_EQ(after.x509_authorities_size(), before.x509_authorities_size() + 1);
  EXPECT_EQ(after.jwt_authorities_size(), before.jwt_authorities_size() + 1);
  EXPECT_EQ(after.jwt_authorities(after.jwt_authorities_size() - 1).key_id(), "appended-kid");
  EXPECT_GT(after.sequence_number(), before.sequence_number());
}

TEST_F(BundleServiceTest, AppendBundleRefusesBadInput) {
  auto call = [&](const bundlev1::AppendBundleRequest& req) {
    types::Bundle out;
    grpc::ClientContext ctx;
    return stub_->AppendBundle(&ctx, req, &out);
  };
  grpc::Status st = call({});
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "no authorities to append");

  bundlev1::AppendBundleRequest bad_cert;
  bad_cert.add_x509_authorities()->set_asn1("not a certificate");
  st = call(bad_cert);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "failed to convert X.509 authority: x509: malformed certificate");

  bundlev1::AppendBundleRequest bad_key;
  bad_key.add_jwt_authorities()->set_public_key("not a key");
  st = call(bad_key);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "failed to convert JWT authority: x509: malformed PKIX public key");

  bundlev1::AppendBundleRequest no_kid;
  no_kid.add_jwt_authorities()->set_public_key(jwtKeyDer());
  st = call(no_kid);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "failed to convert JWT authority: missing key ID");
}

TEST_F(BundleServiceTest, PublishJwtAuthorityWithoutUpstreamAppendsLocally) {
  bundlev1::PublishJWTAuthorityRequest req;
  req.mutable_jwt_authority()->set_public_key(jwtKeyDer());
  req.mutable_jwt_authority()->set_key_id("downstream-kid");
  req.mutable_jwt_authority()->set_expires_at(4102444800);
  bundlev1::PublishJWTAuthorityResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->PublishJWTAuthority(&ctx, req, &resp).ok());
  std::set<std::string> kids;
  for (const auto& key : resp.jwt_authorities()) {
    kids.insert(key.key_id());
  }
  EXPECT_TRUE(kids.count("downstream-kid"));
  EXPECT_TRUE(kids.count(fixture_->ca().snapshot()->jwt->kid));
  auto stored = fixture_->datastore().fetchBundle("example.org");
  ASSERT_TRUE(stored.isOk() && stored->has_value());
  EXPECT_EQ((*stored)->jwt_authorities.size(), kids.size());
}

TEST_F(BundleServiceTest, PublishJwtAuthorityRefusesBadInput) {
  bundlev1::PublishJWTAuthorityResponse resp;
  {
    grpc::ClientContext ctx;
    grpc::Status st = stub_->PublishJWTAuthority(&ctx, {}, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message(), "missing JWT authority");
  }
  {
    bundlev1::PublishJWTAuthorityRequest req;
    req.mutable_jwt_authority()->set_public_key(jwtKeyDer());
    grpc::ClientContext ctx;
    grpc::Status st = stub_->PublishJWTAuthority(&ctx, req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message(), "invalid JWT authority: missing key ID");
  }
}

TEST_F(BundleServiceTest, CountBundlesIncludesTheOwnBundle) {
  auto count = [&] {
    bundlev1::CountBundlesResponse resp;
    grpc::ClientContext ctx;
    EXPECT_TRUE(stub_->CountBundles(&ctx, {}, &resp).ok());
    return resp.count();
  };
  EXPECT_EQ(count(), 1);
  createAll({federated("one.org")});
  EXPECT_EQ(count(), 2);
}

TEST_F(BundleServiceTest, BatchCreateFederatedBundleReportsEachBundle) {
  types::Bundle bad_cert = federated("bad.org");
  bad_cert.mutable_x509_authorities(0)->set_asn1("garbage");
  auto statuses = createAll({federated("one.org", true), federated("example.org"),
                             federated("Not Valid"), bad_cert, federated("one.org")});
  ASSERT_EQ(statuses.size(), 5u);
  EXPECT_EQ(statuses[0].code(), 0) << statuses[0].message();
  EXPECT_EQ(statuses[1].code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(statuses[1].message(),
            "creating a federated bundle for the server's own trust domain is not allowed");
  EXPECT_EQ(statuses[2].code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(statuses[2].message(),
            "trust domain argument is not valid: trust domain characters are limited to "
            "lowercase letters, numbers, dots, dashes, and underscores");
  EXPECT_EQ(statuses[3].code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(statuses[3].message(),
            "failed to convert bundle: unable to parse X.509 authority: x509: malformed "
            "certificate");
  EXPECT_EQ(statuses[4].code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(statuses[4].message(), "bundle already exists");
}

TEST_F(BundleServiceTest, BatchCreateFederatedBundleAppliesTheOutputMask) {
  bundlev1::BatchCreateFederatedBundleRequest req;
  *req.add_bundle() = federated("spiffe://one.org", true);
  req.mutable_output_mask()->set_jwt_authorities(true);
  bundlev1::BatchCreateFederatedBundleResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->BatchCreateFederatedBundle(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.results_size(), 1);
  const types::Bundle& b = resp.results(0).bundle();
  EXPECT_EQ(b.trust_domain(), "one.org");
  EXPECT_EQ(b.jwt_authorities_size(), 1);
  EXPECT_EQ(b.x509_authorities_size(), 0);
  EXPECT_EQ(b.refresh_hint(), 0);
}

TEST_F(BundleServiceTest, GetFederatedBundleReturnsItOrSpireErrors) {
  createAll({federated("one.org")});
  auto get = [&](const std::string& td, types::Bundle* out) {
    bundlev1::GetFederatedBundleRequest req;
    req.set_trust_domain(td);
    grpc::ClientContext ctx;
    return stub_->GetFederatedBundle(&ctx, req, out);
  };
  types::Bundle b;
  ASSERT_TRUE(get("one.org", &b).ok());
  EXPECT_EQ(b.trust_domain(), "one.org");
  EXPECT_EQ(b.x509_authorities_size(), 1);
  EXPECT_EQ(b.refresh_hint(), 60);

  grpc::Status st = get("example.org", &b);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(),
            "getting a federated bundle for the server's own trust domain is not allowed");
  st = get("two.org", &b);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(st.error_message(), "bundle not found");
  st = get("", &b);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "trust domain argument is not valid: trust domain is missing");
}

TEST_F(BundleServiceTest, ListFederatedBundlesSkipsTheOwnBundleAndPages) {
  createAll({federated("a.org"), federated("b.org"), federated("z.org")});
  {
    bundlev1::ListFederatedBundlesRequest req;
    req.mutable_output_mask(); // everything masked away but the trust domain
    bundlev1::ListFederatedBundlesResponse resp;
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->ListFederatedBundles(&ctx, req, &resp).ok());
    std::vector<std::string> tds;
    for (const auto& b : resp.bundles()) {
      tds.push_back(b.trust_domain());
      EXPECT_EQ(b.x509_authorities_size(), 0);
    }
    EXPECT_EQ(tds, (std::vector<std::string>{"a.org", "b.org", "z.org"}));
    EXPECT_EQ(resp.next_page_token(), "");
  }
  std::set<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    bundlev1::ListFederatedBundlesRequest req;
    req.set_page_size(2);
    req.set_page_token(token);
    bundlev1::ListFederatedBundlesResponse resp;
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->ListFederatedBundles(&ctx, req, &resp).ok());
    EXPECT_LE(resp.bundles_size(), 2);
    for (const auto& b : resp.bundles()) {
      EXPECT_TRUE(seen.insert(b.trust_domain()).second);
    }
    token = resp.next_page_token();
    ASSERT_LT(++pages, 5);
  } while (!token.empty());
  EXPECT_EQ(seen, (std::set<std::string>{"a.org", "b.org", "z.org"}));
}

TEST_F(BundleServiceTest, BatchUpdateFederatedBundleWritesMaskedFields) {
  createAll({federated("one.org")});
  bundlev1::BatchUpdateFederatedBundleRequest req;
  types::Bundle change = federated("one.org", true);
  change.set_refresh_hint(300);
  *req.add_bundle() = change;
  *req.add_bundle() = federated("missing.org");
  *req.add_bundle() = federated("example.org");
  req.mutable_input_mask()->set_refresh_hint(true);
  bundlev1::BatchUpdateFederatedBundleResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->BatchUpdateFederatedBundle(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.results_size(), 3);
  ASSERT_EQ(resp.results(0).status().code(), 0) << resp.results(0).status().message();
  EXPECT_EQ(resp.results(0).bundle().refresh_hint(), 300);
  EXPECT_EQ(resp.results(0).bundle().jwt_authorities_size(), 0); // not in the input mask
  EXPECT_EQ(resp.results(1).status().code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(resp.results(1).status().message(),
            "bundle not found: DataStore \"sql\": bundle not found");
  EXPECT_EQ(resp.results(2).status().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(resp.results(2).status().message(),
            "updating a federated bundle for the server's own trust domain is not allowed");
}

TEST_F(BundleServiceTest, BatchSetFederatedBundleCreatesOrReplaces) {
  bundlev1::BatchSetFederatedBundleRequest req;
  *req.add_bundle() = federated("one.org");
  *req.add_bundle() = federated("example.org");
  bundlev1::BatchSetFederatedBundleResponse resp;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->BatchSetFederatedBundle(&ctx, req, &resp).ok());
  }
  ASSERT_EQ(resp.results_size(), 2);
  EXPECT_EQ(resp.results(0).status().code(), 0);
  EXPECT_EQ(resp.results(1).status().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(resp.results(1).status().message(),
            "setting a federated bundle for the server's own trust domain is not allowed");

  bundlev1::BatchSetFederatedBundleRequest replace;
  *replace.add_bundle() = federated("one.org", true);
  bundlev1::BatchSetFederatedBundleResponse replaced;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->BatchSetFederatedBundle(&ctx, replace, &replaced).ok());
  ASSERT_EQ(replaced.results(0).status().code(), 0);
  EXPECT_EQ(replaced.results(0).bundle().jwt_authorities_size(), 1);
  EXPECT_EQ(replaced.results(0).bundle().x509_authorities_size(), 1);
}

TEST_F(BundleServiceTest, BatchDeleteFederatedBundleFollowsTheModeAndUpdatesTheIndex) {
  createAll({federated("keep.org"), federated("dissociate.org"), federated("delete.org")});
  // Entries federating with them, created as the entry service would (datastore, then index).
  auto makeEntry = [&](const std::string& path, const std::string& td) {
    plugin_host::Entry e;
    e.spiffe_id = "spiffe://example.org" + path;
    e.parent_id = "spiffe://example.org/spire/agent/join_token/a";
    e.selectors = {{"unix", "uid:" + path}};
    e.federates_with = {td};
    auto created = fixture_->datastore().createEntry(e);
    EXPECT_TRUE(created.isOk()) << created.status().message();
    fixture_->index().upsertEntry(*created);
    return *created;
  };
  plugin_host::Entry kept = makeEntry("/k", "keep.org");
  plugin_host::Entry dissociated = makeEntry("/d", "dissociate.org");
  plugin_host::Entry deleted = makeEntry("/x", "delete.org");

  auto remove = [&](const std::vector<std::string>& tds,
                    bundlev1::BatchDeleteFederatedBundleRequest::Mode mode) {
    bundlev1::BatchDeleteFederatedBundleRequest req;
    for (const auto& td : tds) {
      req.add_trust_domains(td);
    }
    req.set_mode(mode);
    bundlev1::BatchDeleteFederatedBundleResponse resp;
    grpc::ClientContext ctx;
    EXPECT_TRUE(stub_->BatchDeleteFederatedBundle(&ctx, req, &resp).ok());
    return resp;
  };

  auto restricted = remove({"keep.org", "example.org", "missing.org", "Bad TD"},
                           bundlev1::BatchDeleteFederatedBundleRequest::RESTRICT);
  ASSERT_EQ(restricted.results_size(), 4);
  EXPECT_EQ(restricted.results(0).trust_domain(), "keep.org");
  EXPECT_EQ(restricted.results(0).status().code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(restricted.results(0).status().message(),
            "failed to delete federated bundle: DataStore \"sql\": cannot delete bundle; "
            "federated with 1 registration entries");
  EXPECT_EQ(restricted.results(1).status().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(restricted.results(1).status().message(),
            "removing the bundle for the server trust domain is not allowed");
  EXPECT_EQ(restricted.results(2).status().code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(restricted.results(2).status().message(),
            "bundle not found: DataStore \"sql\": bundle not found");
  EXPECT_EQ(restricted.results(3).trust_domain(), "Bad TD");
  EXPECT_EQ(restricted.results(3).status().code(), grpc::StatusCode::INVALID_ARGUMENT);

  auto dissociate =
      remove({"dissociate.org"}, bundlev1::BatchDeleteFederatedBundleRequest::DISSOCIATE);
  ASSERT_EQ(dissociate.results(0).status().code(), 0) << dissociate.results(0).status().message();
  auto indexed = fixture_->index().entry(dissociated.entry_id);
  ASSERT_NE(indexed, nullptr);
  EXPECT_TRUE(indexed->federates_with.empty());
  EXPECT_EQ(indexed->revision_number, dissociated.revision_number + 1);

  auto removed = remove({"delete.org"}, bundlev1::BatchDeleteFederatedBundleRequest::DELETE);
  ASSERT_EQ(removed.results(0).status().code(), 0) << removed.results(0).status().message();
  EXPECT_EQ(fixture_->index().entry(deleted.entry_id), nullptr);
  auto gone = fixture_->datastore().fetchEntry(deleted.entry_id);
  ASSERT_TRUE(gone.isOk());
  EXPECT_FALSE(gone->has_value());
  EXPECT_NE(fixture_->index().entry(kept.entry_id), nullptr);
}

TEST_F(BundleServiceTest, BatchDeleteFederatedBundleRefusesAnUnknownMode) {
  bundlev1::BatchDeleteFederatedBundleRequest req;
  req.add_trust_domains("one.org");
  req.set_mode(static_cast<bundlev1::BatchDeleteFederatedBundleRequest::Mode>(7));
  bundlev1::BatchDeleteFederatedBundleResponse resp;
  grpc::ClientContext ctx;
  grpc::Status st = stub_->BatchDeleteFederatedBundle(&ctx, req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "failed to parse deletion mode: unhandled delete mode \"7\"");
}

TEST_F(BundleServiceTest, EveryMethodRefusesWhenTheAuthorizerDenies) {
  authorizer_.deny(Status(StatusCode::kPermissionDenied, "authorization denied for method"));
  auto expectDenied = [](const grpc::Status& st) {
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(st.error_message(), "authorization denied for method");
  };
  types::Bundle b;
  {
    grpc::ClientContext ctx;
    bundlev1::CountBundlesResponse r;
    expectDenied(stub_->CountBundles(&ctx, {}, &r));
  }
  {
    grpc::ClientContext ctx;
    expectDenied(stub_->GetBundle(&ctx, {}, &b));
  }
  {
    grpc::ClientContext ctx;
    bundlev1::AppendBundleRequest q;
    q.add_jwt_authorities()->set_key_id("k");
    expectDenied(stub_->AppendBundle(&ctx, q, &b));
  }
  {
    grpc::ClientContext ctx;
    bundlev1::PublishJWTAuthorityResponse r;
    expectDenied(stub_->PublishJWTAuthority(&ctx, {}, &r));
  }
  {
    grpc::ClientContext ctx;
    bundlev1::ListFederatedBundlesResponse r;
    expectDenied(stub_->ListFederatedBundles(&ctx, {}, &r));
  }
  {
    grpc::ClientContext ctx;
    expectDenied(stub_->GetFederatedBundle(&ctx, {}, &b));
  }
  {
    grpc::ClientContext ctx;
    bundlev1::BatchCreateFederatedBundleRequest q;
    *q.add_bundle() = federated("one.org");
    bundlev1::BatchCreateFederatedBundleResponse r;
    expectDenied(stub_->BatchCreateFederatedBundle(&ctx, q, &r));
  }
  {
    grpc::ClientContext ctx;
    bundlev1::BatchUpdateFederatedBundleResponse r;
    expectDenied(stub_->BatchUpdateFederatedBundle(&ctx, {}, &r));
  }
  {
    grpc::ClientContext ctx;
    bundlev1::BatchSetFederatedBundleResponse r;
    expectDenied(stub_->BatchSetFederatedBundle(&ctx, {}, &r));
  }
  {
    grpc::ClientContext ctx;
    bundlev1::BatchDeleteFederatedBundleResponse r;
    expectDenied(stub_->BatchDeleteFederatedBundle(&ctx, {}, &r));
  }
  auto count = fixture_->datastore().countBundles();
  ASSERT_TRUE(count.isOk());
  EXPECT_EQ(*count, 1);
  EXPECT_EQ(authorizer_.methods().size(), 10u);
}

} // namespace
} // namespace spire::server::api::bundle
