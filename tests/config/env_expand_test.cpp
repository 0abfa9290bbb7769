#include "config/env_expand.h"

#include <cstdlib>
#include <map>

#include <gtest/gtest.h>

namespace spire::config {
namespace {

std::string expand(std::string_view text) {
  static const std::map<std::string, std::string, std::less<>> kEnv = {
      {"HOME", "/home/me"}, {"A_1", "one"}, {"EMPTY", ""},
      {"1", "first"},       {"*", "star"},  {"X Y", "spaced"}};
  return expandEnv(text, [](std::string_view name) -> std::optional<std::string> {
    auto it = kEnv.find(name);
    if (it == kEnv.end()) {
      return std::nullopt;
    }
    return it->second;
  });
}

TEST(ExpandEnv, BareAndBracedNames) {
  EXPECT_EQ(expand("dir = \"$HOME/x\""), "dir = \"/home/me/x\"");
  EXPECT_EQ(expand("${HOME}x"), "/home/mex");
  EXPECT_EQ(expand("$A_1-$A_1"), "one-one");
}

TEST(ExpandEnv, BareNameStopsAtNonAlphanumeric) {
  EXPECT_EQ(expand("$HOME.d"), "/home/me.d");
  EXPECT_EQ(expand("$HOMEX"), ""); // HOMEX is unset
}

TEST(ExpandEnv, UnsetAndEmptyGiveEmptyString) {
  EXPECT_EQ(expand("[$NOPE]"), "[]");
  EXPECT_EQ(expand("[${NOPE}]"), "[]");
  EXPECT_EQ(expand("[$EMPTY]"), "[]");
}

TEST(ExpandEnv, DoubleDollarIsALiteralDollarAsInSpire) {
  EXPECT_EQ(expand("pa$$word"), "pa$word");
  EXPECT_EQ(expand("$$HOME"), "$HOME");
  EXPECT_EQ(expand("${$}"), "$");
}

TEST(ExpandEnv, SpecialOneCharacterNames) {
  EXPECT_EQ(expand("$1x"), "firstx");
  EXPECT_EQ(expand("$12"), "first2");
  EXPECT_EQ(expand("${*}"), "star");
  EXPECT_EQ(expand("$*"), "star");
}

TEST(ExpandEnv, BracedNameMayContainAnythingButBrace) {
  EXPECT_EQ(expand("${X Y}"), "spaced");
}

TEST(ExpandEnv, BadSyntaxIsEatenAsGoDoes) {
  EXPECT_EQ(expand("a${}b"), "ab");
  EXPECT_EQ(expand("a${HOME"), "aHOME");
}

TEST(ExpandEnv, DollarNotFollowedByNameIsKept) {
  EXPECT_EQ(expand("cost $ 5"), "cost $ 5");
  EXPECT_EQ(expand("end$"), "end$");
  EXPECT_EQ(expand("$/x"), "$/x");
  EXPECT_EQ(expand("no dollars"), "no dollars");
}

TEST(ExpandEnv, ProcessEnvironmentLookup) {
  ::setenv("SPIRE_CONFIG_TEST_VAR", "value", 1);
  ::unsetenv("SPIRE_CONFIG_TEST_UNSET");
  EXPECT_EQ(expandEnv("$SPIRE_CONFIG_TEST_VAR/${SPIRE_CONFIG_TEST_UNSET}", processEnv()), "value/");
  ::unsetenv("SPIRE_CONFIG_TEST_VAR");
}

} // namespace
} // namespace spire::config
