#include "common/go_quote.h"

#include <string>

#include <gtest/gtest.h>

namespace spire {
namespace {

TEST(GoQuoteTest, MatchesStrconvQuote) {
  EXPECT_EQ(goQuote(""), R"("")");
  EXPECT_EQ(goQuote("example.org"), R"("example.org")");
  EXPECT_EQ(goQuote("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(goQuote("tab\there\nnl"), R"("tab\there\nnl")");
  EXPECT_EQ(goQuote(std::string("\x01\x7f", 2)), R"("\x01\x7f")");
  EXPECT_EQ(goQuote("caf\xC3\xA9"), "\"caf\xC3\xA9\""); // valid UTF-8 kept
  EXPECT_EQ(goQuote("\xFF"), R"("\xff")");              // invalid UTF-8 byte
  EXPECT_EQ(goQuote("\a\b\f\v"), R"("\a\b\f\v")");
  EXPECT_EQ(goQuote("\xE2\x80\xA8"), R"("\u2028")"); // line separator is escaped
}

TEST(GoQuoteTest, ListFormatting) {
  EXPECT_EQ(goQuoteList({}), "[]");
  EXPECT_EQ(goQuoteList({"a"}), R"(["a"])");
  EXPECT_EQ(goQuoteList({"a", "b c"}), R"(["a" "b c"])");
}

} // namespace
} // namespace spire
