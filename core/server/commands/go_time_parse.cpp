#include "server/commands/go_time_parse.h"

#include <array>
#include <string>

#include "common/go_quote.h"

namespace spire::server::commands {
namespace {

constexpr std::string_view kLayout = "2006-01-02 15:04:05 -0700 -07";

enum class Kind { kLiteral, kYear, kMonth, kDay, kHour, kMinute, kSecond, kTz4, kTz2 };

struct Element {
  Kind kind;
  std::string_view text;
};

constexpr std::array<Element, 15> kElements = {{
    {Kind::kYear, "2006"},
    {Kind::kLiteral, "-"},
    {Kind::kMonth, "01"},
    {Kind::kLiteral, "-"},
    {Kind::kDay, "02"},
    {Kind::kLiteral, " "},
    {Kind::kHour, "15"},
    {Kind::kLiteral, ":"},
    {Kind::kMinute, "04"},
    {Kind::kLiteral, ":"},
    {Kind::kSecond, "05"},
    {Kind::kLiteral, " "},
    {Kind::kTz4, "-0700"},
    {Kind::kLiteral, " "},
    {Kind::kTz2, "-07"},
}};

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

// Go's getnum: one or two digits, exactly two when `fixed`.
bool getNum(std::string_view& s, bool fixed, int& out) {
  if (s.empty() || !isDigit(s[0])) {
    return false;
  }
  if (s.size() < 2 || !isDigit(s[1])) {
    if (fixed) {
      return false;
    }
    out = s[0] - '0';
    s.remove_prefix(1);
    return true;
  }
  out = (s[0] - '0') * 10 + (s[1] - '0');
  s.remove_prefix(2);
  return true;
}

bool allDigits(std::string_view s) {
  for (char c : s) {
    if (!isDigit(c)) {
      return false;
    }
  }
  return true;
}

std::string prefix(std::string_view value) {
  return "parsing time " + goQuote(value);
}

} // namespace

Status checkExpiresBefore(std::string_view value) {
  std::string_view rest = value;
  int month = 1;
  int day = 1;
  int year = 0;
  const std::string layout_quoted = goQuote(kLayout);
  for (const Element& el : kElements) {
    const std::string_view before = rest;
    bool ok = true;
    std::string range_error;
    int n = 0;
    switch (el.kind) {
    case Kind::kLiteral:
      ok = rest.substr(0, el.text.size()) == el.text;
      if (ok) {
        rest.remove_prefix(el.text.size());
      }
      break;
    case Kind::kYear:
      ok = rest.size() >= 4 && allDigits(rest.substr(0, 4));
      if (ok) {
        year = std::stoi(std::string(rest.substr(0, 4)));
        rest.remove_prefix(4);
      }
      break;
    case Kind::kMonth:
      ok = getNum(rest, true, month);
      if (ok && (month <= 0 || month > 12)) {
        range_error = "month";
      }
      break;
    case Kind::kDay:
      ok = getNum(rest, true, day);
      break;
    case Kind::kHour:
      ok = getNum(rest, false, n);
      if (ok && (n < 0 || n >= 24)) {
        range_error = "hour";
      }
      break;
    case Kind::kMinute:
      ok = getNum(rest, true, n);
      if (ok && (n < 0 || n >= 60)) {
        range_error = "minute";
      }
      break;
    case Kind::kSecond:
      ok = getNum(rest, true, n);
      if (ok && (n < 0 || n >= 60)) {
        range_error = "second";
      }
      break;
    case Kind::kTz4:
      ok = rest.size() >= 5 && (rest[0] == '-' || rest[0] == '+') && allDigits(rest.substr(1, 4));
      if (ok) {
        rest.remove_prefix(5);
      }
      break;
    case Kind::kTz2:
      ok = rest.size() >= 3 && (rest[0] == '-' || rest[0] == '+') && allDigits(rest.substr(1, 2));
      if (ok) {
        rest.remove_prefix(3);
      }
      break;
    }
    if (!ok) {
      return invalidArgument(prefix(value) + " as " + layout_quoted + ": cannot parse " +
                             goQuote(before) + " as " + goQuote(el.text));
    }
    if (!range_error.empty()) {
      return invalidArgument(prefix(value) + ": " + range_error + " out of range");
    }
  }
  if (!rest.empty()) {
    return invalidArgument(prefix(value) + ": extra text: " + goQuote(rest));
  }
  // Go checks the day against the month's length once everything parsed.
  static constexpr std::array<int, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int max_day = month == 2 && !leap ? 28 : kDays[static_cast<std::size_t>(month - 1)];
  if (day < 1 || day > max_day) {
    return invalidArgument(prefix(value) + ": day out of range");
  }
  return Status::ok();
}

} // namespace spire::server::commands
