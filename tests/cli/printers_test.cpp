// SPIRE's pretty layouts byte for byte, the -output helpers and Go's JSON encoder output.
#include <cstdlib>
#include <ctime>
#include <sstream>

#include <gtest/gtest.h>

#include "cli/go_strconv.h"
#include "cli/output.h"
#include "cli/pretty_print.h"
#include "cli/selector.h"

namespace spire::cli {
namespace {

// Sets TZ for one test and restores it, so local-time rendering is deterministic.
class ScopedTimeZone {
public:
  explicit ScopedTimeZone(const char* zone) {
    if (const char* old = std::getenv("TZ")) {
      old_ = old;
      had_ = true;
    }
    setenv("TZ", zone, 1);
    tzset();
  }
  ~ScopedTimeZone() {
    if (had_) {
      setenv("TZ", old_.c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }

private:
  std::string old_;
  bool had_ = false;
};

TEST(PrettyPrintTest, MinimalEntryMatchesSpireLayout) {
  EntryView e;
  e.id = "7a4a01ed-9d3c-4262-8dc1-f0d425a9e3fc";
  e.spiffe_id = "spiffe://spiffe.cilium/cilium-agent";
  e.parent_id = "spiffe://spiffe.cilium/ns/cilium-spire/sa/spire-agent";
  e.selectors = {{"k8s", "ns:kube-system"}, {"k8s", "sa:cilium"}};
  std::ostringstream out;
  printEntry(out, e);
  EXPECT_EQ(out.str(), "Entry ID         : 7a4a01ed-9d3c-4262-8dc1-f0d425a9e3fc\n"
                       "SPIFFE ID        : spiffe://spiffe.cilium/cilium-agent\n"
                       "Parent ID        : spiffe://spiffe.cilium/ns/cilium-spire/sa/spire-agent\n"
                       "Revision         : 0\n"
                       "X509-SVID TTL    : default\n"
                       "JWT-SVID TTL     : default\n"
                       "Selector         : k8s:ns:kube-system\n"
                       "Selector         : k8s:sa:cilium\n"
                       "\n");
}

TEST(PrettyPrintTest, FullEntryMatchesSpireLayout) {
  EntryView e;
  e.id = "entry-id";
  e.spiffe_id = "spiffe://example.org/workload";
  e.parent_id = "spiffe://example.org/parent";
  e.revision = 3;
  e.downstream = true;
  e.x509_svid_ttl = 60;
  e.jwt_svid_ttl = 30;
  e.expires_at = 1552410266;
  e.selectors = {{"zebra", "zebra:2000"}, {"alpha", "alpha:2000"}};
  e.federates_with = {"spiffe://domaina.test", "spiffe://domainb.test"};
  e.dns_names = {"unu1000", "ung1000"};
  e.admin = true;
  e.store_svid = true;
  e.hint = "external";
  std::ostringstream out;
  printEntry(out, e);
  EXPECT_EQ(out.str(), "Entry ID         : entry-id\n"
                       "SPIFFE ID        : spiffe://example.org/workload\n"
                       "Parent ID        : spiffe://example.org/parent\n"
                       "Revision         : 3\n"
                       "Downstream       : true\n"
                       "X509-SVID TTL    : 60\n"
                       "JWT-SVID TTL     : 30\n"
                       "Expiration time  : 2019-03-12 17:04:26 +0000 UTC\n"
                       "Selector         : zebra:zebra:2000\n"
                       "Selector         : alpha:alpha:2000\n"
                       "FederatesWith    : spiffe://domaina.test\n"
                       "FederatesWith    : spiffe://domainb.test\n"
                       "DNS name         : unu1000\n"
                       "DNS name         : ung1000\n"
                       "Admin            : true\n"
                       "StoreSvid        : true\n"
                       "Hint             : external\n"
                       "\n");
}

TEST(PrettyPrintTest, EntryWithoutIdPrintsNone) {
  EntryView e;
  std::ostringstream out;
  printEntry(out, e);
  EXPECT_EQ(out.str().substr(0, out.str().find('\n')), "Entry ID         : (none)");
}

TEST(PrettyPrintTest, AgentsMatchSpireLayout) {
  ScopedTimeZone utc("UTC");
  AgentView a{"spiffe://example.org/spire/agent/join_token/tok", "join_token", 1552410266,
              "100095087906107800458890473530290535817",         false,        true};
  AgentView banned{"spiffe://example.org/spire/agent/x509pop/ab", "x509pop", 0, "", true, false};
  std::ostringstream out;
  printAgentList(out, {a, banned});
  EXPECT_EQ(out.str(), "Found 2 attested agents:\n\n"
                       "SPIFFE ID         : spiffe://example.org/spire/agent/join_token/tok\n"
                       "Attestation type  : join_token\n"
                       "Expiration time   : 2019-03-12 17:04:26 +0000 UTC\n"
                       "Serial number     : 100095087906107800458890473530290535817\n"
                       "Can re-attest     : true\n"
                       "\n"
                       "SPIFFE ID         : spiffe://example.org/spire/agent/x509pop/ab\n"
                       "Attestation type  : x509pop\n"
                       "Expiration time   : 1970-01-01 00:00:00 +0000 UTC\n"
                       "Banned            : true\n"
                       "Can re-attest     : false\n"
                       "\n");
  std::ostringstream one;
  printAgentList(one, {a});
  EXPECT_EQ(one.str().substr(0, one.str().find('\n')), "Found 1 attested agent:");
  std::ostringstream none;
  printAgentList(none, {});
  EXPECT_EQ(none.str(), "No attested agents found\n");
}

TEST(PrettyPrintTest, GoTimeStringZones) {
  EXPECT_EQ(goTimeString(1552410266, TimeZoneChoice::kUtc), "2019-03-12 17:04:26 +0000 UTC");
  ScopedTimeZone eastern("EST5EDT");
  EXPECT_EQ(goTimeString(1552410266, TimeZoneChoice::kLocal), "2019-03-12 13:04:26 -0400 EDT");
  EXPECT_EQ(goTimeString(1547000000, TimeZoneChoice::kLocal), "2019-01-08 21:13:20 -0500 EST");
}

TEST(OutputTest, ParseOutputFormat) {
  EXPECT_EQ(*parseOutputFormat("json"), OutputFormat::kJson);
  EXPECT_EQ(*parseOutputFormat("Pretty"), OutputFormat::kPretty);
  EXPECT_EQ(*parseOutputFormat("prettyprint"), OutputFormat::kPretty);
  const auto bad = parseOutputFormat("yaml");
  ASSERT_FALSE(bad.isOk());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "bad formatter flag: unknown format option: \"yaml\"");
}

TEST(OutputTest, JsonIsGoEncoderOutput) {
  nlohmann::ordered_json doc;
  doc["spiffe_id"] = {{"trust_domain", "example.org"}, {"path", "/w"}};
  doc["selectors"] = nlohmann::ordered_json::array();
  doc["x509_svid_ttl"] = 0;
  doc["expires_at"] = "1552410266"; // protojson writes int64 as a string
  doc["hint"] = "a<b>&c\xE2\x80\xA8";
  std::ostringstream out;
  printJson(out, doc);
  EXPECT_EQ(out.str(), "{\"spiffe_id\":{\"trust_domain\":\"example.org\",\"path\":\"/w\"},"
                       "\"selectors\":[],\"x509_svid_ttl\":0,\"expires_at\":\"1552410266\","
                       "\"hint\":\"a\\u003cb\\u003e\\u0026c\\u2028\"}\n");
}

TEST(OutputTest, JsonMessages) {
  std::ostringstream none;
  printJsonMessages(none, {});
  EXPECT_EQ(none.str(), "");
  std::ostringstream one;
  printJsonMessages(one, {nlohmann::ordered_json{{"count", 2}}});
  EXPECT_EQ(one.str(), "{\"count\":2}\n");
  std::ostringstream two;
  printJsonMessages(two, {nlohmann::ordered_json{{"a", 1}}, nlohmann::ordered_json{{"b", 2}}});
  EXPECT_EQ(two.str(), "[{\"a\":1},{\"b\":2}]\n");
}

TEST(OutputTest, Pluralize) {
  EXPECT_EQ(pluralize("Found 1 ", "entry", "entries", 1), "Found 1 entry");
  EXPECT_EQ(pluralize("Found 0 ", "entry", "entries", 0), "Found 0 entries");
}

TEST(GoStrconvTest, QuoteLikeGo) {
  EXPECT_EQ(goQuote("plain"), "\"plain\"");
  EXPECT_EQ(goQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(goQuote("\n\t\x01\x7f"), "\"\\n\\t\\x01\\x7f\"");
  EXPECT_EQ(goQuote("\xC3\xA9"), "\"\xC3\xA9\"");
}

TEST(GoStrconvTest, ParseBoolRejectsOtherSpellings) {
  EXPECT_EQ(parseGoBool("True"), true);
  EXPECT_EQ(parseGoBool("0"), false);
  EXPECT_FALSE(parseGoBool("yes").has_value());
  EXPECT_FALSE(parseGoBool("tRUE").has_value());
  EXPECT_FALSE(parseGoBool("").has_value());
}

TEST(GoStrconvTest, ParseInt64Edges) {
  std::int64_t v = 0;
  EXPECT_EQ(parseGoInt64("9223372036854775807", v), IntError::kNone);
  EXPECT_EQ(v, INT64_MAX);
  EXPECT_EQ(parseGoInt64("-9223372036854775809", v), IntError::kRange);
  EXPECT_EQ(parseGoInt64("0x_1F", v), IntError::kNone);
  EXPECT_EQ(v, 31);
  EXPECT_EQ(parseGoInt64("_1", v), IntError::kSyntax);
  EXPECT_EQ(parseGoInt64("1_", v), IntError::kSyntax);
  EXPECT_EQ(parseGoInt64("0x", v), IntError::kSyntax);
  EXPECT_EQ(parseGoInt64("-", v), IntError::kSyntax);
  EXPECT_EQ(parseGoInt64(" 1", v), IntError::kSyntax);
  EXPECT_EQ(parseGoInt64("0", v), IntError::kNone);
  EXPECT_EQ(v, 0);
}

} // namespace
} // namespace spire::cli

namespace spire::cli {
namespace {

TEST(SelectorArgTest, SplitsAtFirstColon) {
  const auto s = parseSelectorArg("k8s:ns:default");
  ASSERT_TRUE(s.isOk());
  EXPECT_EQ(s->type, "k8s");
  EXPECT_EQ(s->value, "ns:default");
  const auto empty_value = parseSelectorArg("unix:");
  ASSERT_TRUE(empty_value.isOk());
  EXPECT_EQ(empty_value->type, "unix");
  EXPECT_EQ(empty_value->value, "");
}

TEST(SelectorArgTest, MissingColonIsSpiresError) {
  const auto s = parseSelectorArg("unix");
  ASSERT_FALSE(s.isOk());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.status().message(), "selector \"unix\" must be formatted as type:value");
}

} // namespace
} // namespace spire::cli
