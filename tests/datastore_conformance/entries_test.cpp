// Registration entries: create / create-or-return / fetch / update / delete / prune, uniqueness
// and the cascades of a delete.

#include <set>

#include "datastore_conformance/datastore_fixture.h"

namespace spire::datastore_conformance {
namespace {

class EntryTest : public DataStoreTest {};

Entry fullEntry() {
  Entry e = makeEntry("/workload", "/spire/agent/x", {{"unix", "uid:1000"}, {"unix", "gid:0"}});
  e.x509_svid_ttl = 3600;
  e.jwt_svid_ttl = 300;
  e.federates_with = {"fed.org"};
  e.admin = true;
  e.downstream = true;
  e.store_svid = true;
  e.expires_at = now() + 86400;
  e.dns_names = {"b.example.org", "a.example.org"};
  e.hint = "external";
  e.jwt_svid_include_jti = true;
  e.disable_x509_svid_prefetch = true;
  return e;
}

TEST_P(EntryTest, CreateAssignsIdAndRoundTripsEveryField) {
  ASSERT_TRUE(ds().createBundle(makeBundle("fed.org")).isOk());
  Entry in = fullEntry();
  auto created = ds().createEntry(in);
  ASSERT_TRUE(created.isOk()) << created.status().message();
  EXPECT_EQ(created->entry_id.size(), 36u); // a UUID
  EXPECT_EQ(created->revision_number, 0);
  EXPECT_GE(created->created_at, now() - 5);
  auto fetched = ds().fetchEntry(created->entry_id);
  ASSERT_TRUE(fetched.isOk());
  ASSERT_TRUE(fetched->has_value());
  const Entry& e = **fetched;
  EXPECT_EQ(e.spiffe_id, in.spiffe_id);
  EXPECT_EQ(e.parent_id, in.parent_id);
  EXPECT_EQ(e.selectors, in.selectors);
  EXPECT_EQ(e.x509_svid_ttl, 3600);
  EXPECT_EQ(e.jwt_svid_ttl, 300);
  EXPECT_EQ(e.federates_with, in.federates_with);
  EXPECT_TRUE(e.admin);
  EXPECT_TRUE(e.downstream);
  EXPECT_TRUE(e.store_svid);
  EXPECT_EQ(e.expires_at, in.expires_at);
  EXPECT_EQ(e.dns_names, in.dns_names); // order kept: the first becomes the CN
  EXPECT_EQ(e.hint, "external");
  EXPECT_TRUE(e.jwt_svid_include_jti);
  EXPECT_TRUE(e.disable_x509_svid_prefetch);
  EXPECT_EQ(e.created_at, created->created_at);
}

TEST_P(EntryTest, CreateKeepsASuppliedIdAndRefusesItTwice) {
  Entry a = makeEntry("/a", "/agent", {{"unix", "uid:1"}});
  a.entry_id = "my-entry";
  auto created = ds().createEntry(a);
  ASSERT_TRUE(created.isOk());
  EXPECT_EQ(created->entry_id, "my-entry");
  Entry b = makeEntry("/b", "/agent", {{"unix", "uid:2"}});
  b.entry_id = "my-entry";
  expectError(ds().createEntry(b).status(), StatusCode::kAlreadyExists,
              "entry with id \"my-entry\" already exists");
}

TEST_P(EntryTest, SimilarEntryIsAlreadyExists) {
  ASSERT_TRUE(ds().createEntry(makeEntry("/a", "/agent", {{"unix", "uid:1"}, {"k", "v"}})).isOk());
  // Same parent, SPIFFE ID and selector set (in another order): refused.
  expectError(ds().createEntry(makeEntry("/a", "/agent", {{"k", "v"}, {"unix", "uid:1"}})).status(),
              StatusCode::kAlreadyExists, "similar entry already exists");
  // A subset or another parent is a different entry.
  EXPECT_TRUE(ds().createEntry(makeEntry("/a", "/agent", {{"unix", "uid:1"}})).isOk());
  EXPECT_TRUE(ds().createEntry(makeEntry("/a", "/agent2", {{"unix", "uid:1"}})).isOk());
}

TEST_P(EntryTest, CreateOrReturnReturnsTheExistingEntry) {
  auto first = ds().createOrReturnEntry(makeEntry("/a", "/agent", {{"unix", "uid:1"}}));
  ASSERT_TRUE(first.isOk());
  EXPECT_FALSE(first->second);
  auto again = ds().createOrReturnEntry(makeEntry("/a", "/agent", {{"unix", "uid:1"}}));
  ASSERT_TRUE(again.isOk());
  EXPECT_TRUE(again->second);
  EXPECT_EQ(again->first.entry_id, first->first.entry_id);
  EXPECT_EQ(*ds().countEntries(nullptr), 1);
}

TEST_P(EntryTest, CreateValidatesTheEntry) {
  expectError(ds().createEntry(makeEntry("/a", "/agent", {})).status(),
              StatusCode::kInvalidArgument, "invalid registration entry: missing selector list");
  Entry no_id = makeEntry("/a", "/agent", {{"unix", "uid:1"}});
  no_id.spiffe_id = "";
  expectError(ds().createEntry(no_id).status(), StatusCode::kInvalidArgument,
              "invalid registration entry: missing SPIFFE ID");
  Entry no_parent = makeEntry("/a", "/agent", {{"unix", "uid:1"}});
  no_parent.parent_id = "";
  expectError(ds().createEntry(no_parent).status(), StatusCode::kInvalidArgument,
              "invalid registration entry: missing parent ID");
  Entry ttl = makeEntry("/a", "/agent", {{"unix", "uid:1"}});
  ttl.x509_svid_ttl = -1;
  expectError(ds().createEntry(ttl).status(), StatusCode::kInvalidArgument,
              "invalid registration entry: X509SvidTtl is not set");
  ttl.x509_svid_ttl = 0;
  ttl.jwt_svid_ttl = -1;
  expectError(ds().createEntry(ttl).status(), StatusCode::kInvalidArgument,
              "invalid registration entry: JwtSvidTtl is not set");
  Entry hint = makeEntry("/a", "/agent", {{"unix", "uid:1"}});
  hint.hint = std::string(1025, 'h');
  expectError(ds().createEntry(hint).status(), StatusCode::kInvalidArgument,
              "invalid registration entry: hint too long");
  EXPECT_EQ(*ds().countEntries(nullptr), 0);
}

TEST_P(EntryTest, FederatingWithAnUnknownBundleIsRefusedAtomically) {
  Entry e = makeEntry("/a", "/agent", {{"unix", "uid:1"}});
  e.federates_with = {"unknown.org"};
  expectError(ds().createEntry(e).status(), StatusCode::kFailedPrecondition,
              "unable to find federated bundle \"unknown.org\"");
  EXPECT_EQ(*ds().countEntries(nullptr), 0);
  EXPECT_EQ(rowCount("selectors"), 0);
  EXPECT_EQ(rowCount("registered_entries_events"), 0);
}

TEST_P(EntryTest, FetchMissingAndFetchMany) {
  auto none = ds().fetchEntry("nope");
  ASSERT_TRUE(none.isOk());
  EXPECT_FALSE(none->has_value());
  auto a = ds().createEntry(makeEntry("/a", "/agent", {{"unix", "uid:1"}}));
  auto b = ds().createEntry(makeEntry("/b", "/agent", {{"unix", "uid:2"}}));
  ASSERT_TRUE(ds().createEntry(makeEntry("/c", "/agent", {{"unix", "uid:3"}})).isOk());
  auto many = ds().fetchEntries({a->entry_id, "nope", b->entry_id});
  ASSERT_TRUE(many.isOk());
  ASSERT_EQ(many->size(), 2u);
  std::set<std::string> ids{(*many)[0].entry_id, (*many)[1].entry_id};
  EXPECT_EQ(ids, (std::set<std::string>{a->entry_id, b->entry_id}));
}

TEST_P(EntryTest, UpdateWritesMaskedFieldsAndBumpsRevision) {
  ASSERT_TRUE(ds().createBundle(makeBundle("fed.org")).isOk());
  auto created = ds().createEntry(makeEntry("/a", "/agent", {{"unix", "uid:1"}}));
  ASSERT_TRUE(created.isOk());
  Entry change = fullEntry();
  change.entry_id = created->entry_id;
  auto updated = ds().updateEntry(change, SPIRE_ENTRY_MASK_SELECTORS | SPIRE_ENTRY_MASK_DNS_NAMES |
                                              SPIRE_ENTRY_MASK_FEDERATES_WITH |
                                              SPIRE_ENTRY_MASK_HINT | SPIRE_ENTRY_MASK_ADMIN);
  ASSERT_TRUE(updated.isOk()) << updated.status().message();
  EXPECT_EQ(updated->revision_number, 1);
  EXPECT_EQ(updated->selectors, change.selectors);
  EXPECT_EQ(updated->dns_names, change.dns_names);
  EXPECT_EQ(updated->federates_with, change.federates_with);
  EXPECT_EQ(updated->hint, "external");
  EXPECT_TRUE(updated->admin);
  // Not in the mask: unchanged.
  EXPECT_EQ(updated->spiffe_id, created->spiffe_id);
  EXPECT_EQ(updated->x509_svid_ttl, 0);
  EXPECT_FALSE(updated->downstream);
  EXPECT_FALSE(updated->jwt_svid_include_jti);

  auto again = ds().updateEntry(
      change, SPIRE_ENTRY_MASK_SPIFFE_ID | SPIRE_ENTRY_MASK_PARENT_ID |
                  SPIRE_ENTRY_MASK_X509_SVID_TTL | SPIRE_ENTRY_MASK_JWT_SVID_TTL |
                  SPIRE_ENTRY_MASK_DOWNSTREAM | SPIRE_ENTRY_MASK_EXPIRES_AT |
                  SPIRE_ENTRY_MASK_STORE_SVID | SPIRE_ENTRY_MASK_ADDITIONAL_ATTRIBUTES);
  ASSERT_TRUE(again.isOk());
  EXPECT_EQ(again->revision_number, 2);
  EXPECT_EQ(again->spiffe_id, change.spiffe_id);
  EXPECT_EQ(again->parent_id, change.parent_id);
  EXPECT_EQ(again->x509_svid_ttl, 3600);
  EXPECT_EQ(again->jwt_svid_ttl, 300);
  EXPECT_TRUE(again->downstream);
  EXPECT_EQ(again->expires_at, change.expires_at);
  EXPECT_TRUE(again->store_svid);
  EXPECT_TRUE(again->jwt_svid_include_jti);
  EXPECT_EQ(again->created_at, created->created_at);
  EXPECT_EQ((**ds().fetchEntry(created->entry_id)).revision_number, 2);
}

TEST_P(EntryTest, UpdateErrors) {
  Entry missing = makeEntry("/a", "/agent", {{"unix", "uid:1"}});
  missing.entry_id = "nope";
  expectError(ds().updateEntry(missing, SPIRE_ENTRY_MASK_ADMIN).status(), StatusCode::kNotFound,
              "record not found");
  auto created = ds().createEntry(makeEntry("/a", "/agent", {{"unix", "uid:1"}}));
  Entry empty = *created;
  empty.selectors.clear();
  expectError(ds().updateEntry(empty, SPIRE_ENTRY_MASK_SELECTORS).status(),
              StatusCode::kInvalidArgument, "invalid registration entry: missing selector list");
  EXPECT_EQ((**ds().fetchEntry(created->entry_id)).revision_number, 0);
}

TEST_P(EntryTest, DeleteCascadesToSelectorsDnsNamesAndFederationLinks) {
  ASSERT_TRUE(ds().createBundle(makeBundle("fed.org")).isOk());
  auto created = ds().createEntry(fullEntry());
  ASSERT_TRUE(created.isOk());
  EXPECT_EQ(rowCount("selectors"), 2);
  EXPECT_EQ(rowCount("dns_names"), 2);
  EXPECT_EQ(rowCount("federated_registration_entries"), 1);
  auto deleted = ds().deleteEntry(created->entry_id);
  ASSERT_TRUE(deleted.isOk());
  EXPECT_EQ(deleted->entry_id, created->entry_id);
  EXPECT_EQ(deleted->selectors.size(), 2u);
  EXPECT_EQ(rowCount("registered_entries"), 0);
  EXPECT_EQ(rowCount("selectors"), 0);
  EXPECT_EQ(rowCount("dns_names"), 0);
  EXPECT_EQ(rowCount("federated_registration_entries"), 0);
  EXPECT_EQ(rowCount("bundles"), 1); // the bundle stays
  expectError(ds().deleteEntry(created->entry_id).status(), StatusCode::kNotFound,
              "record not found");
}

TEST_P(EntryTest, PruneDeletesOnlyExpiredEntries) {
  Entry expired = makeEntry("/old", "/agent", {{"unix", "uid:1"}});
  expired.expires_at = now() - 10;
  Entry later = makeEntry("/later", "/agent", {{"unix", "uid:2"}});
  later.expires_at = now() + 3600;
  Entry never = makeEntry("/never", "/agent", {{"unix", "uid:3"}});
  auto old_entry = ds().createEntry(expired);
  ASSERT_TRUE(ds().createEntry(later).isOk());
  ASSERT_TRUE(ds().createEntry(never).isOk());
  ASSERT_TRUE(ds().pruneEntries(now()).isOk());
  EXPECT_EQ(*ds().countEntries(nullptr), 2);
  EXPECT_FALSE((*ds().fetchEntry(old_entry->entry_id)).has_value());
}

SPIRE_DATASTORE_SUITE(EntryTest);

} // namespace
} // namespace spire::datastore_conformance
