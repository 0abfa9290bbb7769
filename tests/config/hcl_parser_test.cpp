#include "config/hcl_parser.h"

#include <gtest/gtest.h>

#include "config_test_util.h"

namespace spire::config {
namespace {

using testing::invalid;

Value parseOk(const std::string& text) {
  Result<Value> result = parseHcl(text, "f.conf");
  EXPECT_TRUE(result.isOk()) << result.status().message();
  return result.isOk() ? result.value() : Value();
}

TEST(HclParser, EmptyFileIsEmptyObject) {
  Value v = parseOk("");
  EXPECT_TRUE(v.isObject());
  EXPECT_TRUE(v.asObject().empty());
  EXPECT_TRUE(parseOk("  \n# only a comment\n").asObject().empty());
}

TEST(HclParser, AssignmentsOfEveryScalarType) {
  Value v = parseOk("s = \"text\"\ni = 42\nn = -7\nf = 1.5\ne = 1e3\nt = true\nb = false\n");
  ASSERT_EQ(v.asObject().size(), 7u);
  EXPECT_EQ(v.find("s")->text(), "text");
  EXPECT_TRUE(v.find("i")->isInteger());
  EXPECT_EQ(v.find("i")->asInteger(), 42);
  EXPECT_EQ(v.find("n")->asInteger(), -7);
  EXPECT_FALSE(v.find("f")->isInteger());
  EXPECT_DOUBLE_EQ(v.find("f")->asDouble(), 1.5);
  EXPECT_DOUBLE_EQ(v.find("e")->asDouble(), 1000.0);
  EXPECT_TRUE(v.find("t")->asBool());
  EXPECT_FALSE(v.find("b")->asBool());
}

TEST(HclParser, HexAndOctalIntegersReadAsGoParseIntBaseZero) {
  Value v = parseOk("h = 0x1F\no = 010\nz = 0\n");
  EXPECT_EQ(v.find("h")->asInteger(), 31);
  EXPECT_EQ(v.find("h")->text(), "0x1F");
  EXPECT_EQ(v.find("o")->asInteger(), 8);
  EXPECT_EQ(v.find("z")->asInteger(), 0);
}

TEST(HclParser, EntriesKeepFileOrderAndPositions) {
  Value v = parseOk("b = 1\n  a = \"x\"\n");
  const auto& entries = v.asObject();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].key, "b");
  EXPECT_EQ(entries[1].key, "a");
  EXPECT_EQ(entries[1].key_position.toString(), "f.conf:2:3");
  EXPECT_EQ(entries[1].value.position().toString(), "f.conf:2:7");
}

TEST(HclParser, QuotedKeys) {
  Value v = parseOk("\"with space\" = 1\n\"plain\" { x = 2 }\n");
  EXPECT_EQ(v.find("with space")->asInteger(), 1);
  EXPECT_EQ(v.find("plain")->find("x")->asInteger(), 2);
}

TEST(HclParser, BlockWithoutLabels) {
  Value v = parseOk("server {\n  bind_port = 8081\n}\n");
  const Value* server = v.find("server");
  ASSERT_NE(server, nullptr);
  ASSERT_TRUE(server->isObject());
  EXPECT_EQ(server->find("bind_port")->asInteger(), 8081);
  EXPECT_EQ(server->position().toString(), "f.conf:1:8");
}

TEST(HclParser, BlockWithOneLabelNestsLikeHcl1) {
  Value v = parseOk("NodeAttestor \"join_token\" {\n  enabled = true\n}\n");
  const Value* type = v.find("NodeAttestor");
  ASSERT_TRUE(type != nullptr && type->isObject());
  ASSERT_EQ(type->asObject().size(), 1u);
  EXPECT_EQ(type->asObject()[0].key, "join_token");
  EXPECT_EQ(type->asObject()[0].key_position.toString(), "f.conf:1:14");
  EXPECT_TRUE(type->find("join_token")->find("enabled")->asBool());
}

TEST(HclParser, BlockWithTwoLabelsAndBareLabels) {
  Value v = parseOk("a \"b\" c { x = 1 }");
  EXPECT_EQ(v.find("a")->find("b")->find("c")->find("x")->asInteger(), 1);
}

TEST(HclParser, RepeatedBlocksStayInOrderAsSeparateEntries) {
  Value v = parseOk("W \"unix\" {}\nW \"k8s\" {}\nX = 1\nW \"docker\" {}\n");
  const auto& entries = v.asObject();
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].value.asObject()[0].key, "unix");
  EXPECT_EQ(entries[1].value.asObject()[0].key, "k8s");
  EXPECT_EQ(entries[3].value.asObject()[0].key, "docker");
}

TEST(HclParser, ObjectLiteralAssignment) {
  Value v = parseOk("plugin_data = { a = 1, b = \"two\" }\nempty = {}\n");
  EXPECT_EQ(v.find("plugin_data")->find("a")->asInteger(), 1);
  EXPECT_EQ(v.find("plugin_data")->find("b")->text(), "two");
  EXPECT_TRUE(v.find("empty")->asObject().empty());
}

TEST(HclParser, ItemsNeedNoSeparatorAndAcceptCommas) {
  Value v = parseOk("a = 1 b = 2, c = 3,\nd { e = 4, f = 5, }");
  EXPECT_EQ(v.asObject().size(), 4u);
  EXPECT_EQ(v.find("d")->find("f")->asInteger(), 5);
}

TEST(HclParser, ListsWithTrailingCommasNestingAndObjects) {
  Value v = parseOk("l = [\"a\", \"b\",]\nn = [[1, 2], []]\no = [{ x = 1 }, { y = 2 }]\ne = []\n");
  ASSERT_EQ(v.find("l")->asList().size(), 2u);
  EXPECT_EQ(v.find("l")->asList()[1].text(), "b");
  EXPECT_EQ(v.find("n")->asList()[0].asList()[1].asInteger(), 2);
  EXPECT_TRUE(v.find("n")->asList()[1].asList().empty());
  EXPECT_EQ(v.find("o")->asList()[1].find("y")->asInteger(), 2);
  EXPECT_TRUE(v.find("e")->asList().empty());
}

TEST(HclParser, ListSpanningLinesWithComments) {
  Value v = parseOk("l = [\n  \"a\", # first\n  // second\n  \"b\" /* x */,\n]\n");
  ASSERT_EQ(v.find("l")->asList().size(), 2u);
}

TEST(HclParser, StringEscapes) {
  Value v = parseOk(R"(s = "a\nb\tc\"d\\e\u00e9\U0001F600\x41\101\r\a\b\f\v")");
  EXPECT_EQ(v.find("s")->text(), "a\nb\tc\"d\\e\xC3\xA9\xF0\x9F\x98\x80"
                                 "AA\r\a\b\f\v");
}

TEST(HclParser, InterpolationIsKeptVerbatimAndMayHoldQuotes) {
  Value v = parseOk(R"(s = "x ${lookup("a", "b")} \n")");
  EXPECT_EQ(v.find("s")->text(), "x ${lookup(\"a\", \"b\")} \n");
}

TEST(HclParser, AllCommentStyles) {
  Value v = parseOk("# hash\n// slashes\n/* block\n spanning */ a = 1 # trailing\nb = 2 // x\n");
  EXPECT_EQ(v.asObject().size(), 2u);
  EXPECT_EQ(v.asObject()[0].key_position.toString(), "f.conf:4:14");
}

TEST(HclParser, Heredoc) {
  Value v = parseOk("s = <<EOF\nline one\n  line two\nEOF\nnext = 1\n");
  EXPECT_EQ(v.find("s")->text(), "line one\n  line two\n");
  EXPECT_EQ(v.find("next")->asInteger(), 1);
}

TEST(HclParser, HeredocWithCrLfAndEmptyBody) {
  Value v = parseOk("s = <<EOT\r\nx\r\nEOT\r\ne = <<E\nE\n");
  EXPECT_EQ(v.find("s")->text(), "x\n");
  EXPECT_EQ(v.find("e")->text(), "");
}

TEST(HclParser, IndentedHeredocRemovesClosingMarkerIndent) {
  Value v = parseOk("s = <<-EOF\n    a\n      b\n\n    c\n    EOF\n");
  EXPECT_EQ(v.find("s")->text(), "a\n  b\n\nc\n");
}

TEST(HclParser, IndentedHeredocKeepsTextWhenALineIsLessIndented) {
  // HCL1: unindent only when every line has the closing marker's indentation.
  Value v = parseOk("s = <<-EOF\n    a\n  b\n    EOF\n");
  EXPECT_EQ(v.find("s")->text(), "    a\n  b\n");
}

TEST(HclParser, HeredocInsideBlockAndList) {
  Value v = parseOk("b {\n  s = <<EOF\nhi\nEOF\n}\nl = [<<X\ny\nX\n, \"z\"]\n");
  EXPECT_EQ(v.find("b")->find("s")->text(), "hi\n");
  EXPECT_EQ(v.find("l")->asList()[0].text(), "y\n");
}

TEST(HclParser, Utf8ColumnsCountCharacters) {
  Result<Value> r = parseHcl("k = \"\xC3\xA9\xC3\xA9\" @", "f.conf");
  EXPECT_TRUE(invalid(r, "f.conf:1:10: unexpected character '@'"));
}

TEST(HclParser, ByteOrderMarkIsSkipped) {
  Value v = parseOk("\xEF\xBB\xBF"
                    "a = 1");
  EXPECT_EQ(v.asObject()[0].key_position.toString(), "f.conf:1:1");
}

struct BadCase {
  const char* text;
  const char* message;
};

class HclParserErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(HclParserErrors, FailsWithPosition) {
  Result<Value> r = parseHcl(GetParam().text, "f.conf");
  EXPECT_TRUE(invalid(r, GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Syntax, HclParserErrors,
    ::testing::Values(
        BadCase{"\n\nserver {\n  a = 1\n",
                "f.conf:5:1: expected '}' to close block \"server\" opened at 3:1"},
        BadCase{"NodeAttestor \"x\" {\n",
                "f.conf:2:1: expected '}' to close block \"NodeAttestor\" \"x\" opened at 1:1"},
        BadCase{"a {\n  b {\n  }\n  c {\n",
                "f.conf:5:1: expected '}' to close block \"c\" opened at 4:3"},
        BadCase{"a = {\n b = 1\n", "f.conf:3:1: expected '}' to close object opened at 1:5"},
        BadCase{"}", "f.conf:1:1: unexpected '}' with no open block"},
        BadCase{"a = 1\n}\n", "f.conf:2:1: unexpected '}' with no open block"},
        BadCase{"= 1", "f.conf:1:1: expected a key, got '='"},
        BadCase{"a 1", "f.conf:1:3: expected '=' or '{' after key \"a\", got number 1"},
        BadCase{"a", "f.conf:1:2: expected '=' or '{' after key \"a\", got end of file"},
        BadCase{"a \"b\" = 1", "f.conf:1:7: expected '{' after block labels of \"a\", got '='"},
        BadCase{"a =", "f.conf:1:4: expected a value, got end of file"},
        BadCase{"a = }", "f.conf:1:5: expected a value, got '}'"},
        BadCase{"a = foo",
                "f.conf:1:5: expected a value, got identifier \"foo\" (strings must be quoted)"},
        BadCase{"a = [1, 2", "f.conf:1:10: expected ']' to close list opened at 1:5"},
        BadCase{"a = [1,", "f.conf:1:8: expected ']' to close list opened at 1:5"},
        BadCase{"a = [1 2]", "f.conf:1:8: expected ',' or ']' in list opened at 1:5, got number 2"},
        BadCase{"a = [,]", "f.conf:1:6: expected a value, got ','"},
        BadCase{"a = \"abc", "f.conf:1:5: unterminated string, expected closing '\"'"},
        BadCase{"a = \"ab\nc\"", "f.conf:1:5: unterminated string, expected closing '\"'"},
        BadCase{"a = \"\\q\"", "f.conf:1:6: invalid escape sequence '\\q'"},
        BadCase{"a = \"\\u12\"", "f.conf:1:6: invalid escape sequence, expected 4 hex digits"},
        BadCase{"a = \"\\uD800\"", "f.conf:1:6: invalid unicode escape, not a valid code point"},
        BadCase{"a = \"\\18\"", "f.conf:1:6: invalid octal escape, expected 3 octal digits"},
        BadCase{"a = <<EOF\nno end\n",
                "f.conf:1:5: unterminated heredoc, expected closing marker \"EOF\""},
        BadCase{"a = <<EOF x\nEOF\n",
                "f.conf:1:5: heredoc marker \"EOF\" must be followed by a newline"},
        BadCase{"a = << EOF\nEOF\n",
                "f.conf:1:5: invalid heredoc, expected an identifier after '<<'"},
        BadCase{"a = <x", "f.conf:1:5: unexpected character '<'"},
        BadCase{"/* never closed", "f.conf:1:1: unterminated block comment, expected '*/'"},
        BadCase{"a = 1.2.3", "f.conf:1:5: invalid number \"1.2.3\""},
        BadCase{"a = 12abc", "f.conf:1:5: invalid number \"12abc\""},
        BadCase{"a = 09", "f.conf:1:5: invalid number \"09\" (a leading 0 makes it octal)"},
        BadCase{"a = 99999999999999999999", "f.conf:1:5: number out of range 99999999999999999999"},
        BadCase{"a = 0x", "f.conf:1:5: invalid number, expected hex digits after '0x'"},
        BadCase{"a = 1\n@", "f.conf:2:1: unexpected character '@'"},
        BadCase{"a = \x01", "f.conf:1:5: unexpected character 0x01"}));

TEST(HclParser, DeepNestingIsRefused) {
  std::string text = "a = ";
  for (int i = 0; i < 150; ++i) {
    text += "[";
  }
  Result<Value> r = parseHcl(text, "f.conf");
  EXPECT_TRUE(invalid(r, "f.conf:1:105: nesting deeper than 100 levels"));
}

TEST(HclParser, BlockLabelsCountAsNestingLevels) {
  // Found by fuzzing: each label wraps the body in one more object, so thousands of labels used to
  // build a tree deep enough to overflow the stack when it was destroyed.
  std::string text = "a";
  for (int i = 0; i < 150; ++i) {
    text += " l";
  }
  text += " {}";
  Result<Value> r = parseHcl(text, "f.conf");
  EXPECT_TRUE(invalid(r, "f.conf:1:203: nesting deeper than 100 levels"));

  std::string ok = "a";
  for (int i = 0; i < 99; ++i) {
    ok += " l";
  }
  ok += " {}";
  EXPECT_TRUE(parseHcl(ok, "f.conf").isOk());
}

} // namespace
} // namespace spire::config
