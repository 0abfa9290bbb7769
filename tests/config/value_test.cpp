#include "config/value.h"

#include <gtest/gtest.h>

#include "config/hcl_parser.h"

namespace spire::config {
namespace {

Value parse(const std::string& text) {
  Result<Value> r = parseHcl(text, "f.conf");
  EXPECT_TRUE(r.isOk()) << r.status().message();
  return r.isOk() ? r.value() : Value();
}

TEST(Value, ToJsonKeepsOrderAndTypes) {
  Value v = parse("z = 1\na = \"s\"\nf = 0.5\nb = true\nl = [1, \"x\"]\no { k = 2 }\n");
  EXPECT_EQ(v.toJson().dump(), R"({"z":1,"a":"s","f":0.5,"b":true,"l":[1,"x"],"o":{"k":2}})");
}

TEST(Value, ToJsonMergesRepeatedKeysIntoAnArrayAtTheFirstPlace) {
  Value v = parse("w \"unix\" { a = 1 }\nx = 0\nw \"k8s\" { b = 2 }\n");
  EXPECT_EQ(v.toJson().dump(), R"({"w":[{"unix":{"a":1}},{"k8s":{"b":2}}],"x":0})");
}

TEST(Value, ToJsonWrapsRepeatedListsInsteadOfSplicingThem) {
  Value v = parse("l = [1]\nl = [2]\n");
  EXPECT_EQ(v.toJson().dump(), R"({"l":[[1],[2]]})");
}

TEST(Value, DescribeForMessages) {
  Value v = parse("s = \"a\\\"b\"\nn = 0x10\nb = false\nl = []\no {}\n");
  EXPECT_EQ(v.find("s")->describe(), "string \"a\\\"b\"");
  EXPECT_EQ(v.find("n")->describe(), "number 0x10");
  EXPECT_EQ(v.find("b")->describe(), "bool false");
  EXPECT_EQ(v.find("l")->describe(), "list");
  EXPECT_EQ(v.find("o")->describe(), "object");
}

TEST(Value, SameAsIgnoresPositionsButNotOrderOrValues) {
  EXPECT_TRUE(parse("a = 1\nb = 2").sameAs(parse("a=1 b=2")));
  EXPECT_FALSE(parse("a = 1\nb = 2").sameAs(parse("b = 2\na = 1")));
  EXPECT_FALSE(parse("a = 1").sameAs(parse("a = 2")));
  EXPECT_FALSE(parse("a = 1").sameAs(parse("a = \"1\"")));
  EXPECT_TRUE(parse("a = 1").sameAs(parse("a = 1.0")));
}

TEST(Value, QuoteEscapes) {
  EXPECT_EQ(quote("a\"b\\c\n\t\x01"), "\"a\\\"b\\\\c\\n\\t\\x01\"");
}

} // namespace
} // namespace spire::config

namespace spire::config {
namespace {

TEST(Utf8, StrictValidation) {
  EXPECT_TRUE(isValidUtf8("plain"));
  EXPECT_TRUE(isValidUtf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
  EXPECT_FALSE(isValidUtf8("\xFF"));
  EXPECT_FALSE(isValidUtf8("\xC3"));             // truncated
  EXPECT_FALSE(isValidUtf8("\xC0\xAF"));         // overlong
  EXPECT_FALSE(isValidUtf8("\xED\xA0\x80"));     // surrogate
  EXPECT_FALSE(isValidUtf8("\xF4\x90\x80\x80")); // above U+10FFFF
  EXPECT_FALSE(isValidUtf8("\xC3("));            // bad continuation
}

} // namespace
} // namespace spire::config
