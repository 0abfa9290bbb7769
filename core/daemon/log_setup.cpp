#include "daemon/log_setup.h"

#include <cstdio>
#include <ctime>

#include "common/go_quote.h"

namespace spire::daemon {

std::string_view logrusLevelName(spdlog::level::level_enum level) {
  switch (level) {
  case spdlog::level::trace:
    return "trace";
  case spdlog::level::debug:
    return "debug";
  case spdlog::level::info:
    return "info";
  case spdlog::level::warn:
    return "warning";
  case spdlog::level::err:
    return "error";
  case spdlog::level::critical:
    return "fatal";
  default:
    return "info";
  }
}

std::optional<spdlog::level::level_enum> logrusLevelFromName(std::string_view name) {
  std::string n(name);
  for (char& c : n) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  if (n == "trace") {
    return spdlog::level::trace;
  }
  if (n == "debug") {
    return spdlog::level::debug;
  }
  if (n == "info") {
    return spdlog::level::info;
  }
  if (n == "warn" || n == "warning") {
    return spdlog::level::warn;
  }
  if (n == "error") {
    return spdlog::level::err;
  }
  if (n == "fatal" || n == "panic") {
    return spdlog::level::critical;
  }
  return std::nullopt;
}

std::string rfc3339Local(std::chrono::system_clock::time_point time) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf);
  long offset = tm.tm_gmtoff;
  if (offset == 0) {
    return out + "Z";
  }
  const char sign = offset < 0 ? '-' : '+';
  offset = offset < 0 ? -offset : offset;
  std::snprintf(buf, sizeof(buf), "%c%02ld:%02ld", sign, offset / 3600, (offset % 3600) / 60);
  return out + buf;
}

bool logrusNeedsQuoting(std::string_view text) {
  for (char c : text) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '.' || c == '_' || c == '/' || c == '@' || c == '^' ||
                       c == '+';
    if (!plain) {
      return true;
    }
  }
  return false;
}

std::string logrusTextValue(std::string_view text) {
  return logrusNeedsQuoting(text) ? goQuote(text) : std::string(text);
}

std::string logrusTextLine(std::string_view time, spdlog::level::level_enum level,
                           std::string_view message,
                           const std::map<std::string, std::string>& fields) {
  std::string line = "time=" + logrusTextValue(time) +
                     " level=" + logrusTextValue(logrusLevelName(level)) +
                     " msg=" + logrusTextValue(message);
  for (const auto& [key, value] : fields) {
    line += " " + key + "=" + logrusTextValue(value);
  }
  return line;
}

} // namespace spire::daemon
