#pragma once

// Checks shared by the configuration fuzz targets.

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "config/json_reader.h"
#include "config/value.h"
#include "fuzz/fuzz_check.h"

namespace spire::fuzz {

// A syntax error reads "<file>:<line>:<column>: <what>" with a position inside the text.
inline void checkSyntaxError(const Status& status, const std::string& file, std::string_view text) {
  FUZZ_CHECK(status.code() == StatusCode::kInvalidArgument, "syntax errors are InvalidArgument");
  const std::string& msg = status.message();
  FUZZ_CHECK(msg.starts_with(file + ":"), "syntax errors start with the file name");
  std::size_t pos = file.size() + 1;
  auto number = [&]() {
    long long n = 0;
    std::size_t digits = 0;
    while (pos < msg.size() && msg[pos] >= '0' && msg[pos] <= '9' && digits < 12) {
      n = n * 10 + (msg[pos] - '0');
      ++pos;
      ++digits;
    }
    return digits == 0 ? -1 : n;
  };
  long long line = number();
  FUZZ_CHECK(line >= 1 && pos < msg.size() && msg[pos] == ':', "a line number follows the file");
  ++pos;
  long long column = number();
  FUZZ_CHECK(column >= 1 && msg.compare(pos, 2, ": ") == 0, "a column number follows the line");
  FUZZ_CHECK(msg.size() > pos + 2, "the error says what was wrong");
  long long lines = 1 + std::count(text.begin(), text.end(), '\n');
  FUZZ_CHECK(line <= lines, "the line is inside the text");
}

// Depth of a value tree (a scalar is 1). Recursive: fuzz inputs are small.
inline int valueDepth(const config::Value& value) {
  int deepest = 0;
  if (value.isList()) {
    for (const config::Value& item : value.asList()) {
      deepest = std::max(deepest, valueDepth(item));
    }
  } else if (value.isObject()) {
    for (const config::ObjectEntry& entry : value.asObject()) {
      deepest = std::max(deepest, valueDepth(entry.value));
    }
  }
  return deepest + 1;
}

// Value::toJson must render something nlohmann can dump, and reading that JSON back must give
// the same rendering (toJson is idempotent through a round trip).
inline void checkJsonRoundTrip(const config::Value& value, const std::string& file) {
  nlohmann::ordered_json rendered = value.toJson();
  // Replace, not throw, on invalid UTF-8: the configuration format does not promise UTF-8, and a
  // throwing dump() is checked for separately by the loader target.
  std::string dumped = rendered.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // The parsers refuse more than 100 nested lists/objects (HCL block labels included), so a tree
  // is at most 100 levels plus its scalars.
  FUZZ_CHECK(valueDepth(value) <= 101, "nesting is bounded by the parser's limit");
  Result<config::Value> again = config::parseJson(dumped, file);
  if (!again.isOk() && valueDepth(value) > 50) {
    // toJson merges repeated keys into an array (HCL1's block merging), one extra level each, so
    // a deep tree can render deeper than the JSON reader's 100-level limit.
    return;
  }
  FUZZ_CHECK(again.isOk(), "the JSON rendering of a configuration reads back");
  nlohmann::ordered_json rendered_again = again->toJson();
  std::string dumped_again =
      rendered_again.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  FUZZ_CHECK(dumped_again == dumped, "the JSON rendering is stable");
}

// Deepest nesting of [ and {, ignoring what is inside strings.
inline int maxBracketDepth(std::string_view text) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

} // namespace spire::fuzz
