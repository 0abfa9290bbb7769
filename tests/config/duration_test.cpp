#include "config/duration.h"

#include <gtest/gtest.h>

#include "config_test_util.h"

namespace spire::config {
namespace {

using namespace std::chrono_literals;
using testing::invalid;

Duration parse(std::string_view text) {
  Result<Duration> d = parseGoDuration(text);
  EXPECT_TRUE(d.isOk()) << text << ": " << d.status().message();
  return d.isOk() ? d.value() : Duration(-1);
}

TEST(GoDuration, SpireForms) {
  EXPECT_EQ(parse("1h"), 1h);
  EXPECT_EQ(parse("30m"), 30min);
  EXPECT_EQ(parse("90s"), 90s);
  EXPECT_EQ(parse("1h30m"), 90min);
  EXPECT_EQ(parse("500ms"), 500ms);
  EXPECT_EQ(parse("1.5h"), 90min);
  EXPECT_EQ(parse("2s45ms"), 2045ms);
}

TEST(GoDuration, AllUnits) {
  EXPECT_EQ(parse("7ns"), 7ns);
  EXPECT_EQ(parse("7us"), 7us);
  EXPECT_EQ(parse("7\xC2\xB5s"), 7us);
  EXPECT_EQ(parse("7\xCE\xBCs"), 7us);
  EXPECT_EQ(parse("7ms"), 7ms);
  EXPECT_EQ(parse("7s"), 7s);
  EXPECT_EQ(parse("7m"), 7min);
  EXPECT_EQ(parse("7h"), 7h);
}

TEST(GoDuration, SignsFractionsAndZero) {
  EXPECT_EQ(parse("0"), 0s);
  EXPECT_EQ(parse("-0"), 0s);
  EXPECT_EQ(parse("+5s"), 5s);
  EXPECT_EQ(parse("-1.5s"), -1500ms);
  EXPECT_EQ(parse(".5s"), 500ms);
  EXPECT_EQ(parse("1.s"), 1s);
  EXPECT_EQ(parse("0s"), 0s);
  EXPECT_EQ(parse("1.000000001s"), 1000000001ns);
}

TEST(GoDuration, Limits) {
  EXPECT_EQ(parse("2562047h47m16.854775807s"), Duration(INT64_MAX));
  EXPECT_EQ(parse("-2562047h47m16.854775808s"), Duration(INT64_MIN));
  EXPECT_TRUE(invalid(parseGoDuration("2562048h"), "time: invalid duration \"2562048h\""));
  EXPECT_TRUE(invalid(parseGoDuration("9223372036854775808ns"),
                      "time: invalid duration \"9223372036854775808ns\""));
}

TEST(GoDuration, GoErrorMessages) {
  EXPECT_TRUE(invalid(parseGoDuration(""), "time: invalid duration \"\""));
  EXPECT_TRUE(invalid(parseGoDuration("abc"), "time: invalid duration \"abc\""));
  EXPECT_TRUE(invalid(parseGoDuration("-"), "time: invalid duration \"-\""));
  EXPECT_TRUE(invalid(parseGoDuration(".s"), "time: invalid duration \".s\""));
  EXPECT_TRUE(invalid(parseGoDuration("30"), "time: missing unit in duration \"30\""));
  EXPECT_TRUE(invalid(parseGoDuration("1h30"), "time: missing unit in duration \"1h30\""));
  EXPECT_TRUE(invalid(parseGoDuration("1d"), "time: unknown unit \"d\" in duration \"1d\""));
  EXPECT_TRUE(invalid(parseGoDuration("1 h"), "time: unknown unit \" h\" in duration \"1 h\""));
}

TEST(GoDuration, Format) {
  EXPECT_EQ(formatGoDuration(0s), "0s");
  EXPECT_EQ(formatGoDuration(1h), "1h0m0s");
  EXPECT_EQ(formatGoDuration(24h), "24h0m0s");
  EXPECT_EQ(formatGoDuration(90s), "1m30s");
  EXPECT_EQ(formatGoDuration(1500ms), "1.5s");
  EXPECT_EQ(formatGoDuration(500ms), "500ms");
  EXPECT_EQ(formatGoDuration(1500us), "1.5ms");
  EXPECT_EQ(formatGoDuration(2us), "2\xC2\xB5s");
  EXPECT_EQ(formatGoDuration(3ns), "3ns");
  EXPECT_EQ(formatGoDuration(-90min), "-1h30m0s");
}

} // namespace
} // namespace spire::config
