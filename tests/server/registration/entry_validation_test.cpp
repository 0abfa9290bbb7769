#include "server/registration/entry_validation.h"

#include <gtest/gtest.h>

#include <string>

#include "registration_test_util.h"

namespace spire::server::registration {
namespace {

using testing::makeEntry;

class EntryValidationTest : public ::testing::Test {
protected:
  spiffe::TrustDomain td_ = *spiffe::TrustDomain::parse("example.org");

  Entry valid() const {
    return makeEntry("entry-1", "spiffe://example.org/spire/agent/x509pop/node1",
                     "spiffe://example.org/workload", {{"unix", "uid:1000"}});
  }

  void expectInvalid(const Entry& e, const std::string& message,
                     const EntryFieldMask& mask = {}) const {
    auto result = validateEntry(td_, e, mask);
    ASSERT_FALSE(result.isOk()) << "expected failure: " << message;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(result.status().message(), message);
  }
  void expectValid(const Entry& e, const EntryFieldMask& mask = {}) const {
    auto result = validateEntry(td_, e, mask);
    EXPECT_TRUE(result.isOk()) << result.status().toString();
  }
};

// --- parent ID
// -------------------------------------------------------------------------------------

TEST_F(EntryValidationTest, ParentMayBeAgentWorkloadOrServer) {
  Entry e = valid();
  expectValid(e);
  e.parent_id = "spiffe://example.org/spire/server";
  expectValid(e);
  e.parent_id = "spiffe://example.org/some/workload";
  expectValid(e);
}

TEST_F(EntryValidationTest, ParentMustParse) {
  Entry e = valid();
  e.parent_id = "";
  expectInvalid(e, "invalid parent ID: cannot be empty");
  e.parent_id = "http://example.org/x";
  expectInvalid(e, "invalid parent ID: scheme is missing or invalid");
  e.parent_id = "spiffe://example.org/a//b";
  expectInvalid(e, "invalid parent ID: path cannot contain empty segments");
}

TEST_F(EntryValidationTest, ParentMustBeInTrustDomainWithPath) {
  Entry e = valid();
  e.parent_id = "spiffe://other.org/spire/agent/x";
  expectInvalid(e, "invalid parent ID: \"spiffe://other.org/spire/agent/x\" is not a member of "
                   "trust domain \"example.org\"");
  e.parent_id = "spiffe://example.org";
  expectInvalid(e, "invalid parent ID: \"spiffe://example.org\" is not a member of trust domain "
                   "\"example.org\"; path is empty");
}

// --- SPIFFE ID
// -------------------------------------------------------------------------------------

TEST_F(EntryValidationTest, SpiffeIdMustParse) {
  Entry e = valid();
  e.spiffe_id = "";
  expectInvalid(e, "invalid spiffe ID: cannot be empty");
  e.spiffe_id = "spiffe://Example.org/x";
  expectInvalid(e, "invalid spiffe ID: trust domain characters are limited to lowercase letters, "
                   "numbers, dots, dashes, and underscores");
}

TEST_F(EntryValidationTest, SpiffeIdMustBeWorkloadInTrustDomain) {
  Entry e = valid();
  e.spiffe_id = "spiffe://other.org/workload";
  expectInvalid(e, "invalid spiffe ID: \"spiffe://other.org/workload\" is not a member of trust "
                   "domain \"example.org\"");
  e.spiffe_id = "spiffe://example.org";
  expectInvalid(e, "invalid spiffe ID: \"spiffe://example.org\" is not a workload in trust domain "
                   "\"example.org\"; path is empty");
}

TEST_F(EntryValidationTest, SpiffeIdMustNotBeReserved) {
  Entry e = valid();
  for (const char* reserved : {"spiffe://example.org/spire", "spiffe://example.org/spire/server",
                               "spiffe://example.org/spire/agent/x509pop/node1"}) {
    e.spiffe_id = reserved;
    expectInvalid(e, std::string("invalid spiffe ID: \"") + reserved +
                         "\" is not a workload in trust domain \"example.org\"; path is in the "
                         "reserved namespace");
  }
  // Only the /spire segment is reserved, not a prefix of a segment.
  e.spiffe_id = "spiffe://example.org/spirex/agent";
  expectValid(e);
  e.spiffe_id = "spiffe://example.org/workloads/spire";
  expectValid(e);
}

TEST_F(EntryValidationTest, ParentCheckedBeforeSpiffeId) {
  Entry e = valid();
  e.parent_id = "";
  e.spiffe_id = "";
  e.selectors.clear();
  expectInvalid(e, "invalid parent ID: cannot be empty");
}

// --- DNS names
// -------------------------------------------------------------------------------------

TEST_F(EntryValidationTest, DnsNamesValid) {
  Entry e = valid();
  e.dns_names = {"example.com",
                 "*.example.com",
                 "a-b.c",
                 "com",
                 "xn--ls8h.org",
                 "Host_1.local",
                 std::string(63, 'a') + ".com"};
  expectValid(e);
}

TEST_F(EntryValidationTest, DnsNamesInvalid) {
  struct Case {
    std::string name;
    std::string message;
  };
  const std::string long_label(64, 'a');
  std::string long_name;
  for (int i = 0; i < 5; ++i) {
    long_name += std::string(50, 'a') + ".";
  }
  long_name += "com"; // 258 bytes
  const Case cases[] = {
      {"", "empty or only whitespace"},
      {"  ", "empty or only whitespace"},
      {"example.com.", "domain ends with dot"},
      {".", "domain ends with dot"},
      {"*.foo.*.bar", "too many wildcards"},
      {"foo.*.bar", "wildcard must be first label"},
      {"*foo.bar", "wildcard must be first label"},
      {"\xc3\xa9.com", "name must be ascii"},
      {"ex ample.com", "idna error\nidna: disallowed rune U+0020"},
      {"-hello.com", "idna error\nidna: invalid label \"-hello\""},
      {"hello-.com", "idna error\nidna: invalid label \"hello-\""},
      {"ab--c.com", "idna error\nidna: invalid label \"ab--c\""},
      {"a..b", "idna error\nidna: invalid label \"a..b\""},
      {".a", "idna error\nidna: invalid label \".a\""},
      {long_label + ".com", "idna error\nidna: invalid label \"" + long_label + "\""},
      {long_name, "idna error\nidna: invalid label \"" + long_name + "\""},
  };
  for (const Case& c : cases) {
    Entry e = valid();
    e.dns_names = {"ok.example.com", c.name};
    expectInvalid(e, "invalid DNS name: " + c.message);
    EXPECT_EQ(validateDnsName(c.name).message(), c.message) << c.name;
  }
}

// --- federates_with
// --------------------------------------------------------------------------------

TEST_F(EntryValidationTest, FederatesWithNormalisedToTrustDomainIds) {
  Entry e = valid();
  e.federates_with = {"domain1.test", "spiffe://domain2.test"};
  auto result = validateEntry(td_, e);
  ASSERT_TRUE(result.isOk()) << result.status().toString();
  EXPECT_EQ(result->federates_with,
            (std::vector<std::string>{"spiffe://domain1.test", "spiffe://domain2.test"}));
}

TEST_F(EntryValidationTest, FederatesWithInvalid) {
  Entry e = valid();
  e.federates_with = {""};
  expectInvalid(e, "invalid federated trust domain: trust domain is missing");
  e.federates_with = {"Domain.test"};
  expectInvalid(e, "invalid federated trust domain: trust domain characters are limited to "
                   "lowercase letters, numbers, dots, dashes, and underscores");
}

// --- selectors
// -------------------------------------------------------------------------------------

TEST_F(EntryValidationTest, SelectorsValid) {
  Entry e = valid();
  e.selectors = {{"unix", "uid:1000"}, {"k8s", "ns:default"}};
  expectValid(e);
}

TEST_F(EntryValidationTest, SelectorsInvalid) {
  Entry e = valid();
  e.selectors.clear();
  expectInvalid(e, "selector list is empty");
  e.selectors = {{"unix", "uid:1"}, {"", "v"}};
  expectInvalid(e, "missing selector type");
  e.selectors = {{"un:ix", "v"}};
  expectInvalid(e, "selector type contains ':'");
  e.selectors = {{"unix", ""}};
  expectInvalid(e, "missing selector value");
}

TEST_F(EntryValidationTest, ParseSelectorSplitsAtFirstColon) {
  auto s = parseSelector("unix:uid:1000");
  ASSERT_TRUE(s.isOk());
  EXPECT_EQ(s->type, "unix");
  EXPECT_EQ(s->value, "uid:1000");

  auto empty_type = parseSelector(":v");
  ASSERT_TRUE(empty_type.isOk());
  EXPECT_EQ(validateSelector(*empty_type).message(), "missing selector type");
  auto empty_value = parseSelector("t:");
  ASSERT_TRUE(empty_value.isOk());
  EXPECT_EQ(validateSelector(*empty_value).message(), "missing selector value");

  auto bad = parseSelector("nocolon");
  ASSERT_FALSE(bad.isOk());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "selector \"nocolon\" must be formatted as type:value");
}

// --- hint, entry ID, TTLs
// ----------------------------------------------------------------------------

TEST_F(EntryValidationTest, HintLength) {
  Entry e = valid();
  e.hint = std::string(kHintMaximumLength, 'h');
  expectValid(e);
  e.hint += 'h';
  expectInvalid(e, "hint is too long, max length is 1024 characters");
}

TEST_F(EntryValidationTest, EntryId) {
  Entry e = valid();
  e.entry_id = "";
  expectValid(e); // the server assigns one
  e.entry_id = "0b8c3c5e-0d65-4f43-a1b1-2a87f22b3c6e";
  expectValid(e);
  e.entry_id = std::string(255, 'a');
  expectValid(e);
  e.entry_id = std::string(256, 'a');
  expectInvalid(e, "datastore-validation: invalid registration entry: entry ID too long");
  e.entry_id = "bad id";
  expectInvalid(e, "datastore-validation: invalid registration entry: entry ID contains invalid "
                   "characters");
}

TEST_F(EntryValidationTest, TtlsMustNotBeNegative) {
  Entry e = valid();
  e.x509_svid_ttl = 0;
  e.jwt_svid_ttl = 3600;
  expectValid(e);
  e.x509_svid_ttl = -1;
  expectInvalid(e, "datastore-validation: invalid registration entry: X509SvidTtl is not set");
  e.x509_svid_ttl = 60;
  e.jwt_svid_ttl = -5;
  expectInvalid(e, "datastore-validation: invalid registration entry: JwtSvidTtl is not set");
}

// --- masks (updates)
// ---------------------------------------------------------------------------------

TEST_F(EntryValidationTest, MaskSkipsUnsetFields) {
  Entry e = valid();
  e.parent_id = "";
  e.spiffe_id = "";
  e.selectors.clear();
  e.hint = std::string(2000, 'h');
  e.x509_svid_ttl = -1;
  EntryFieldMask mask;
  mask.parent_id = mask.spiffe_id = mask.selectors = mask.hint = mask.x509_svid_ttl = false;
  expectValid(e, mask);
  mask.selectors = true;
  expectInvalid(e, "selector list is empty", mask);
}

// --- helpers
// -------------------------------------------------------------------------------------------

TEST_F(EntryValidationTest, IdFromProtoParts) {
  auto id = idFromProtoParts("example.org", "/workload");
  ASSERT_TRUE(id.isOk());
  EXPECT_EQ(id->toString(), "spiffe://example.org/workload");
  EXPECT_EQ(idFromProtoParts("", "/workload").status().message(), "trust domain is missing");
  EXPECT_EQ(idFromProtoParts("example.org", "workload").status().message(),
            "path must have a leading slash");
}

TEST_F(EntryValidationTest, MembershipChecksDirectly) {
  auto agent = *spiffe::SpiffeId::parse("spiffe://example.org/spire/agent/a");
  EXPECT_TRUE(verifyTrustDomainMemberId(td_, agent).isOk());
  EXPECT_EQ(verifyTrustDomainWorkloadId(td_, agent).message(),
            "\"spiffe://example.org/spire/agent/a\" is not a workload in trust domain "
            "\"example.org\"; path is in the reserved namespace");
}

TEST_F(EntryValidationTest, SimilarEntries) {
  Entry a = valid();
  a.selectors = {{"unix", "uid:1"}, {"unix", "gid:2"}};
  Entry b = a;
  b.entry_id = "other";
  b.selectors = {{"unix", "gid:2"}, {"unix", "uid:1"}};
  b.hint = "different fields do not matter";
  EXPECT_TRUE(isSimilarEntry(a, b));
  EXPECT_EQ(similarEntryKey(a), similarEntryKey(b));

  Entry c = a;
  c.selectors = {{"unix", "uid:1"}};
  EXPECT_FALSE(isSimilarEntry(a, c));
  EXPECT_NE(similarEntryKey(a), similarEntryKey(c));
  Entry d = a;
  d.parent_id = "spiffe://example.org/spire/server";
  EXPECT_FALSE(isSimilarEntry(a, d));
  EXPECT_NE(similarEntryKey(a), similarEntryKey(d));
  // Part boundaries cannot be shifted to forge an equal key.
  Entry e1 = makeEntry("x", "spiffe://example.org/a", "spiffe://example.org/b", {{"t", "v1v"}});
  Entry e2 =
      makeEntry("x", "spiffe://example.org/a", "spiffe://example.org/b", {{"t", "v"}, {"1", "v"}});
  EXPECT_NE(similarEntryKey(e1), similarEntryKey(e2));

  const Status s = similarEntryExists();
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(s.message(), "similar entry already exists");
}

} // namespace
} // namespace spire::server::registration
