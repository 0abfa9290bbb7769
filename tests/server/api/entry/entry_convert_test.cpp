// Converters between API entries and datastore records: SPIRE's validation order and messages,
// output masks, the datastore update mask and the list/count filter.
#include <gtest/gtest.h>

#include "server/api/entry/entry_convert.h"
#include "server/api/entry/entry_filter.h"
#include "spire/plugin/datastore.h"

namespace spire::server::api::entry {
namespace {

namespace entryv1 = ::spire::api::server::entry::v1;

const spiffe::TrustDomain& td() {
  static const spiffe::TrustDomain kTd = *spiffe::TrustDomain::parse("example.org");
  return kTd;
}

types::SPIFFEID protoId(const std::string& trust_domain, const std::string& path) {
  types::SPIFFEID id;
  id.set_trust_domain(trust_domain);
  id.set_path(path);
  return id;
}

types::Entry validEntry() {
  types::Entry e;
  *e.mutable_parent_id() = protoId("example.org", "/spire/agent/join_token/abc");
  *e.mutable_spiffe_id() = protoId("example.org", "/workload");
  auto* s = e.add_selectors();
  s->set_type("unix");
  s->set_value("uid:1000");
  return e;
}

void expectInvalid(const types::Entry& e, const std::string& message,
                   const types::EntryMask* mask = nullptr) {
  Result<plugin_host::Entry> r = entryFromProto(td(), e, mask);
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), message);
}

TEST(EntryConvertTest, ConvertsEveryFieldOfAValidEntry) {
  types::Entry e = validEntry();
  e.set_id("my-entry_1.0");
  e.set_x509_svid_ttl(60);
  e.set_jwt_svid_ttl(30);
  e.add_federates_with("other.org");
  e.add_federates_with("spiffe://third.org");
  e.set_admin(true);
  e.set_downstream(true);
  e.set_expires_at(12345);
  e.add_dns_names("web.example.org");
  e.set_revision_number(99); // never taken from input
  e.set_store_svid(true);
  e.set_hint("external");
  e.set_created_at(77); // never taken from input
  e.mutable_additional_attributes()->set_jwt_svid_include_jti(true);
  e.mutable_additional_attributes()->set_disable_x509_svid_prefetch(true);
  Result<plugin_host::Entry> r = entryFromProto(td(), e);
  ASSERT_TRUE(r.isOk()) << r.status().message();
  EXPECT_EQ(r->entry_id, "my-entry_1.0");
  EXPECT_EQ(r->parent_id, "spiffe://example.org/spire/agent/join_token/abc");
  EXPECT_EQ(r->spiffe_id, "spiffe://example.org/workload");
  ASSERT_EQ(r->selectors.size(), 1u);
  EXPECT_EQ(r->selectors[0], (plugin_host::Selector{"unix", "uid:1000"}));
  EXPECT_EQ(r->x509_svid_ttl, 60);
  EXPECT_EQ(r->jwt_svid_ttl, 30);
  // Names, as the datastore ABI keys bundles.
  EXPECT_EQ(r->federates_with, (std::vector<std::string>{"other.org", "third.org"}));
  EXPECT_TRUE(r->admin);
  EXPECT_TRUE(r->downstream);
  EXPECT_EQ(r->expires_at, 12345);
  EXPECT_EQ(r->dns_names, (std::vector<std::string>{"web.example.org"}));
  EXPECT_EQ(r->revision_number, 0);
  EXPECT_TRUE(r->store_svid);
  EXPECT_EQ(r->hint, "external");
  EXPECT_EQ(r->created_at, 0);
  EXPECT_TRUE(r->jwt_svid_include_jti);
  EXPECT_TRUE(r->disable_x509_svid_prefetch);
}

TEST(EntryConvertTest, RefusesEachInvalidFieldWithSpireMessage) {
  types::Entry e = validEntry();
  e.clear_parent_id();
  expectInvalid(e, "invalid parent ID: request must specify SPIFFE ID");

  e = validEntry();
  *e.mutable_parent_id() = protoId("invalid domain", "");
  expectInvalid(e, "invalid parent ID: trust domain characters are limited to lowercase letters, "
                   "numbers, dots, dashes, and underscores");

  e = validEntry();
  *e.mutable_parent_id() = protoId("other.org", "/agent");
  expectInvalid(e, "invalid parent ID: \"spiffe://other.org/agent\" is not a member of trust "
                   "domain \"example.org\"");

  e = validEntry();
  e.clear_spiffe_id();
  expectInvalid(e, "invalid spiffe ID: request must specify SPIFFE ID");

  e = validEntry();
  *e.mutable_spiffe_id() = protoId("example.org", "/spire/agent/x");
  expectInvalid(e, "invalid spiffe ID: \"spiffe://example.org/spire/agent/x\" is not a workload in "
                   "trust domain \"example.org\"; path is in the reserved namespace");

  e = validEntry();
  *e.mutable_spiffe_id() = protoId("example.org", "");
  expectInvalid(e, "invalid spiffe ID: \"spiffe://example.org\" is not a workload in trust domain "
                   "\"example.org\"; path is empty");

  e = validEntry();
  e.add_dns_names("*.*.example.org");
  expectInvalid(e, "invalid DNS name: too many wildcards");

  e = validEntry();
  e.add_federates_with("Bad Domain");
  expectInvalid(e, "invalid federated trust domain: trust domain characters are limited to "
                   "lowercase letters, numbers, dots, dashes, and underscores");

  e = validEntry();
  e.clear_selectors();
  expectInvalid(e, "selector list is empty");

  e = validEntry();
  e.mutable_selectors(0)->set_type("");
  expectInvalid(e, "missing selector type");

  e = validEntry();
  e.mutable_selectors(0)->set_value("");
  expectInvalid(e, "missing selector value");

  e = validEntry();
  e.set_hint(std::string(1025, 'h'));
  expectInvalid(e, "hint is too long, max length is 1024 characters");

  e = validEntry();
  e.set_id("bad id!");
  expectInvalid(e, "datastore-validation: invalid registration entry: entry ID contains invalid "
                   "characters");

  e = validEntry();
  e.set_x509_svid_ttl(-1);
  expectInvalid(e, "datastore-validation: invalid registration entry: X509SvidTtl is not set");
}

TEST(EntryConvertTest, ParentIsCheckedBeforeSpiffeId) {
  types::Entry e = validEntry();
  *e.mutable_parent_id() = protoId("other.org", "/agent");
  e.clear_spiffe_id();
  expectInvalid(e, "invalid parent ID: \"spiffe://other.org/agent\" is not a member of trust "
                   "domain \"example.org\"");
}

TEST(EntryConvertTest, InputMaskSkipsUnselectedFields) {
  types::Entry e;
  e.set_id("entry-1");
  e.set_hint("new hint");
  e.set_admin(true); // not in the mask: ignored
  types::EntryMask mask;
  mask.set_hint(true);
  Result<plugin_host::Entry> r = entryFromProto(td(), e, &mask);
  ASSERT_TRUE(r.isOk()) << r.status().message();
  EXPECT_EQ(r->hint, "new hint");
  EXPECT_FALSE(r->admin);
  EXPECT_TRUE(r->parent_id.empty());
  EXPECT_TRUE(r->selectors.empty());

  mask.set_selectors(true);
  expectInvalid(e, "selector list is empty", &mask);
}

plugin_host::Entry storedEntry() {
  plugin_host::Entry s;
  s.entry_id = "id-1";
  s.spiffe_id = "spiffe://example.org/workload";
  s.parent_id = "spiffe://example.org/spire/agent/x";
  s.selectors = {{"unix", "uid:1"}};
  s.x509_svid_ttl = 10;
  s.jwt_svid_ttl = 20;
  s.federates_with = {"other.org"};
  s.admin = true;
  s.downstream = true;
  s.store_svid = true;
  s.expires_at = 5;
  s.dns_names = {"a.example.org"};
  s.revision_number = 3;
  s.hint = "h";
  s.created_at = 100;
  s.jwt_svid_include_jti = true;
  return s;
}

TEST(EntryConvertTest, ToProtoWithoutMaskGivesEveryField) {
  Result<types::Entry> r = entryToProto(storedEntry());
  ASSERT_TRUE(r.isOk());
  EXPECT_EQ(r->id(), "id-1");
  EXPECT_EQ(r->spiffe_id().trust_domain(), "example.org");
  EXPECT_EQ(r->spiffe_id().path(), "/workload");
  EXPECT_EQ(r->parent_id().path(), "/spire/agent/x");
  ASSERT_EQ(r->selectors_size(), 1);
  EXPECT_EQ(r->selectors(0).value(), "uid:1");
  EXPECT_EQ(r->x509_svid_ttl(), 10);
  EXPECT_EQ(r->jwt_svid_ttl(), 20);
  ASSERT_EQ(r->federates_with_size(), 1);
  EXPECT_EQ(r->federates_with(0), "other.org");
  EXPECT_TRUE(r->admin());
  EXPECT_TRUE(r->downstream());
  EXPECT_TRUE(r->store_svid());
  EXPECT_EQ(r->expires_at(), 5);
  EXPECT_EQ(r->dns_names_size(), 1);
  EXPECT_EQ(r->revision_number(), 3);
  EXPECT_EQ(r->hint(), "h");
  EXPECT_EQ(r->created_at(), 100);
  ASSERT_TRUE(r->has_additional_attributes());
  EXPECT_TRUE(r->additional_attributes().jwt_svid_include_jti());
}

TEST(EntryConvertTest, ToProtoWithMaskGivesOnlySelectedFieldsAndTheId) {
  types::EntryMask mask;
  mask.set_spiffe_id(true);
  mask.set_revision_number(true);
  Result<types::Entry> r = entryToProto(storedEntry(), &mask);
  ASSERT_TRUE(r.isOk());
  EXPECT_EQ(r->id(), "id-1");
  EXPECT_TRUE(r->has_spiffe_id());
  EXPECT_EQ(r->revision_number(), 3);
  EXPECT_FALSE(r->has_parent_id());
  EXPECT_EQ(r->selectors_size(), 0);
  EXPECT_EQ(r->x509_svid_ttl(), 0);
  EXPECT_EQ(r->federates_with_size(), 0);
  EXPECT_FALSE(r->admin());
  EXPECT_FALSE(r->downstream());
  EXPECT_EQ(r->hint(), "");
  EXPECT_EQ(r->created_at(), 0);
  EXPECT_FALSE(r->has_additional_attributes());

  types::EntryMask empty;
  Result<types::Entry> bare = entryToProto(storedEntry(), &empty);
  ASSERT_TRUE(bare.isOk());
  EXPECT_EQ(bare->id(), "id-1");
  EXPECT_FALSE(bare->has_spiffe_id());
}

TEST(EntryConvertTest, ToProtoRefusesARecordWithAnInvalidId) {
  plugin_host::Entry s = storedEntry();
  s.spiffe_id = "not an id";
  Result<types::Entry> r = entryToProto(s);
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_EQ(r.status().message().rfind("invalid SPIFFE ID: ", 0), 0u) << r.status().message();
}

TEST(EntryConvertTest, DatastoreMaskFollowsTheInputMask) {
  EXPECT_EQ(datastoreEntryMask(nullptr) & SPIRE_ENTRY_MASK_HINT, SPIRE_ENTRY_MASK_HINT);
  EXPECT_EQ(datastoreEntryMask(nullptr) & SPIRE_ENTRY_MASK_SELECTORS, SPIRE_ENTRY_MASK_SELECTORS);
  types::EntryMask mask;
  EXPECT_EQ(datastoreEntryMask(&mask), 0u);
  mask.set_hint(true);
  mask.set_dns_names(true);
  mask.set_revision_number(true); // not writable: no bit
  EXPECT_EQ(datastoreEntryMask(&mask), SPIRE_ENTRY_MASK_HINT | SPIRE_ENTRY_MASK_DNS_NAMES);
}

TEST(EntryFilterTest, BuildsEveryFilter) {
  entryv1::ListEntriesRequest::Filter f;
  f.mutable_by_hint()->set_value("h");
  *f.mutable_by_parent_id() = protoId("example.org", "/spire/agent/x");
  *f.mutable_by_spiffe_id() = protoId("example.org", "/w");
  auto* s = f.mutable_by_selectors()->add_selectors();
  s->set_type("unix");
  s->set_value("uid:1");
  f.mutable_by_selectors()->set_match(types::SelectorMatch::MATCH_SUPERSET);
  f.mutable_by_federates_with()->add_trust_domains("spiffe://other.org");
  f.mutable_by_federates_with()->set_match(types::FederatesWithMatch::MATCH_ANY);
  f.mutable_by_downstream()->set_value(true);
  auto r = entryFilterFromProto(td(), f);
  ASSERT_TRUE(r.isOk()) << r.status().message();
  EXPECT_EQ(r->hint, "h");
  EXPECT_EQ(r->parent_id, "spiffe://example.org/spire/agent/x");
  EXPECT_EQ(r->spiffe_id, "spiffe://example.org/w");
  ASSERT_TRUE(r->selectors.has_value());
  EXPECT_EQ(r->selectors->size(), 1u);
  EXPECT_EQ(r->selectors_match, SPIRE_MATCH_SUPERSET);
  EXPECT_EQ(r->federates_with, (std::vector<std::string>{"other.org"}));
  EXPECT_EQ(r->federates_with_match, SPIRE_MATCH_ANY);
  EXPECT_EQ(r->downstream, true);
}

TEST(EntryFilterTest, RefusesMalformedFiltersWithSpireMessages) {
  auto expectFilterError = [](const entryv1::CountEntriesRequest::Filter& f,
                              const std::string& message) {
    auto r = entryFilterFromProto(td(), f);
    ASSERT_FALSE(r.isOk());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), message);
  };
  entryv1::CountEntriesRequest::Filter f;
  *f.mutable_by_parent_id() = protoId("other.org", "/x");
  expectFilterError(f, "malformed parent ID filter: \"spiffe://other.org/x\" is not a member of "
                       "trust domain \"example.org\"");

  f.Clear();
  *f.mutable_by_spiffe_id() = protoId("example.org", "/spire/x");
  expectFilterError(f, "malformed SPIFFE ID filter: \"spiffe://example.org/spire/x\" is not a "
                       "workload in trust domain \"example.org\"; path is in the reserved "
                       "namespace");

  f.Clear();
  f.mutable_by_selectors();
  expectFilterError(f, "malformed selectors filter: empty selector set");

  f.Clear();
  f.mutable_by_selectors()->add_selectors()->set_value("v");
  expectFilterError(f, "malformed selectors filter: missing selector type");

  f.Clear();
  f.mutable_by_federates_with();
  expectFilterError(f, "malformed federates with filter: empty trust domain set");

  f.Clear();
  f.mutable_by_federates_with()->add_trust_domains("Bad Domain");
  expectFilterError(f, "malformed federates with filter: trust domain characters are limited to "
                       "lowercase letters, numbers, dots, dashes, and underscores");
}

} // namespace
} // namespace spire::server::api::entry
