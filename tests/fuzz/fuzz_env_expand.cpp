// Fuzz target: -expandEnv (config/env_expand.h), differentially against a model of Go's
// os.Expand with SPIRE's mapping (`$$` -> `$`), written here from the Go source's behaviour.
//
// The fake environment is deterministic: names starting with 'U' are unset, the others map to
// "<name>" so that every substitution is visible in the output.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "config/env_expand.h"
#include "fuzz/fuzz_check.h"

namespace {

std::optional<std::string> fakeEnv(std::string_view name) {
  if (!name.empty() && name[0] == 'U') {
    return std::nullopt;
  }
  return "<" + std::string(name) + ">";
}

// SPIRE's mapping function: "$" names itself, everything else goes to the environment.
std::string mapName(std::string_view name) {
  if (name == "$") {
    return "$";
  }
  return fakeEnv(name).value_or("");
}

bool special(char c) {
  return std::string_view("*#$@!?-0123456789").find(c) != std::string_view::npos;
}
bool alnum(char c) {
  return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Go's getShellName(s), s non-empty: (name, width).
std::pair<std::string, std::size_t> shellName(std::string_view s) {
  if (s[0] == '{') {
    if (s.size() > 2 && special(s[1]) && s[2] == '}') {
      return {std::string(s.substr(1, 1)), 3};
    }
    std::size_t close = s.find('}', 1);
    if (close == std::string_view::npos) {
      return {"", 1};
    }
    if (close == 1) {
      return {"", 2};
    }
    return {std::string(s.substr(1, close - 1)), close + 1};
  }
  if (special(s[0])) {
    return {std::string(s.substr(0, 1)), 1};
  }
  std::size_t n = 0;
  while (n < s.size() && alnum(s[n])) {
    ++n;
  }
  return {std::string(s.substr(0, n)), n};
}

std::string modelExpand(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  for (std::size_t j = 0; j < s.size(); ++j) {
    if (s[j] == '$' && j + 1 < s.size()) {
      out.append(s.substr(i, j - i));
      auto [name, width] = shellName(s.substr(j + 1));
      if (name.empty() && width > 0) {
        // bad syntax: eaten
      } else if (name.empty()) {
        out += '$';
      } else {
        out += mapName(name);
      }
      j += width;
      i = j + 1;
    }
  }
  if (i < s.size()) {
    out.append(s.substr(i));
  }
  return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string expanded = spire::config::expandEnv(text, fakeEnv);
  FUZZ_CHECK(expanded == modelExpand(text), "expandEnv agrees with Go's os.Expand");
  if (text.find('$') == std::string_view::npos) {
    FUZZ_CHECK(expanded == text, "text without '$' is unchanged");
  }
  return 0;
}
