#include "config/duration.h"

#include <cstdint>
#include <utility>

#include "config/value.h"

namespace spire::config {
namespace {

constexpr std::uint64_t kNanosecond = 1;
constexpr std::uint64_t kMicrosecond = 1000 * kNanosecond;
constexpr std::uint64_t kMillisecond = 1000 * kMicrosecond;
constexpr std::uint64_t kSecond = 1000 * kMillisecond;
constexpr std::uint64_t kMinute = 60 * kSecond;
constexpr std::uint64_t kHour = 60 * kMinute;
constexpr std::uint64_t kLimit = std::uint64_t{1} << 63;

bool unitScale(std::string_view unit, std::uint64_t& scale) {
  static const std::pair<std::string_view, std::uint64_t> kUnits[] = {
      {"ns", kNanosecond},
      {"us", kMicrosecond},
      {"\xC2\xB5s", kMicrosecond},
      {"\xCE\xBCs", kMicrosecond},
      {"ms", kMillisecond},
      {"s", kSecond},
      {"m", kMinute},
      {"h", kHour},
  };
  for (const auto& [name, value] : kUnits) {
    if (name == unit) {
      scale = value;
      return true;
    }
  }
  return false;
}

Status invalid(std::string_view original) {
  return invalidArgument("time: invalid duration " + quote(original));
}

} // namespace

Result<Duration> parseGoDuration(std::string_view text) {
  const std::string_view original = text;
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    return Duration(0);
  }
  if (s.empty()) {
    return invalid(original);
  }
  std::uint64_t total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || (s[0] >= '0' && s[0] <= '9'))) {
      return invalid(original);
    }
    // Integer part; overflow is an error, as in Go's leadingInt.
    std::uint64_t whole = 0;
    std::size_t i = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (whole > (kLimit - 1) / 10) {
        return invalid(original);
      }
      whole = whole * 10 + static_cast<std::uint64_t>(s[i] - '0');
      if (whole > kLimit) {
        return invalid(original);
      }
    }
    bool had_whole = i > 0;
    s.remove_prefix(i);
    // Fraction: digits past what fits are read and ignored, as in Go's leadingFraction.
    std::uint64_t fraction = 0;
    double fraction_scale = 1;
    bool had_fraction = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      bool overflow = false;
      std::size_t k = 0;
      for (; k < s.size() && s[k] >= '0' && s[k] <= '9'; ++k) {
        if (overflow) {
          continue;
        }
        if (fraction > (kLimit - 1) / 10) {
          overflow = true;
          continue;
        }
        std::uint64_t next = fraction * 10 + static_cast<std::uint64_t>(s[k] - '0');
        if (next > kLimit) {
          overflow = true;
          continue;
        }
        fraction = next;
        fraction_scale *= 10;
      }
      had_fraction = k > 0;
      s.remove_prefix(k);
    }
    if (!had_whole && !had_fraction) {
      return invalid(original);
    }
    std::size_t unit_len = 0;
    while (unit_len < s.size() && s[unit_len] != '.' &&
           !(s[unit_len] >= '0' && s[unit_len] <= '9')) {
      ++unit_len;
    }
    if (unit_len == 0) {
      return invalidArgument("time: missing unit in duration " + quote(original));
    }
    std::string_view unit = s.substr(0, unit_len);
    s.remove_prefix(unit_len);
    std::uint64_t scale = 0;
    if (!unitScale(unit, scale)) {
      return invalidArgument("time: unknown unit " + quote(unit) + " in duration " +
                             quote(original));
    }
    if (whole > kLimit / scale) {
      return invalid(original);
    }
    whole *= scale;
    if (fraction > 0) {
      whole += static_cast<std::uint64_t>(static_cast<double>(fraction) *
                                          (static_cast<double>(scale) / fraction_scale));
      if (whole > kLimit) {
        return invalid(original);
      }
    }
    total += whole;
    if (total > kLimit) {
      return invalid(original);
    }
  }
  if (negative) {
    return Duration(static_cast<std::int64_t>(0 - total));
  }
  if (total > kLimit - 1) {
    return invalid(original);
  }
  return Duration(static_cast<std::int64_t>(total));
}

std::string formatGoDuration(Duration duration) {
  std::int64_t ns = duration.count();
  if (ns == 0) {
    return "0s";
  }
  bool negative = ns < 0;
  std::uint64_t u = negative ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  std::string out;
  auto fraction = [](std::uint64_t value, int digits) {
    // value holds `digits` decimal places; trailing zeros are dropped as Go does.
    std::string text(static_cast<std::size_t>(digits), '0');
    for (int i = digits - 1; i >= 0; --i) {
      text[static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
    while (!text.empty() && text.back() == '0') {
      text.pop_back();
    }
    return text.empty() ? std::string() : "." + text;
  };
  if (u < kSecond) {
    if (u < kMicrosecond) {
      out = std::to_string(u) + "ns";
    } else if (u < kMillisecond) {
      out = std::to_string(u / kMicrosecond) + fraction(u % kMicrosecond, 3) + "\xC2\xB5s";
    } else {
      out = std::to_string(u / kMillisecond) + fraction(u % kMillisecond, 6) + "ms";
    }
  } else {
    std::uint64_t seconds = u / kSecond;
    std::string secs = std::to_string(seconds % 60) + fraction(u % kSecond, 9) + "s";
    std::uint64_t minutes = seconds / 60;
    if (minutes == 0) {
      out = secs;
    } else {
      std::uint64_t hours = minutes / 60;
      std::string mins = std::to_string(minutes % 60) + "m" + secs;
      out = hours == 0 ? mins : std::to_string(hours) + "h" + mins;
    }
  }
  return negative ? "-" + out : out;
}

} // namespace spire::config
