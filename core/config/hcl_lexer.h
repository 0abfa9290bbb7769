#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "config/plugin_config.h"

namespace spire::config {

enum class HclTokenKind {
  kLeftBrace,
  kRightBrace,
  kLeftBracket,
  kRightBracket,
  kAssign,
  kComma,
  kIdentifier,
  kString,  // decoded text in `text`
  kHeredoc, // decoded text in `text`
  kInteger, // literal as written in `text`
  kFloat,   // literal as written in `text`
  kBool,    // "true" or "false"
  kEndOfFile,
};

struct HclToken {
  HclTokenKind kind = HclTokenKind::kEndOfFile;
  std::string text;
  SourcePosition position;
};

// Splits HCL1 text into tokens. Comments and whitespace (newlines included: HCL1 needs no
// separators between items) are dropped. Errors are "<file>:<line>:<column>: <what>".
Result<std::vector<HclToken>> tokenizeHcl(std::string_view text, const std::string& file);

// How a token reads in an error message: `'{'`, `identifier "x"`, `end of file`.
std::string describeToken(const HclToken& token);

// "<file>:<line>:<column>: <what>" with code kInvalidArgument.
Status syntaxError(const SourcePosition& position, const std::string& what);

} // namespace spire::config
