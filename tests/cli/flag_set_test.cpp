// Go flag-package semantics: every syntax form and every error text as Go prints it.
#include <chrono>
#include <sstream>

#include <gtest/gtest.h>

#include "cli/flag_set.h"

namespace spire::cli {
namespace {

using namespace std::chrono_literals;
using Kind = ParseOutcome::Kind;

FlagSet sampleSet() {
  return FlagSet(
      "entry create",
      {stringFlag("spiffeID", "The SPIFFE ID that this record represents"),
       boolFlag("admin", "If set, admin"), intFlag("ttl", "Token TTL in seconds", 600),
       int64Flag("entryExpiry", "An expiry"), durationFlag("expiredFor", "Amount of time", 720h),
       stringListFlag("selector", "A colon-delimited type:value selector"), outputFlag()});
}

ParseOutcome parse(const FlagSet& set, std::vector<std::string> args, std::string* diag = nullptr) {
  std::ostringstream err;
  auto outcome = set.parse(args, err);
  if (diag != nullptr) {
    *diag = err.str();
  }
  return outcome;
}

TEST(FlagSetTest, AllFourValueForms) {
  const auto set = sampleSet();
  for (const auto& args : std::vector<std::vector<std::string>>{{"-spiffeID", "spiffe://td/a"},
                                                                {"-spiffeID=spiffe://td/a"},
                                                                {"--spiffeID", "spiffe://td/a"},
                                                                {"--spiffeID=spiffe://td/a"}}) {
    const auto outcome = parse(set, args);
    ASSERT_EQ(outcome.kind, Kind::kOk) << args[0];
    EXPECT_EQ(outcome.flags.getString("spiffeID"), "spiffe://td/a");
    EXPECT_TRUE(outcome.flags.isSet("spiffeID"));
    EXPECT_TRUE(outcome.flags.args().empty());
  }
}

TEST(FlagSetTest, ValueMayContainEqualsAndBeEmpty) {
  const auto set = sampleSet();
  auto outcome = parse(set, {"-spiffeID=a=b"});
  EXPECT_EQ(outcome.flags.getString("spiffeID"), "a=b");
  outcome = parse(set, {"-spiffeID="});
  ASSERT_EQ(outcome.kind, Kind::kOk);
  EXPECT_EQ(outcome.flags.getString("spiffeID"), "");
  EXPECT_TRUE(outcome.flags.isSet("spiffeID"));
  // A value that looks like a flag is still taken as the value.
  outcome = parse(set, {"-spiffeID", "-admin"});
  EXPECT_EQ(outcome.flags.getString("spiffeID"), "-admin");
  EXPECT_FALSE(outcome.flags.getBool("admin"));
}

TEST(FlagSetTest, DefaultsWhenUnset) {
  const auto outcome = parse(sampleSet(), {});
  ASSERT_EQ(outcome.kind, Kind::kOk);
  EXPECT_EQ(outcome.flags.getString("spiffeID"), "");
  EXPECT_FALSE(outcome.flags.getBool("admin"));
  EXPECT_EQ(outcome.flags.getInt("ttl"), 600);
  EXPECT_EQ(outcome.flags.getDuration("expiredFor"), 720h);
  EXPECT_TRUE(outcome.flags.getStrings("selector").empty());
  EXPECT_EQ(outcome.flags.outputFormat(), "pretty");
  EXPECT_FALSE(outcome.flags.isSet("ttl"));
}

TEST(FlagSetTest, BoolForms) {
  const auto set = sampleSet();
  EXPECT_TRUE(parse(set, {"-admin"}).flags.getBool("admin"));
  EXPECT_TRUE(parse(set, {"--admin"}).flags.getBool("admin"));
  for (const char* yes : {"1", "t", "T", "TRUE", "true", "True"}) {
    EXPECT_TRUE(parse(set, {std::string("-admin=") + yes}).flags.getBool("admin")) << yes;
  }
  for (const char* no : {"0", "f", "F", "FALSE", "false", "False"}) {
    const auto outcome = parse(set, {std::string("-admin=") + no});
    ASSERT_EQ(outcome.kind, Kind::kOk);
    EXPECT_FALSE(outcome.flags.getBool("admin")) << no;
    EXPECT_TRUE(outcome.flags.isSet("admin"));
  }
}

TEST(FlagSetTest, BoolDoesNotConsumeNextArgument) {
  // "-admin false": Go sets admin and stops at the positional "false".
  const auto outcome = parse(sampleSet(), {"-admin", "false", "-ttl", "5"});
  ASSERT_EQ(outcome.kind, Kind::kOk);
  EXPECT_TRUE(outcome.flags.getBool("admin"));
  EXPECT_EQ(outcome.flags.getInt("ttl"), 600);
  EXPECT_EQ(outcome.flags.args(), (std::vector<std::string>{"false", "-ttl", "5"}));
}

TEST(FlagSetTest, InvalidBoolValue) {
  std::string diag;
  const auto outcome = parse(sampleSet(), {"-admin=yes"}, &diag);
  ASSERT_EQ(outcome.kind, Kind::kError);
  EXPECT_EQ(outcome.message, "invalid boolean value \"yes\" for -admin: parse error");
  EXPECT_EQ(diag.substr(0, diag.find('\n')), outcome.message);
}

TEST(FlagSetTest, RepeatableFlagsAccumulateInOrder) {
  const auto outcome =
      parse(sampleSet(), {"-selector", "unix:uid:0", "--selector=k8s:ns:a", "-selector", "x:y"});
  ASSERT_EQ(outcome.kind, Kind::kOk);
  EXPECT_EQ(outcome.flags.getStrings("selector"),
            (std::vector<std::string>{"unix:uid:0", "k8s:ns:a", "x:y"}));
}

TEST(FlagSetTest, CommaSplittingListFlag) {
  FlagSpec audience = stringListFlag("audience", "comma separated list of audience values");
  audience.split_commas = true;
  const FlagSet set("fetch jwt", {audience});
  const auto outcome = parse(set, {"-audience", "a,b", "-audience", "c"});
  ASSERT_EQ(outcome.kind, Kind::kOk);
  EXPECT_EQ(outcome.flags.getStrings("audience"), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(FlagSetTest, LastValueWinsForScalars) {
  const auto outcome = parse(sampleSet(), {"-ttl", "1", "-ttl", "2"});
  EXPECT_EQ(outcome.flags.getInt("ttl"), 2);
}

TEST(FlagSetTest, DoubleDashEndsFlags) {
  const auto outcome = parse(sampleSet(), {"-admin", "--", "-ttl", "5"});
  ASSERT_EQ(outcome.kind, Kind::kOk);
  EXPECT_EQ(outcome.flags.getInt("ttl"), 600);
  EXPECT_EQ(outcome.flags.args(), (std::vector<std::string>{"-ttl", "5"}));
}

TEST(FlagSetTest, FirstNonFlagEndsParsing) {
  const auto outcome = parse(sampleSet(), {"-ttl", "5", "extra", "-admin"});
  ASSERT_EQ(outcome.kind, Kind::kOk);
  EXPECT_EQ(outcome.flags.getInt("ttl"), 5);
  EXPECT_FALSE(outcome.flags.getBool("admin"));
  EXPECT_EQ(outcome.flags.args(), (std::vector<std::string>{"extra", "-admin"}));
  // A lone "-" is a non-flag argument too.
  EXPECT_EQ(parse(sampleSet(), {"-", "-admin"}).flags.args(),
            (std::vector<std::string>{"-", "-admin"}));
}

TEST(FlagSetTest, UnknownFlagPrintsMessageAndUsage) {
  const auto set = sampleSet();
  std::string diag;
  const auto outcome = parse(set, {"-x"}, &diag);
  ASSERT_EQ(outcome.kind, Kind::kError);
  EXPECT_EQ(outcome.message, "flag provided but not defined: -x");
  EXPECT_EQ(diag, "flag provided but not defined: -x\n" + set.usage());
  // With two dashes Go still names it with one.
  EXPECT_EQ(parse(set, {"--nope=1"}).message, "flag provided but not defined: -nope");
}

TEST(FlagSetTest, MissingValue) {
  std::string diag;
  const auto outcome = parse(sampleSet(), {"-ttl"}, &diag);
  ASSERT_EQ(outcome.kind, Kind::kError);
  EXPECT_EQ(outcome.message, "flag needs an argument: -ttl");
  EXPECT_EQ(diag.rfind("flag needs an argument: -ttl\nUsage of entry create:\n", 0), 0u);
}

TEST(FlagSetTest, BadSyntax) {
  for (const std::string bad : {"---x", "-=x", "--=x"}) {
    const auto outcome = parse(sampleSet(), {bad});
    ASSERT_EQ(outcome.kind, Kind::kError) << bad;
    EXPECT_EQ(outcome.message, "bad flag syntax: " + bad);
  }
}

TEST(FlagSetTest, IntegerErrorsAndForms) {
  const auto set = sampleSet();
  EXPECT_EQ(parse(set, {"-ttl", "abc"}).message,
            "invalid value \"abc\" for flag -ttl: parse error");
  EXPECT_EQ(parse(set, {"-ttl", "1.5"}).message,
            "invalid value \"1.5\" for flag -ttl: parse error");
  EXPECT_EQ(parse(set, {"-ttl", ""}).message, "invalid value \"\" for flag -ttl: parse error");
  EXPECT_EQ(parse(set, {"-ttl", "9223372036854775808"}).message,
            "invalid value \"9223372036854775808\" for flag -ttl: value out of range");
  EXPECT_EQ(parse(set, {"-ttl", "1__0"}).message,
            "invalid value \"1__0\" for flag -ttl: parse error");
  EXPECT_EQ(parse(set, {"-ttl", "08"}).message, "invalid value \"08\" for flag -ttl: parse error");
  EXPECT_EQ(parse(set, {"-ttl", "0x10"}).flags.getInt("ttl"), 16);
  EXPECT_EQ(parse(set, {"-ttl", "010"}).flags.getInt("ttl"), 8);
  EXPECT_EQ(parse(set, {"-ttl", "0o17"}).flags.getInt("ttl"), 15);
  EXPECT_EQ(parse(set, {"-ttl", "0b101"}).flags.getInt("ttl"), 5);
  EXPECT_EQ(parse(set, {"-ttl", "-42"}).flags.getInt("ttl"), -42);
  EXPECT_EQ(parse(set, {"-ttl", "+7"}).flags.getInt("ttl"), 7);
  EXPECT_EQ(parse(set, {"-ttl", "1_000"}).flags.getInt("ttl"), 1000);
  EXPECT_EQ(parse(set, {"-ttl", "-9223372036854775808"}).flags.getInt("ttl"), INT64_MIN);
  EXPECT_EQ(parse(set, {"-entryExpiry=1552410266"}).flags.getInt("entryExpiry"), 1552410266);
}

TEST(FlagSetTest, DurationForms) {
  const auto set = sampleSet();
  EXPECT_EQ(parse(set, {"-expiredFor", "1h30m"}).flags.getDuration("expiredFor"), 90min);
  EXPECT_EQ(parse(set, {"-expiredFor=0"}).flags.getDuration("expiredFor"), 0s);
  // Go's flag package hides the time package's message behind "parse error".
  EXPECT_EQ(parse(set, {"-expiredFor", "30"}).message,
            "invalid value \"30\" for flag -expiredFor: parse error");
  EXPECT_EQ(parse(set, {"-expiredFor", "1d"}).message,
            "invalid value \"1d\" for flag -expiredFor: parse error");
}

TEST(FlagSetTest, OutputFormatValues) {
  const auto set = sampleSet();
  EXPECT_EQ(parse(set, {"-output", "json"}).flags.outputFormat(), "json");
  EXPECT_EQ(parse(set, {"-output", "JSON"}).flags.outputFormat(), "json");
  EXPECT_EQ(parse(set, {"-output=prettyprint"}).flags.outputFormat(), "pretty");
  EXPECT_EQ(parse(set, {"-output", "json", "-output", "json"}).kind, Kind::kOk);
  EXPECT_EQ(parse(set, {"-output", "xml"}).message,
            "invalid value \"xml\" for flag -output: bad formatter flag: unknown format option: "
            "\"xml\"");
  EXPECT_EQ(parse(set, {"-output", "json", "-output", "pretty"}).message,
            "invalid value \"pretty\" for flag -output: the output format has already been set "
            "to \"json\"");
}

TEST(FlagSetTest, HelpRequested) {
  const auto set = sampleSet();
  for (const std::string help : {"-h", "-help", "--h", "--help"}) {
    std::string diag;
    const auto outcome = parse(set, {"-ttl", "1", help, "-x"}, &diag);
    ASSERT_EQ(outcome.kind, Kind::kHelp) << help;
    EXPECT_EQ(outcome.message, "flag: help requested");
    EXPECT_EQ(diag, set.usage());
  }
  // A declared "-h" is an ordinary flag.
  const FlagSet with_h("x", {boolFlag("h", "mine")});
  EXPECT_EQ(parse(with_h, {"-h"}).kind, Kind::kOk);
}

TEST(FlagSetTest, UsageLayoutMatchesGo) {
  FlagSpec quoted = stringFlag("write", "Write to `dir` on disk");
  const FlagSet set("x509 mint",
                    {stringFlag("socketPath", "Path to the SPIRE Server API socket",
                                "/tmp/spire-server/private/api.sock"),
                     boolFlag("a", "One-letter bool"), boolFlag("dryRun", "Dry run"),
                     intFlag("ttl", "Token TTL in seconds", 600), intFlag("zero", "Zero int"),
                     durationFlag("expiredFor", "Expired for", 720h), stringListFlag("dns", "DNS"),
                     outputFlag(), customDurationFlag("timeout", "Time to wait", 5s),
                     boolFlag("on", "Defaults to true", true), quoted,
                     stringFlag("multi", "line one\nline two", "q\"uote")});
  EXPECT_EQ(set.usage(), "Usage of x509 mint:\n"
                         "  -a\tOne-letter bool\n"
                         "  -dns value\n"
                         "    \tDNS\n"
                         "  -dryRun\n"
                         "    \tDry run\n"
                         "  -expiredFor duration\n"
                         "    \tExpired for (default 720h0m0s)\n"
                         "  -multi string\n"
                         "    \tline one\n"
                         "    \tline two (default \"q\\\"uote\")\n"
                         "  -on\n"
                         "    \tDefaults to true (default true)\n"
                         "  -output value\n"
                         "    \tDesired output format (pretty, json); default: pretty.\n"
                         "  -socketPath string\n"
                         "    \tPath to the SPIRE Server API socket (default "
                         "\"/tmp/spire-server/private/api.sock\")\n"
                         "  -timeout value\n"
                         "    \tTime to wait (default 5s)\n"
                         "  -ttl int\n"
                         "    \tToken TTL in seconds (default 600)\n"
                         "  -write dir\n"
                         "    \tWrite to dir on disk\n"
                         "  -zero int\n"
                         "    \tZero int\n");
}

TEST(FlagSetTest, UndeclaredFlagLookupAborts) {
  const auto outcome = parse(sampleSet(), {});
  EXPECT_FALSE(outcome.flags.has("nope"));
  EXPECT_DEATH((void)outcome.flags.getString("nope"), "flag -nope is not declared");
}

TEST(FlagSetTest, EmptyNameUsageHeader) {
  EXPECT_EQ(FlagSet("", {}).usage(), "Usage:\n");
}

} // namespace
} // namespace spire::cli
