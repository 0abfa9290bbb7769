#include "spiffe/trust_domain.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>
#include <unordered_set>

#include "spiffe/spiffe_id.h"
#include "spiffe/spiffe_test_util.h"

namespace spire::spiffe {
namespace {

using namespace spire::spiffe::testing;

struct TdCase {
  std::string input;
  std::string want_name; // empty when an error is expected
  std::string_view want_error;
};

class TrustDomainParseTest : public ::testing::TestWithParam<TdCase> {};

TEST_P(TrustDomainParseTest, Parses) {
  const TdCase& tc = GetParam();
  Result<TrustDomain> td = TrustDomain::parse(tc.input);
  if (tc.want_error.empty()) {
    ASSERT_TRUE(td.isOk()) << td.status().toString();
    EXPECT_EQ(td->name(), tc.want_name);
    EXPECT_FALSE(td->isZero());
  } else {
    EXPECT_TRUE(failsWith(td, tc.want_error));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, TrustDomainParseTest,
    ::testing::Values(
        // Bare names.
        TdCase{"example.org", "example.org", ""}, TdCase{"a", "a", ""},
        TdCase{"trustdomain", "trustdomain", ""}, TdCase{"a-b_c.d0", "a-b_c.d0", ""},
        TdCase{"...", "...", ""}, TdCase{"-", "-", ""}, TdCase{"_", "_", ""},
        TdCase{"192.168.1.1", "192.168.1.1", ""}, // IPv4 is just a name
        // go-spiffe answers "trust domain is missing" for "", not "cannot be empty".
        TdCase{"", "", kErrMissingTd}, TdCase{"Example.org", "", kErrTdChar},
        TdCase{"EXAMPLE", "", kErrTdChar}, TdCase{"example.org:8080", "", kErrTdChar},
        TdCase{"user@example.org", "", kErrTdChar}, TdCase{"exa%20mple", "", kErrTdChar},
        TdCase{"example.org/path", "", kErrTdChar}, TdCase{"example.org?q", "", kErrTdChar},
        TdCase{"example.org#f", "", kErrTdChar}, TdCase{"[::1]", "", kErrTdChar},
        TdCase{" example.org", "", kErrTdChar}, TdCase{"exam\xc3\xa9ple", "", kErrTdChar},
        // Anything with ":/" is parsed as a full SPIFFE ID, path errors included.
        TdCase{"spiffe://example.org", "example.org", ""},
        TdCase{"spiffe://example.org/path", "example.org", ""},
        TdCase{"spiffe://example.org/a/b/c", "example.org", ""},
        TdCase{"spiffe://", "", kErrMissingTd}, TdCase{"spiffe:///path", "", kErrMissingTd},
        TdCase{"spiffe:/example.org", "", kErrScheme},
        TdCase{"SPIFFE://example.org", "", kErrScheme},
        TdCase{"https://example.org", "", kErrScheme}, TdCase{"x:/", "", kErrScheme},
        TdCase{"spiffe://Example.org", "", kErrTdChar},
        TdCase{"spiffe://example.org:1/", "", kErrTdChar},
        TdCase{"spiffe://example.org/", "", kErrTrailingSlash},
        TdCase{"spiffe://example.org//a", "", kErrEmptySegment},
        TdCase{"spiffe://example.org/./a", "", kErrDot},
        TdCase{"spiffe://example.org/a/..", "", kErrDot},
        TdCase{"spiffe://example.org/a%20b", "", kErrPathChar},
        // "spiffe:" without "/" is a bare name with a bad char, not an ID.
        TdCase{"spiffe:example.org", "", kErrTdChar}));

TEST(TrustDomainTest, EveryByteInBareName) {
  for (unsigned char c : allTestBytes()) {
    std::string name = std::string("a") + static_cast<char>(c) + "b";
    Result<TrustDomain> td = TrustDomain::parse(name);
    if (allowedInTrustDomain(c)) {
      ASSERT_TRUE(td.isOk()) << describeByte(c) << ": " << td.status().toString();
      EXPECT_EQ(td->name(), name);
    } else {
      EXPECT_TRUE(failsWith(td, kErrTdChar)) << describeByte(c);
    }
    // The byte alone, too.
    Result<TrustDomain> single = TrustDomain::parse(std::string(1, static_cast<char>(c)));
    EXPECT_EQ(single.isOk(), allowedInTrustDomain(c)) << describeByte(c);
  }
}

TEST(TrustDomainTest, EveryByteInIdForm) {
  for (unsigned char c : allTestBytes()) {
    if (c == '/') {
      continue; // ends the trust domain; covered by the path tests
    }
    std::string id = std::string("spiffe://a") + static_cast<char>(c) + "b/p";
    Result<TrustDomain> td = TrustDomain::parse(id);
    if (allowedInTrustDomain(c)) {
      ASSERT_TRUE(td.isOk()) << describeByte(c);
      EXPECT_EQ(td->name(), id.substr(9, 3));
    } else {
      EXPECT_TRUE(failsWith(td, kErrTdChar)) << describeByte(c);
    }
  }
}

TEST(TrustDomainTest, LengthLimitOnBareName) {
  std::string max(255, 'a');
  Result<TrustDomain> ok = TrustDomain::parse(max);
  ASSERT_TRUE(ok.isOk());
  EXPECT_EQ(ok->name().size(), 255u);
  EXPECT_TRUE(failsWith(TrustDomain::parse(max + "a"), kErrTdTooLong));
  // A bad byte is reported before the length, as go-spiffe would report it.
  EXPECT_TRUE(failsWith(TrustDomain::parse(max + "A"), kErrTdChar));
}

TEST(TrustDomainTest, LengthLimitOnIdForm) {
  std::string max(255, 'a');
  EXPECT_TRUE(TrustDomain::parse("spiffe://" + max + "/x").isOk());
  EXPECT_TRUE(failsWith(TrustDomain::parse("spiffe://" + max + "a/x"), kErrTdTooLong));
  EXPECT_TRUE(failsWith(TrustDomain::parse("spiffe://" + max + "a/x/"), kErrTrailingSlash));
  // The ID's own limit applies too.
  std::string long_path = "/" + std::string(2048 - 9 - 1 - 1, 'p');
  EXPECT_TRUE(TrustDomain::parse("spiffe://a" + long_path).isOk());
  EXPECT_TRUE(failsWith(TrustDomain::parse("spiffe://a" + long_path + "p"), kErrIdTooLong));
}

TEST(TrustDomainTest, ZeroValue) {
  TrustDomain zero;
  EXPECT_TRUE(zero.isZero());
  EXPECT_EQ(zero.name(), "");
  EXPECT_EQ(zero.idString(), "");
  EXPECT_TRUE(zero.id().isZero());
  EXPECT_EQ(zero, TrustDomain());
}

TEST(TrustDomainTest, IdAndIdString) {
  TrustDomain td = TrustDomain::parse("example.org").value();
  EXPECT_EQ(td.idString(), "spiffe://example.org");
  SpiffeId id = td.id();
  EXPECT_FALSE(id.isZero());
  EXPECT_EQ(id.toString(), "spiffe://example.org");
  EXPECT_EQ(id.path(), "");
  EXPECT_EQ(id.trustDomain(), td);
  EXPECT_TRUE(id.memberOf(td));
  EXPECT_EQ(id, SpiffeId::parse("spiffe://example.org").value());
}

TEST(TrustDomainTest, EqualityOrderingAndHash) {
  TrustDomain a = TrustDomain::parse("a.org").value();
  TrustDomain a2 = TrustDomain::parse("spiffe://a.org/x").value();
  TrustDomain b = TrustDomain::parse("b.org").value();
  TrustDomain ab = TrustDomain::parse("a.org.b").value();
  EXPECT_EQ(a, a2);
  EXPECT_NE(a, b);
  EXPECT_LT(a, b);
  EXPECT_LT(a, ab); // byte-wise: a prefix sorts first
  EXPECT_LT(TrustDomain(), a);
  EXPECT_EQ(std::hash<TrustDomain>{}(a), std::hash<TrustDomain>{}(a2));

  std::set<TrustDomain> ordered{b, ab, a, a2};
  ASSERT_EQ(ordered.size(), 3u);
  EXPECT_EQ(ordered.begin()->name(), "a.org");
  EXPECT_EQ(ordered.rbegin()->name(), "b.org");

  std::unordered_set<TrustDomain> hashed{a, a2, b};
  EXPECT_EQ(hashed.size(), 2u);
  EXPECT_TRUE(hashed.contains(TrustDomain::parse("b.org").value()));
}

TEST(TrustDomainTest, Streams) {
  std::ostringstream os;
  os << TrustDomain::parse("example.org").value() << "|" << TrustDomain();
  EXPECT_EQ(os.str(), "example.org|");
}

} // namespace
} // namespace spire::spiffe
