#include "cli/go_strconv.h"

#include <array>

namespace spire::cli {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Go's underscoreOK: underscores may only sit between digits (a base prefix counts as a digit).
bool underscoreOk(std::string_view s) {
  char saw = '^';
  std::size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    s.remove_prefix(1);
  }
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' &&
      (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if ((c >= '0' && c <= '9') || (hex && lower(c) >= 'a' && lower(c) <= 'f')) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0') {
        return false;
      }
      saw = '_';
      continue;
    }
    if (saw == '_') {
      return false;
    }
    saw = '!';
  }
  return saw != '_';
}

int digitValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (lower(c) >= 'a' && lower(c) <= 'z') {
    return lower(c) - 'a' + 10;
  }
  return 99;
}

} // namespace

std::optional<bool> parseGoBool(std::string_view text) {
  static constexpr std::array<std::string_view, 6> kTrue = {"1", "t", "T", "TRUE", "true", "True"};
  static constexpr std::array<std::string_view, 6> kFalse = {"0",     "f",     "F",
                                                             "FALSE", "false", "False"};
  for (auto word : kTrue) {
    if (text == word) {
      return true;
    }
  }
  for (auto word : kFalse) {
    if (text == word) {
      return false;
    }
  }
  return std::nullopt;
}

IntError parseGoInt64(std::string_view text, std::int64_t& out) {
  out = 0;
  if (text.empty()) {
    return IntError::kSyntax;
  }
  const std::string_view original = text;
  bool negative = false;
  if (text[0] == '+' || text[0] == '-') {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) {
    return IntError::kSyntax;
  }
  int base = 10;
  if (text[0] == '0') {
    if (text.size() >= 3 && lower(text[1]) == 'x') {
      base = 16;
      text.remove_prefix(2);
    } else if (text.size() >= 3 && lower(text[1]) == 'o') {
      base = 8;
      text.remove_prefix(2);
    } else if (text.size() >= 3 && lower(text[1]) == 'b') {
      base = 2;
      text.remove_prefix(2);
    } else {
      base = 8;
      text.remove_prefix(1);
      if (text.empty()) {
        return IntError::kNone; // "0"
      }
    }
  }
  bool saw_underscore = false;
  std::uint64_t value = 0;
  constexpr std::uint64_t kMax = std::uint64_t{1} << 63; // magnitude limit for negatives
  bool overflow = false;
  for (char c : text) {
    if (c == '_') {
      saw_underscore = true;
      continue;
    }
    const int d = digitValue(c);
    if (d >= base) {
      return IntError::kSyntax;
    }
    if (overflow) {
      continue;
    }
    if (value > (kMax - static_cast<std::uint64_t>(d)) / static_cast<std::uint64_t>(base)) {
      overflow = true;
      continue;
    }
    value = value * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
  }
  if (saw_underscore && !underscoreOk(original)) {
    return IntError::kSyntax;
  }
  if (overflow || (!negative && value > kMax - 1) || (negative && value > kMax)) {
    out = negative ? INT64_MIN : INT64_MAX;
    return IntError::kRange;
  }
  out = negative ? static_cast<std::int64_t>(0 - value) : static_cast<std::int64_t>(value);
  return IntError::kNone;
}

std::string_view intErrorText(IntError error) {
  switch (error) {
  case IntError::kSyntax:
    return "parse error";
  case IntError::kRange:
    return "value out of range";
  case IntError::kNone:
    break;
  }
  return "";
}

} // namespace spire::cli
