#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "config/value.h"

namespace spire::config {

// Reads JSON (RFC 8259) into the same tree the HCL parser builds. We do not use nlohmann::json
// here because it reports neither the position of each value nor keeps repeated keys, and the
// decoders need both: positions for "at file:line:column" in every error, repeats because JSON
// configs may repeat keys as HCL files repeat blocks. Errors read "<file>:<line>:<column>: ...".
Result<Value> parseJson(std::string_view text, const std::string& file);

} // namespace spire::config
