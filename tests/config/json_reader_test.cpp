#include "config/json_reader.h"

#include <gtest/gtest.h>

#include "config/hcl_parser.h"
#include "config/parse.h"
#include "config_test_util.h"

namespace spire::config {
namespace {

using testing::invalid;

Value parseOk(const std::string& text) {
  Result<Value> result = parseJson(text, "f.json");
  EXPECT_TRUE(result.isOk()) << result.status().message();
  return result.isOk() ? result.value() : Value();
}

TEST(JsonReader, ScalarsListsObjectsAndPositions) {
  Value v = parseOk("{\n  \"s\": \"x\", \"i\": -3, \"f\": 2.5e1, \"t\": true, \"n\": null,\n"
                    "  \"l\": [1, \"a\"], \"o\": {\"k\": false}\n}");
  EXPECT_EQ(v.find("s")->text(), "x");
  EXPECT_EQ(v.find("i")->asInteger(), -3);
  EXPECT_DOUBLE_EQ(v.find("f")->asDouble(), 25.0);
  EXPECT_TRUE(v.find("t")->asBool());
  EXPECT_TRUE(v.find("n")->isNull());
  EXPECT_EQ(v.find("l")->asList()[1].text(), "a");
  EXPECT_FALSE(v.find("o")->find("k")->asBool());
  EXPECT_EQ(v.asObject()[1].key_position.toString(), "f.json:2:13");
  EXPECT_EQ(v.find("i")->position().toString(), "f.json:2:18");
}

TEST(JsonReader, KeepsKeyOrderAndRepeatedKeys) {
  Value v = parseOk(R"({"b": 1, "a": 2, "b": 3})");
  ASSERT_EQ(v.asObject().size(), 3u);
  EXPECT_EQ(v.asObject()[0].key, "b");
  EXPECT_EQ(v.asObject()[2].value.asInteger(), 3);
  EXPECT_EQ(v.find("b")->asInteger(), 3); // later entries win
}

TEST(JsonReader, StringEscapesAndSurrogatePairs) {
  Value v = parseOk(R"({"s": "a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"})");
  EXPECT_EQ(v.find("s")->text(), "a\"\\/\b\f\n\r\t\xC3\xA9\xF0\x9F\x98\x80");
}

TEST(JsonReader, HugeIntegerBecomesFloat) {
  Value v = parseOk(R"({"n": 123456789012345678901234})");
  EXPECT_FALSE(v.find("n")->isInteger());
  EXPECT_DOUBLE_EQ(v.find("n")->asDouble(), 1.2345678901234568e23);
}

struct BadCase {
  const char* text;
  const char* message;
};

class JsonReaderErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(JsonReaderErrors, FailsWithPosition) {
  EXPECT_TRUE(invalid(parseJson(GetParam().text, "f.json"), GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Syntax, JsonReaderErrors,
    ::testing::Values(
        BadCase{"{\"a\": 1", "f.json:1:8: expected '}' to close object opened at 1:1"},
        BadCase{"{\"a\": 1 \"b\": 2}",
                "f.json:1:9: expected ',' or '}' in object opened at 1:1, got '\"'"},
        BadCase{"{\"a\" 1}", "f.json:1:6: expected ':' after object key \"a\", got '1'"},
        BadCase{"{a: 1}", "f.json:1:2: expected a string key, got 'a'"},
        BadCase{"{\"a\": [1, 2}",
                "f.json:1:12: expected ',' or ']' in array opened at 1:7, got '}'"},
        BadCase{"{\"a\": [1,", "f.json:1:10: expected ']' to close array opened at 1:7"},
        BadCase{"{\"a\": tru}", "f.json:1:7: expected a JSON value, got 't'"},
        BadCase{"{\"a\": \"x}", "f.json:1:7: unterminated string, expected closing '\"'"},
        BadCase{"{\"a\": \"\\q\"}", "f.json:1:8: invalid escape sequence '\\q'"},
        BadCase{"{\"a\": \"\\ud800\"}", "f.json:1:8: invalid \\u escape, unpaired surrogate"},
        BadCase{"{\"a\": \"\\u12\"}", "f.json:1:8: invalid \\u escape, expected 4 hex digits"},
        BadCase{"{\"a\": \"x\ny\"}", "f.json:1:9: control character in string (escape it)"},
        BadCase{"{\"a\": 01}", "f.json:1:8: expected ',' or '}' in object opened at 1:1, got '1'"},
        BadCase{"{\"a\": 1.}", "f.json:1:7: invalid number, expected a digit after '.'"},
        BadCase{"{\"a\": -}", "f.json:1:7: invalid number, expected a digit"},
        BadCase{"{\"a\": 1e}", "f.json:1:7: invalid number, expected a digit in the exponent"},
        BadCase{"{} x", "f.json:1:4: unexpected 'x' after the JSON value"},
        BadCase{"", "f.json:1:1: expected a JSON value, got end of file"}));

TEST(ParseConfigText, PicksJsonByExtensionOrLeadingBrace) {
  EXPECT_TRUE(looksLikeJson("a = 1", "x.JSON"));
  EXPECT_TRUE(looksLikeJson("\n  {\"a\": 1}", "x.conf"));
  EXPECT_FALSE(looksLikeJson("# c\n{", "x.conf"));
  EXPECT_FALSE(looksLikeJson("a = 1", "x.conf"));
  Result<Value> json = parseConfigText(R"({"a": 1})", "x.conf");
  ASSERT_TRUE(json.isOk());
  EXPECT_EQ(json->find("a")->asInteger(), 1);
  Result<Value> hcl = parseConfigText("a = 1", "x.conf");
  ASSERT_TRUE(hcl.isOk());
}

TEST(ParseConfigText, ForcedSyntaxWins) {
  EXPECT_TRUE(invalid(parseConfigText("a = 1", "x.conf", ConfigSyntax::kJson),
                      "x.conf:1:1: expected a JSON value, got 'a'"));
  EXPECT_TRUE(parseConfigText("a = 1", "x.json", ConfigSyntax::kHcl).isOk());
}

TEST(ParseConfigText, JsonTopLevelMustBeAnObject) {
  EXPECT_TRUE(invalid(parseConfigText("[1]", "x.json"),
                      "x.json:1:1: expected a JSON object at the top level, got list"));
}

TEST(ParseConfigText, JsonAndHclGiveTheSameTree) {
  Result<Value> hcl = parseHcl(R"(
a = "x"
n = 3
l = ["p", "q"]
b {
  c = true
  d = { e = 1.5 }
}
)",
                               "f.conf");
  Result<Value> json = parseJson(
      R"({"a": "x", "n": 3, "l": ["p", "q"], "b": {"c": true, "d": {"e": 1.5}}})", "f.json");
  ASSERT_TRUE(hcl.isOk() && json.isOk());
  EXPECT_TRUE(hcl->sameAs(json.value()));
  EXPECT_EQ(hcl->toJson(), json->toJson());
}

} // namespace
} // namespace spire::config
