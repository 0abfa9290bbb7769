#include "spiffe/spiffe_id.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>
#include <unordered_set>

#include "spiffe/errors.h"
#include "spiffe/spiffe_test_util.h"

namespace spire::spiffe {
namespace {

using namespace spire::spiffe::testing;

TrustDomain td(std::string_view name) {
  return TrustDomain::parse(name).value();
}

struct IdCase {
  std::string input;
  std::string_view want_error; // empty: must parse
  std::string want_td = {};
  std::string want_path = {};
};

class SpiffeIdParseTest : public ::testing::TestWithParam<IdCase> {};

TEST_P(SpiffeIdParseTest, Parses) {
  const IdCase& tc = GetParam();
  Result<SpiffeId> id = SpiffeId::parse(tc.input);
  if (!tc.want_error.empty()) {
    EXPECT_TRUE(failsWith(id, tc.want_error)) << "input: " << tc.input;
    return;
  }
  ASSERT_TRUE(id.isOk()) << tc.input << ": " << id.status().toString();
  EXPECT_EQ(id->trustDomain().name(), tc.want_td);
  EXPECT_EQ(id->path(), tc.want_path);
  EXPECT_EQ(id->toString(), tc.input); // stored unchanged, no normalisation
  EXPECT_FALSE(id->isZero());
}

INSTANTIATE_TEST_SUITE_P(
    Valid, SpiffeIdParseTest,
    ::testing::Values(IdCase{"spiffe://example.org", "", "example.org", ""},
                      IdCase{"spiffe://example.org/workload", "", "example.org", "/workload"},
                      IdCase{"spiffe://example.org/a/b/c", "", "example.org", "/a/b/c"},
                      IdCase{"spiffe://example.org/Upper/CASE", "", "example.org", "/Upper/CASE"},
                      IdCase{"spiffe://td/.a", "", "td", "/.a"},
                      IdCase{"spiffe://td/..a", "", "td", "/..a"},
                      IdCase{"spiffe://td/...", "", "td", "/..."},
                      IdCase{"spiffe://td/a./b..", "", "td", "/a./b.."},
                      IdCase{"spiffe://td/-_.", "", "td", "/-_."},
                      IdCase{"spiffe://1.2.3.4/x", "", "1.2.3.4", "/x"},
                      IdCase{"spiffe://a_b-c.d/0", "", "a_b-c.d", "/0"}));

INSTANTIATE_TEST_SUITE_P(
    Invalid, SpiffeIdParseTest,
    ::testing::Values(
        IdCase{"", kErrEmpty},
        // Scheme: byte-exact and case-sensitive, like go-spiffe.
        IdCase{"SPIFFE://example.org", kErrScheme}, IdCase{"Spiffe://example.org", kErrScheme},
        IdCase{"spiffe:/example.org", kErrScheme}, IdCase{"spiffe:example.org", kErrScheme},
        IdCase{"spiffe//example.org", kErrScheme}, IdCase{"https://example.org", kErrScheme},
        IdCase{"example.org", kErrScheme}, IdCase{"://example.org", kErrScheme},
        IdCase{" spiffe://example.org", kErrScheme}, IdCase{"spiffe:", kErrScheme},
        // Trust domain.
        IdCase{"spiffe://", kErrMissingTd}, IdCase{"spiffe:///", kErrMissingTd},
        IdCase{"spiffe:///path", kErrMissingTd}, IdCase{"spiffe://Example.org", kErrTdChar},
        IdCase{"spiffe://user@example.org/", kErrTdChar},
        IdCase{"spiffe://user:pw@example.org", kErrTdChar},
        IdCase{"spiffe://example.org:443/x", kErrTdChar},
        IdCase{"spiffe://example.org?query", kErrTdChar},
        IdCase{"spiffe://example.org#frag", kErrTdChar},
        IdCase{"spiffe://exa%41mple.org", kErrTdChar}, IdCase{"spiffe://[::1]/x", kErrTdChar},
        // A bad TD byte wins over a later path error.
        IdCase{"spiffe://A//", kErrTdChar},
        // Path.
        IdCase{"spiffe://example.org/", kErrTrailingSlash},
        IdCase{"spiffe://example.org/a/", kErrTrailingSlash},
        IdCase{"spiffe://example.org//", kErrEmptySegment},
        IdCase{"spiffe://example.org//a", kErrEmptySegment},
        IdCase{"spiffe://example.org/a//b", kErrEmptySegment},
        IdCase{"spiffe://example.org/.", kErrDot}, IdCase{"spiffe://example.org/..", kErrDot},
        IdCase{"spiffe://example.org/./a", kErrDot}, IdCase{"spiffe://example.org/../a", kErrDot},
        IdCase{"spiffe://example.org/a/.", kErrDot}, IdCase{"spiffe://example.org/a/..", kErrDot},
        IdCase{"spiffe://example.org/a?q", kErrPathChar},
        IdCase{"spiffe://example.org/a#f", kErrPathChar},
        IdCase{"spiffe://example.org/a%20b", kErrPathChar},
        IdCase{"spiffe://example.org/a:b", kErrPathChar},
        IdCase{"spiffe://example.org/a@b", kErrPathChar},
        IdCase{"spiffe://example.org/~a", kErrPathChar},
        // Order inside the path scan: a segment is judged when the next '/' closes it, a bad
        // byte as soon as it is read.
        IdCase{"spiffe://td/a//%", kErrEmptySegment}, IdCase{"spiffe://td/%//", kErrPathChar},
        IdCase{"spiffe://td/./%", kErrDot}, IdCase{"spiffe://td/a/%/", kErrPathChar},
        IdCase{"spiffe://td/../", kErrDot}));

TEST(SpiffeIdTest, EveryByteInTrustDomain) {
  for (unsigned char c : allTestBytes()) {
    if (c == '/') {
      continue;
    }
    std::string text = std::string("spiffe://a") + static_cast<char>(c) + "b/path";
    Result<SpiffeId> id = SpiffeId::parse(text);
    if (allowedInTrustDomain(c)) {
      ASSERT_TRUE(id.isOk()) << describeByte(c);
      EXPECT_EQ(id->toString(), text);
    } else {
      EXPECT_TRUE(failsWith(id, kErrTdChar)) << describeByte(c);
    }
  }
}

TEST(SpiffeIdTest, EveryByteInPath) {
  for (unsigned char c : allTestBytes()) {
    std::string path = std::string("/a") + static_cast<char>(c) + "b";
    Result<SpiffeId> id = SpiffeId::parse("spiffe://td" + path);
    if (allowedInPath(c) || c == '/') {
      ASSERT_TRUE(id.isOk()) << describeByte(c);
      EXPECT_EQ(id->path(), path);
    } else {
      EXPECT_TRUE(failsWith(id, kErrPathChar)) << describeByte(c);
      EXPECT_TRUE(failsWith(validatePath(path), kErrPathChar)) << describeByte(c);
    }
    // The same byte as a whole segment.
    std::string segment(1, static_cast<char>(c));
    Status seg_status = validatePathSegment(segment);
    if (c == '.') {
      EXPECT_TRUE(failsWith(seg_status, kErrDot));
    } else if (allowedInPath(c)) {
      EXPECT_TRUE(seg_status.isOk()) << describeByte(c);
    } else {
      EXPECT_TRUE(failsWith(seg_status, kErrPathChar)) << describeByte(c);
    }
  }
}

TEST(SpiffeIdTest, ValidatePath) {
  EXPECT_TRUE(validatePath("").isOk());
  EXPECT_TRUE(validatePath("/a").isOk());
  EXPECT_TRUE(validatePath("/a/b.c/...").isOk());
  EXPECT_TRUE(failsWith(validatePath("a"), kErrNoLeadingSlash));
  EXPECT_TRUE(failsWith(validatePath("a/b"), kErrNoLeadingSlash));
  EXPECT_TRUE(failsWith(validatePath("%"), kErrNoLeadingSlash));
  EXPECT_TRUE(failsWith(validatePath("/"), kErrTrailingSlash));
  EXPECT_TRUE(failsWith(validatePath("//"), kErrEmptySegment));
  EXPECT_TRUE(failsWith(validatePath("/."), kErrDot));
  EXPECT_TRUE(failsWith(validatePath("/.."), kErrDot));
}

TEST(SpiffeIdTest, ValidatePathSegment) {
  EXPECT_TRUE(validatePathSegment("a").isOk());
  EXPECT_TRUE(validatePathSegment(".a").isOk());
  EXPECT_TRUE(validatePathSegment("...").isOk());
  EXPECT_TRUE(failsWith(validatePathSegment(""), kErrEmptySegment));
  EXPECT_TRUE(failsWith(validatePathSegment("."), kErrDot));
  EXPECT_TRUE(failsWith(validatePathSegment(".."), kErrDot));
  EXPECT_TRUE(failsWith(validatePathSegment("a/b"), kErrPathChar));
  EXPECT_TRUE(failsWith(validatePathSegment("/a"), kErrPathChar));
}

TEST(SpiffeIdTest, LengthLimits) {
  // 9 ("spiffe://") + 1 ("a") + path = 2048 exactly.
  std::string path = "/" + std::string(2048 - 9 - 1 - 1, 'x');
  Result<SpiffeId> max = SpiffeId::parse("spiffe://a" + path);
  ASSERT_TRUE(max.isOk());
  EXPECT_EQ(max->toString().size(), 2048u);
  EXPECT_TRUE(failsWith(SpiffeId::parse("spiffe://a" + path + "x"), kErrIdTooLong));
  // go-spiffe's errors come first.
  EXPECT_TRUE(failsWith(SpiffeId::parse("spiffe://a" + path + "/"), kErrTrailingSlash));
  EXPECT_TRUE(failsWith(SpiffeId::parse("spiffe://a" + path + "%"), kErrPathChar));

  std::string td_name(255, 't');
  EXPECT_TRUE(SpiffeId::parse("spiffe://" + td_name + "/x").isOk());
  EXPECT_TRUE(failsWith(SpiffeId::parse("spiffe://" + td_name + "t/x"), kErrTdTooLong));
  EXPECT_TRUE(failsWith(SpiffeId::parse("spiffe://" + td_name + "T/x"), kErrTdChar));
  // The trust domain check comes before the whole-ID check.
  EXPECT_TRUE(failsWith(SpiffeId::parse("spiffe://" + td_name + "t" + path), kErrTdTooLong));

  // Builders enforce the same ID limit.
  TrustDomain a = td("a");
  EXPECT_TRUE(SpiffeId::fromPath(a, path).isOk());
  EXPECT_TRUE(failsWith(SpiffeId::fromPath(a, path + "x"), kErrIdTooLong));
  SpiffeId base = SpiffeId::fromPath(a, path.substr(0, path.size() - 2)).value();
  EXPECT_TRUE(base.appendPath("/x").isOk());
  EXPECT_TRUE(failsWith(base.appendPath("/xx"), kErrIdTooLong));
  EXPECT_TRUE(base.appendSegments({"x"}).isOk());
  EXPECT_TRUE(failsWith(base.appendSegments({"xx"}), kErrIdTooLong));
  std::string long_segment(2048 - 9 - 1 - 1, 's');
  EXPECT_TRUE(SpiffeId::fromSegments(a, {long_segment}).isOk());
  EXPECT_TRUE(failsWith(SpiffeId::fromSegments(a, {long_segment + "s"}), kErrIdTooLong));
}

TEST(SpiffeIdTest, FromPath) {
  TrustDomain t = td("example.org");
  Result<SpiffeId> id = SpiffeId::fromPath(t, "/a/b");
  ASSERT_TRUE(id.isOk());
  EXPECT_EQ(id->toString(), "spiffe://example.org/a/b");
  EXPECT_EQ(SpiffeId::fromPath(t, "").value(), t.id());
  EXPECT_TRUE(failsWith(SpiffeId::fromPath(t, "a"), kErrNoLeadingSlash));
  EXPECT_TRUE(failsWith(SpiffeId::fromPath(t, "/a/"), kErrTrailingSlash));
  EXPECT_TRUE(failsWith(SpiffeId::fromPath(t, "//"), kErrEmptySegment));
  EXPECT_TRUE(failsWith(SpiffeId::fromPath(t, "/.."), kErrDot));
  EXPECT_TRUE(failsWith(SpiffeId::fromPath(t, "/a b"), kErrPathChar));
  EXPECT_TRUE(failsWith(SpiffeId::fromPath(TrustDomain(), "/a"), "trust domain is empty"));
  // go-spiffe checks the path before the trust domain.
  EXPECT_TRUE(failsWith(SpiffeId::fromPath(TrustDomain(), "a"), kErrNoLeadingSlash));
}

TEST(SpiffeIdTest, FromSegments) {
  TrustDomain t = td("example.org");
  EXPECT_EQ(SpiffeId::fromSegments(t, {"a", "B", ".c"}).value().toString(),
            "spiffe://example.org/a/B/.c");
  EXPECT_EQ(SpiffeId::fromSegments(t, {}).value(), t.id());
  EXPECT_TRUE(failsWith(SpiffeId::fromSegments(t, {"a", ""}), kErrEmptySegment));
  EXPECT_TRUE(failsWith(SpiffeId::fromSegments(t, {"."}), kErrDot));
  EXPECT_TRUE(failsWith(SpiffeId::fromSegments(t, {"a", ".."}), kErrDot));
  EXPECT_TRUE(failsWith(SpiffeId::fromSegments(t, {"a/b"}), kErrPathChar));
  EXPECT_TRUE(failsWith(SpiffeId::fromSegments(t, {"a?"}), kErrPathChar));
  EXPECT_TRUE(failsWith(SpiffeId::fromSegments(TrustDomain(), {"a"}), "trust domain is empty"));
  EXPECT_TRUE(failsWith(SpiffeId::fromSegments(TrustDomain(), {""}), kErrEmptySegment));

  Result<std::string> joined = joinPathSegments({"x", "y"});
  ASSERT_TRUE(joined.isOk());
  EXPECT_EQ(joined.value(), "/x/y");
  EXPECT_EQ(joinPathSegments({}).value(), "");
}

TEST(SpiffeIdTest, AppendAndReplace) {
  SpiffeId id = SpiffeId::parse("spiffe://example.org/a").value();
  EXPECT_EQ(id.appendPath("/b/c").value().toString(), "spiffe://example.org/a/b/c");
  EXPECT_EQ(id.appendPath("").value(), id);
  EXPECT_EQ(id.replacePath("/z").value().toString(), "spiffe://example.org/z");
  EXPECT_EQ(id.replacePath("").value().toString(), "spiffe://example.org");
  EXPECT_EQ(id.appendSegments({"b", "c"}).value().toString(), "spiffe://example.org/a/b/c");
  EXPECT_EQ(id.replaceSegments({"z"}).value().toString(), "spiffe://example.org/z");
  EXPECT_EQ(id.toString(), "spiffe://example.org/a"); // unchanged

  EXPECT_TRUE(failsWith(id.appendPath("b"), kErrNoLeadingSlash));
  EXPECT_TRUE(failsWith(id.appendPath("/"), kErrTrailingSlash));
  EXPECT_TRUE(failsWith(id.appendPath("/./b"), kErrDot));
  EXPECT_TRUE(failsWith(id.replacePath("//"), kErrEmptySegment));
  EXPECT_TRUE(failsWith(id.appendSegments({""}), kErrEmptySegment));
  EXPECT_TRUE(failsWith(id.replaceSegments({"a/b"}), kErrPathChar));

  SpiffeId zero;
  EXPECT_TRUE(failsWith(zero.appendPath("/a"), "cannot append path on a zero ID value"));
  EXPECT_TRUE(failsWith(zero.replacePath("/a"), "cannot replace path on a zero ID value"));
  EXPECT_TRUE(
      failsWith(zero.appendSegments({"a"}), "cannot append path segments on a zero ID value"));
  EXPECT_TRUE(
      failsWith(zero.replaceSegments({"a"}), "cannot replace path segments on a zero ID value"));
}

TEST(SpiffeIdTest, ZeroValue) {
  SpiffeId zero;
  EXPECT_TRUE(zero.isZero());
  EXPECT_EQ(zero.toString(), "");
  EXPECT_EQ(zero.path(), "");
  EXPECT_TRUE(zero.trustDomain().isZero());
  EXPECT_FALSE(zero.memberOf(TrustDomain()));
  EXPECT_FALSE(zero.memberOf(td("a")));
}

TEST(SpiffeIdTest, MemberOf) {
  SpiffeId id = SpiffeId::parse("spiffe://example.org/w").value();
  EXPECT_TRUE(id.memberOf(td("example.org")));
  EXPECT_FALSE(id.memberOf(td("example.com")));
  EXPECT_FALSE(id.memberOf(td("org")));
  EXPECT_FALSE(id.memberOf(td("example.org.evil")));
  EXPECT_FALSE(id.memberOf(TrustDomain()));
}

TEST(SpiffeIdTest, EqualityOrderingAndHash) {
  SpiffeId a = SpiffeId::parse("spiffe://a/x").value();
  SpiffeId a_again = SpiffeId::fromSegments(td("a"), {"x"}).value();
  SpiffeId a_y = SpiffeId::parse("spiffe://a/y").value();
  SpiffeId a_root = SpiffeId::parse("spiffe://a").value();
  SpiffeId ab = SpiffeId::parse("spiffe://a.b").value();
  SpiffeId upper = SpiffeId::parse("spiffe://a/X").value();
  EXPECT_EQ(a, a_again);
  EXPECT_NE(a, a_y);
  EXPECT_NE(a, upper); // paths are case-sensitive
  EXPECT_LT(a_root, a);
  EXPECT_LT(a, a_y);
  EXPECT_LT(a_y, ab); // trust domain first, then path
  EXPECT_LT(SpiffeId(), a_root);
  EXPECT_EQ(std::hash<SpiffeId>{}(a), std::hash<SpiffeId>{}(a_again));

  std::set<SpiffeId> ordered{ab, a_y, a, a_root, a_again};
  ASSERT_EQ(ordered.size(), 4u);
  EXPECT_EQ(*ordered.begin(), a_root);
  EXPECT_EQ(*ordered.rbegin(), ab);

  std::unordered_set<SpiffeId> hashed{a, a_again, a_y, a_root, ab, upper};
  EXPECT_EQ(hashed.size(), 5u);
  EXPECT_TRUE(hashed.contains(SpiffeId::parse("spiffe://a/y").value()));
}

TEST(SpiffeIdTest, ExportedErrorTextsAreGoSpiffes) {
  EXPECT_EQ(errors::kEmpty, kErrEmpty);
  EXPECT_EQ(errors::kWrongScheme, kErrScheme);
  EXPECT_EQ(errors::kMissingTrustDomain, kErrMissingTd);
  EXPECT_EQ(errors::kBadTrustDomainChar, kErrTdChar);
  EXPECT_EQ(errors::kBadPathSegmentChar, kErrPathChar);
  EXPECT_EQ(errors::kDotSegment, kErrDot);
  EXPECT_EQ(errors::kNoLeadingSlash, kErrNoLeadingSlash);
  EXPECT_EQ(errors::kEmptySegment, kErrEmptySegment);
  EXPECT_EQ(errors::kTrailingSlash, kErrTrailingSlash);
  EXPECT_EQ(errors::kTrustDomainTooLong, kErrTdTooLong);
  EXPECT_EQ(errors::kSpiffeIdTooLong, kErrIdTooLong);
}

TEST(SpiffeIdTest, Streams) {
  std::ostringstream os;
  os << SpiffeId::parse("spiffe://td/p").value() << "|" << SpiffeId();
  EXPECT_EQ(os.str(), "spiffe://td/p|");
}

} // namespace
} // namespace spire::spiffe
