#include "config/env_expand.h"

#include <cstdlib>

namespace spire::config {
namespace {

bool isShellSpecial(char c) {
  switch (c) {
  case '*':
  case '#':
  case '$':
  case '@':
  case '!':
  case '?':
  case '-':
    return true;
  default:
    return c >= '0' && c <= '9';
  }
}

bool isAlphaNumeric(char c) {
  return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Go's getShellName: the name after a '$' and how many bytes it spans. An empty name with a
// non-zero width is bad syntax that is swallowed; empty with zero width means "not a reference".
std::pair<std::string_view, std::size_t> shellName(std::string_view s) {
  if (s[0] == '{') {
    if (s.size() > 2 && isShellSpecial(s[1]) && s[2] == '}') {
      return {s.substr(1, 1), 3};
    }
    for (std::size_t i = 1; i < s.size(); ++i) {
      if (s[i] == '}') {
        if (i == 1) {
          return {{}, 2};
        }
        return {s.substr(1, i - 1), i + 1};
      }
    }
    return {{}, 1};
  }
  if (isShellSpecial(s[0])) {
    return {s.substr(0, 1), 1};
  }
  std::size_t i = 0;
  while (i < s.size() && isAlphaNumeric(s[i])) {
    ++i;
  }
  return {s.substr(0, i), i};
}

} // namespace

EnvLookup processEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) {
      return std::nullopt;
    }
    return std::string(value);
  };
}

std::string expandEnv(std::string_view text, const EnvLookup& lookup) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t j = 0; j < text.size(); ++j) {
    if (text[j] != '$' || j + 1 >= text.size()) {
      out += text[j];
      continue;
    }
    auto [name, width] = shellName(text.substr(j + 1));
    if (name.empty() && width > 0) {
      // Bad syntax: Go drops it.
    } else if (name.empty()) {
      out += '$';
    } else if (name == "$") {
      out += '$';
    } else {
      out += lookup(name).value_or("");
    }
    j += width;
  }
  return out;
}

} // namespace spire::config
