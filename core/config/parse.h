#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "config/value.h"

namespace spire::config {

enum class ConfigSyntax { kAuto, kHcl, kJson };

// Parses a configuration document into a value tree whose root is an object. kAuto picks JSON
// when `file` ends in ".json" (any case) or the text's first non-blank character is '{' (HCL
// cannot start that way), HCL otherwise. `file` is only used for that choice and for messages.
Result<Value> parseConfigText(std::string_view text, const std::string& file,
                              ConfigSyntax syntax = ConfigSyntax::kAuto);

// Whether kAuto would read this text as JSON.
bool looksLikeJson(std::string_view text, const std::string& file);

} // namespace spire::config
