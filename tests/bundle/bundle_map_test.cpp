#include "bundle/bundle_map.h"

#include <gtest/gtest.h>

#include "jwt/jwt_test_util.h"

namespace spire::bundle {
namespace {

using jwt::testing::makeCaCert;
using jwt::testing::makeKey;

spiffe::TrustDomain td(std::string_view name) {
  return *spiffe::TrustDomain::parse(name);
}

void expectError(std::string_view json, std::string_view message) {
  Result<SpiffeBundleMap> map = SpiffeBundleMap::parse(json);
  ASSERT_FALSE(map.isOk()) << json;
  EXPECT_EQ(map.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(map.status().message(), message) << json;
}

TEST(SpiffeBundleMapTest, ParsesAndMarshals) {
  crypto::EvpPkeyPtr key = makeKey("P-256");
  SpiffeBundle a(td("a.org"));
  a.addX509Authority(makeCaCert(*key));
  a.setSequenceNumber(1);
  a.setRefreshHint(std::chrono::seconds(300));
  SpiffeBundle b(td("b.org"));
  ASSERT_TRUE(b.addJwtAuthority("k", jwt::testing::publicOf(*key)).isOk());

  std::string json = R"({"trust_domains":{"spiffe://b.org":)" + *b.marshal() + R"(,"a.org":)" +
                     *a.marshal() + "}}";
  Result<SpiffeBundleMap> map = SpiffeBundleMap::parse(json);
  ASSERT_TRUE(map.isOk()) << map.status().toString();
  ASSERT_EQ(map->size(), 2u);
  ASSERT_NE(map->get(td("a.org")), nullptr);
  EXPECT_TRUE(map->get(td("a.org"))->equals(a));
  EXPECT_TRUE(map->get(td("b.org"))->equals(b));
  EXPECT_EQ(map->get(td("c.org")), nullptr);

  std::string out = *map->marshal();
  EXPECT_EQ(out.rfind(R"({"trust_domains":{"a.org":{"keys":[{"use":"x509-svid")", 0), 0u) << out;
  EXPECT_EQ(out.find("spiffe_refresh_hint"), std::string::npos);
  EXPECT_NE(out.find(R"("spiffe_sequence":1})"), std::string::npos);
  EXPECT_LT(out.find("\"a.org\""), out.find("\"b.org\""));

  Result<SpiffeBundleMap> again = SpiffeBundleMap::parse(out);
  ASSERT_TRUE(again.isOk());
  EXPECT_FALSE(again->get(td("a.org"))->refreshHint().has_value());
  EXPECT_TRUE(again->get(td("b.org"))->equals(b));
}

TEST(SpiffeBundleMapTest, Empty) {
  Result<SpiffeBundleMap> map = SpiffeBundleMap::parse(R"({"trust_domains":{}})");
  ASSERT_TRUE(map.isOk());
  EXPECT_EQ(map->size(), 0u);
  EXPECT_EQ(*SpiffeBundleMap().marshal(), R"({"trust_domains":{}})");
}

TEST(SpiffeBundleMapTest, Errors) {
  expectError("{}", "spiffebundle: no trust_domains found");
  expectError(R"({"trust_domains":null})", "spiffebundle: no trust_domains found");
  expectError("[]", "spiffebundle: unable to parse SPIFFE bundle map: json: cannot unmarshal "
                    "array into Go value of type spiffebundle.bundleMapDoc");
  expectError(R"({"trust_domains":[]})",
              "spiffebundle: unable to parse SPIFFE bundle map: json: cannot unmarshal array into "
              "Go struct field bundleMapDoc.trust_domains of type map[string]json.RawMessage");
  Result<SpiffeBundleMap> bad = SpiffeBundleMap::parse(R"({"trust_domains":)");
  ASSERT_FALSE(bad.isOk());
  EXPECT_EQ(bad.status().message().rfind("spiffebundle: unable to parse SPIFFE bundle map: ", 0),
            0u);
  EXPECT_EQ(bad.status().message().find("[json.exception"), std::string::npos);
  expectError(R"({"trust_domains":{"invalid domain":{"keys":[]}}})",
              "spiffebundle: invalid trust domain \"invalid domain\": trust domain characters are "
              "limited to lowercase letters, numbers, dots, dashes, and underscores");
  expectError(R"({"trust_domains":{"domain.test":{}}})",
              "spiffebundle: error parsing bundle for trust domain \"domain.test\": no authorities "
              "found");
  expectError(R"({"trust_domains":{"domain.test":{"keys":[],"spiffe_sequence":-2}}})",
              "spiffebundle: error parsing bundle for trust domain \"domain.test\": unable to "
              "parse JWKS: json: cannot unmarshal number -2 into Go struct field "
              "bundleDoc.spiffe_sequence of type uint64");
}

TEST(SpiffeBundleMapTest, DuplicateTrustDomainsAreRejected) {
  // The same key twice: a plain JSON object parse would silently keep the last one.
  expectError(R"({"trust_domains":{"domain.test":{"keys":[]},"domain.test":{"keys":[]}}})",
              "spiffebundle: duplicate entry found for trust domain \"domain.test\"");
  // Two spellings of one trust domain (go-spiffe's own check).
  expectError(R"({"trust_domains":{"domain.test":{"keys":[]},"spiffe://domain.test":{"keys":[]}}})",
              "spiffebundle: duplicate entry found for trust domain \"spiffe://domain.test\"");
}

TEST(SpiffeBundleMapTest, RepeatedKeysElsewhereAreNotTrustDomains) {
  Result<SpiffeBundleMap> map = SpiffeBundleMap::parse(
      R"({"other":{"a.org":1,"a.org":2},"trust_domains":{"a.org":{"keys":[],"x":{"k":1,"k":2}},)"
      R"("b.org":{"keys":[{"kty":"oct","kty":"oct"}]}}})");
  ASSERT_TRUE(map.isOk()) << map.status().toString();
  EXPECT_EQ(map->size(), 2u);
}

TEST(SpiffeBundleMapTest, SurvivesTruncationAndByteChanges) {
  crypto::EvpPkeyPtr key = makeKey("P-256");
  SpiffeBundle a(td("a.org"));
  a.addX509Authority(makeCaCert(*key));
  ASSERT_TRUE(a.addJwtAuthority("k", jwt::testing::publicOf(*key)).isOk());
  a.setSequenceNumber(5);
  SpiffeBundleMap map;
  map.add(a);
  std::string json = *map.marshal();
  for (std::size_t i = 0; i < json.size(); i += 3) {
    EXPECT_FALSE(SpiffeBundleMap::parse(json.substr(0, i)).isOk());
    for (char c : {'"', '1', '}', '\xff'}) {
      std::string mutated = json;
      mutated[i] = c;
      Result<SpiffeBundleMap> r = SpiffeBundleMap::parse(mutated);
      if (!r.isOk()) {
        EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
        EXPECT_EQ(r.status().message().rfind("spiffebundle: ", 0), 0u) << r.status().message();
      }
    }
  }
}

TEST(SpiffeBundleMapTest, AddReplacesAndRemoves) {
  SpiffeBundleMap map;
  SpiffeBundle first(td("a.org"));
  first.setSequenceNumber(1);
  map.add(first);
  SpiffeBundle second(td("a.org"));
  second.setSequenceNumber(2);
  map.add(second);
  EXPECT_EQ(map.size(), 1u);
  EXPECT_EQ(map.get(td("a.org"))->sequenceNumber(), 2u);
  map.remove(td("a.org"));
  EXPECT_EQ(map.size(), 0u);
}

} // namespace
} // namespace spire::bundle
