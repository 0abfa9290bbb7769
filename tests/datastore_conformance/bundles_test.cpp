// Bundles: create / fetch / list / count / set / append / update / delete modes / prune, and the
// taint / revoke operations on X.509 and JWT authorities.

#include "datastore_conformance/datastore_fixture.h"

namespace spire::datastore_conformance {
namespace {

using plugin_host::JwtKey;
using plugin_host::Pagination;
using plugin_host::X509Authority;

class BundleTest : public DataStoreTest {};

JwtKey jwtKey(const std::string& kid, std::int64_t expires_at) {
  return JwtKey{{0x30, 0x01, 0x02}, kid, expires_at, false};
}

TEST_P(BundleTest, CreateFetchRoundTripsEveryField) {
  Bundle b = makeBundle("example.org");
  b.x509_authorities.push_back(X509Authority{makeCert(now() + 3600).der, false});
  b.jwt_authorities.push_back(jwtKey("kid-1", now() + 3600));
  b.sequence_number = 7;
  auto created = ds().createBundle(b);
  ASSERT_TRUE(created.isOk()) << created.status().message();
  auto fetched = ds().fetchBundle("example.org");
  ASSERT_TRUE(fetched.isOk());
  ASSERT_TRUE(fetched->has_value());
  const Bundle& got = **fetched;
  EXPECT_EQ(got.trust_domain, "example.org");
  ASSERT_EQ(got.x509_authorities.size(), 1u);
  EXPECT_EQ(got.x509_authorities[0].der, b.x509_authorities[0].der);
  ASSERT_EQ(got.jwt_authorities.size(), 1u);
  EXPECT_EQ(got.jwt_authorities[0].key_id, "kid-1");
  EXPECT_EQ(got.jwt_authorities[0].public_key_der, b.jwt_authorities[0].public_key_der);
  EXPECT_EQ(got.refresh_hint, 300);
  EXPECT_EQ(got.sequence_number, 7u);
}

TEST_P(BundleTest, CreateTwiceIsAlreadyExists) {
  ASSERT_TRUE(ds().createBundle(makeBundle("example.org")).isOk());
  expectError(ds().createBundle(makeBundle("example.org")).status(), StatusCode::kAlreadyExists,
              "bundle already exists");
}

TEST_P(BundleTest, CreateWithoutTrustDomainIsInvalid) {
  expectError(ds().createBundle(makeBundle("")).status(), StatusCode::kInvalidArgument,
              "trust domain is required");
}

TEST_P(BundleTest, FetchMissingReturnsNothing) {
  auto fetched = ds().fetchBundle("nope.org");
  ASSERT_TRUE(fetched.isOk());
  EXPECT_FALSE(fetched->has_value());
}

TEST_P(BundleTest, ListPagesInTrustDomainOrderAndCounts) {
  for (const char* td : {"c.org", "a.org", "b.org"}) {
    ASSERT_TRUE(ds().createBundle(makeBundle(td)).isOk());
  }
  EXPECT_EQ(*ds().countBundles(), 3);
  auto first = ds().listBundles(Pagination{"", 2});
  ASSERT_TRUE(first.isOk());
  ASSERT_EQ(first->items.size(), 2u);
  EXPECT_EQ(first->items[0].trust_domain, "a.org");
  EXPECT_EQ(first->items[1].trust_domain, "b.org");
  EXPECT_EQ(first->next_token, "b.org");
  auto second = ds().listBundles(Pagination{first->next_token, 2});
  ASSERT_TRUE(second.isOk());
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].trust_domain, "c.org");
  EXPECT_EQ(second->next_token, "");
  auto all = ds().listBundles(Pagination{});
  ASSERT_TRUE(all.isOk());
  EXPECT_EQ(all->items.size(), 3u);
  EXPECT_EQ(all->next_token, "");
}

TEST_P(BundleTest, SetCreatesThenReplaces) {
  Bundle b = makeBundle("example.org");
  ASSERT_TRUE(ds().setBundle(b).isOk());
  b.refresh_hint = 42;
  b.jwt_authorities.push_back(jwtKey("k", 1));
  ASSERT_TRUE(ds().setBundle(b).isOk());
  auto got = ds().fetchBundle("example.org");
  EXPECT_EQ((*got)->refresh_hint, 42);
  EXPECT_EQ((*got)->jwt_authorities.size(), 1u);
  EXPECT_EQ(*ds().countBundles(), 1);
}

TEST_P(BundleTest, AppendAddsOnlyNewAuthoritiesAndBumpsSequence) {
  auto cert_a = makeCert(now() + 3600);
  auto cert_b = makeCert(now() + 3600);
  Bundle b = makeBundle("example.org");
  b.x509_authorities = {X509Authority{cert_a.der, false}};
  b.jwt_authorities = {jwtKey("k1", now() + 60)};
  auto created = ds().appendBundle(b); // creates
  ASSERT_TRUE(created.isOk());
  EXPECT_EQ(created->sequence_number, 1u);

  Bundle more = makeBundle("example.org");
  more.x509_authorities = {X509Authority{cert_a.der, false}, X509Authority{cert_b.der, false}};
  more.jwt_authorities = {jwtKey("k1", now() + 60), jwtKey("k2", now() + 60)};
  auto appended = ds().appendBundle(more);
  ASSERT_TRUE(appended.isOk());
  EXPECT_EQ(appended->x509_authorities.size(), 2u);
  EXPECT_EQ(appended->jwt_authorities.size(), 2u);
  EXPECT_EQ(appended->sequence_number, 2u);

  auto unchanged = ds().appendBundle(more);
  ASSERT_TRUE(unchanged.isOk());
  EXPECT_EQ(unchanged->sequence_number, 2u);
}

TEST_P(BundleTest, UpdateWritesOnlyMaskedFields) {
  ASSERT_TRUE(ds().createBundle(makeBundle("example.org")).isOk());
  Bundle change = makeBundle("example.org");
  change.refresh_hint = 900;
  change.sequence_number = 99;
  change.jwt_authorities = {jwtKey("k", 5)};
  auto updated = ds().updateBundle(change, SPIRE_BUNDLE_MASK_REFRESH_HINT);
  ASSERT_TRUE(updated.isOk());
  EXPECT_EQ(updated->refresh_hint, 900);
  EXPECT_EQ(updated->sequence_number, 1u);
  EXPECT_TRUE(updated->jwt_authorities.empty());
  updated = ds().updateBundle(change, SPIRE_BUNDLE_MASK_SEQUENCE_NUMBER |
                                          SPIRE_BUNDLE_MASK_JWT_AUTHORITIES);
  ASSERT_TRUE(updated.isOk());
  EXPECT_EQ(updated->sequence_number, 99u);
  EXPECT_EQ(updated->jwt_authorities.size(), 1u);
}

TEST_P(BundleTest, UpdateMissingIsNotFound) {
  expectError(ds().updateBundle(makeBundle("nope.org"), SPIRE_BUNDLE_MASK_REFRESH_HINT).status(),
              StatusCode::kNotFound, "bundle not found");
}

TEST_P(BundleTest, DeleteMissingIsNotFound) {
  expectError(ds().deleteBundle("nope.org", SPIRE_DELETE_RESTRICT), StatusCode::kNotFound,
              "bundle not found");
}

TEST_P(BundleTest, DeleteRestrictRefusesWhenEntriesFederate) {
  ASSERT_TRUE(ds().createBundle(makeBundle("fed.org")).isOk());
  Entry e = makeEntry("/w", "/agent", {{"unix", "uid:1"}});
  e.federates_with = {"fed.org"};
  ASSERT_TRUE(ds().createEntry(e).isOk());
  expectError(ds().deleteBundle("fed.org", SPIRE_DELETE_RESTRICT), StatusCode::kFailedPrecondition,
              "cannot delete bundle; federated with 1 registration entries");
  EXPECT_TRUE((*ds().fetchBundle("fed.org")).has_value());
}

TEST_P(BundleTest, DeleteModeDeleteRemovesFederatedEntries) {
  ASSERT_TRUE(ds().createBundle(makeBundle("fed.org")).isOk());
  Entry e = makeEntry("/w", "/agent", {{"unix", "uid:1"}});
  e.federates_with = {"fed.org"};
  auto created = ds().createEntry(e);
  ASSERT_TRUE(created.isOk());
  ASSERT_TRUE(ds().createEntry(makeEntry("/other", "/agent", {{"unix", "uid:2"}})).isOk());
  ASSERT_TRUE(ds().deleteBundle("fed.org", SPIRE_DELETE_DELETE).isOk());
  EXPECT_FALSE((*ds().fetchEntry(created->entry_id)).has_value());
  EXPECT_EQ(*ds().countEntries(nullptr), 1);
  EXPECT_FALSE((*ds().fetchBundle("fed.org")).has_value());
}

TEST_P(BundleTest, DeleteModeDissociateKeepsEntriesWithoutTheLink) {
  ASSERT_TRUE(ds().createBundle(makeBundle("fed.org")).isOk());
  ASSERT_TRUE(ds().createBundle(makeBundle("other.org")).isOk());
  Entry e = makeEntry("/w", "/agent", {{"unix", "uid:1"}});
  e.federates_with = {"fed.org", "other.org"};
  auto created = ds().createEntry(e);
  ASSERT_TRUE(created.isOk());
  ASSERT_TRUE(ds().deleteBundle("fed.org", SPIRE_DELETE_DISSOCIATE).isOk());
  auto fetched = ds().fetchEntry(created->entry_id);
  ASSERT_TRUE(fetched->has_value());
  EXPECT_EQ((*fetched)->federates_with, std::vector<std::string>{"other.org"});
  EXPECT_EQ((*fetched)->revision_number, 1);
}

TEST_P(BundleTest, DeleteUnknownModeIsInvalid) {
  ASSERT_TRUE(ds().createBundle(makeBundle("a.org")).isOk());
  expectError(ds().deleteBundle("a.org", 7), StatusCode::kInvalidArgument, "unknown delete mode 7");
}

TEST_P(BundleTest, PruneRemovesExpiredAuthoritiesButNeverTheLastCertificate) {
  auto old_cert = makeCert(now() - 100);
  auto new_cert = makeCert(now() + 3600);
  Bundle b = makeBundle("example.org");
  b.x509_authorities = {X509Authority{old_cert.der, false}, X509Authority{new_cert.der, false}};
  b.jwt_authorities = {jwtKey("old", now() - 100), jwtKey("new", now() + 3600)};
  ASSERT_TRUE(ds().createBundle(b).isOk());
  auto changed = ds().pruneBundle("example.org", now());
  ASSERT_TRUE(changed.isOk()) << changed.status().message();
  EXPECT_TRUE(*changed);
  auto got = **ds().fetchBundle("example.org");
  ASSERT_EQ(got.x509_authorities.size(), 1u);
  EXPECT_EQ(got.x509_authorities[0].der, new_cert.der);
  ASSERT_EQ(got.jwt_authorities.size(), 1u);
  EXPECT_EQ(got.jwt_authorities[0].key_id, "new");
  EXPECT_EQ(got.sequence_number, 2u);

  auto nothing = ds().pruneBundle("example.org", now());
  ASSERT_TRUE(nothing.isOk());
  EXPECT_FALSE(*nothing);
  expectError(ds().pruneBundle("example.org", now() + 7200).status(),
              StatusCode::kFailedPrecondition, "prune failed: would prune all certificates");
  auto missing = ds().pruneBundle("nope.org", now());
  ASSERT_TRUE(missing.isOk());
  EXPECT_FALSE(*missing);
}

TEST_P(BundleTest, TaintThenRevokeX509Authority) {
  auto cert = makeCert(now() + 3600);
  auto keep = makeCert(now() + 3600);
  Bundle b = makeBundle("example.org");
  b.x509_authorities = {X509Authority{cert.der, false}, X509Authority{keep.der, false}};
  ASSERT_TRUE(ds().createBundle(b).isOk());

  expectError(ds().revokeX509Ca("example.org", cert.ski), StatusCode::kFailedPrecondition,
              "it is not possible to revoke an untainted root CA");
  ASSERT_TRUE(ds().taintX509Ca("example.org", cert.ski).isOk());
  EXPECT_TRUE((**ds().fetchBundle("example.org")).x509_authorities[0].tainted);
  expectError(ds().taintX509Ca("example.org", cert.ski), StatusCode::kFailedPrecondition,
              "root CA is already tainted");
  ASSERT_TRUE(ds().revokeX509Ca("example.org", cert.ski).isOk());
  auto got = **ds().fetchBundle("example.org");
  ASSERT_EQ(got.x509_authorities.size(), 1u);
  EXPECT_EQ(got.x509_authorities[0].der, keep.der);

  expectError(ds().taintX509Ca("example.org", "00ff"), StatusCode::kNotFound,
              "no ca found with provided subject key ID");
  expectError(ds().revokeX509Ca("example.org", "00ff"), StatusCode::kNotFound,
              "no root CA found with provided subject key ID");
  expectError(ds().taintX509Ca("nope.org", cert.ski), StatusCode::kNotFound, "bundle not found");
}

TEST_P(BundleTest, TaintThenRevokeJwtKey) {
  Bundle b = makeBundle("example.org");
  b.jwt_authorities = {jwtKey("k1", now() + 60), jwtKey("k2", now() + 60)};
  ASSERT_TRUE(ds().createBundle(b).isOk());
  expectError(ds().revokeJwtKey("example.org", "k1").status(), StatusCode::kFailedPrecondition,
              "it is not possible to revoke an untainted key");
  auto tainted = ds().taintJwtKey("example.org", "k1");
  ASSERT_TRUE(tainted.isOk()) << tainted.status().message();
  EXPECT_EQ(tainted->key_id, "k1");
  EXPECT_TRUE(tainted->tainted);
  expectError(ds().taintJwtKey("example.org", "k1").status(), StatusCode::kFailedPrecondition,
              "key is already tainted");
  auto revoked = ds().revokeJwtKey("example.org", "k1");
  ASSERT_TRUE(revoked.isOk());
  EXPECT_EQ(revoked->key_id, "k1");
  auto got = **ds().fetchBundle("example.org");
  ASSERT_EQ(got.jwt_authorities.size(), 1u);
  EXPECT_EQ(got.jwt_authorities[0].key_id, "k2");
  expectError(ds().taintJwtKey("example.org", "zz").status(), StatusCode::kNotFound,
              "no JWT Key found with provided key ID");
  expectError(ds().revokeJwtKey("example.org", "zz").status(), StatusCode::kNotFound,
              "no JWT Key found with provided key ID");
}

SPIRE_DATASTORE_SUITE(BundleTest);

} // namespace
} // namespace spire::datastore_conformance
