#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace spire::cli {

enum class OutputFormat { kPretty, kJson };

// cliprinter's strToFormatType: "json", "pretty" or "prettyprint", any case. The error text is
// SPIRE's: `bad formatter flag: unknown format option: "xml"` (code InvalidArgument).
Result<OutputFormat> parseOutputFormat(std::string_view text);

// SPIRE's -output json (cliprinter protojson.Print): each response is marshalled with proto field
// names and unpopulated fields included (the caller builds the document that way, int64 values as
// strings as protojson writes them), then written by Go's json.Encoder: compact, one line, "\n"
// at the end, and <, >, &, U+2028, U+2029 escaped as \u003c, \u003e, \u0026, \u2028, \u2029.
// ordered_json keeps the caller's key order (protojson writes fields in declaration order).
void printJson(std::ostream& out, const nlohmann::ordered_json& value);

// Several responses: nothing for none, the document itself for one, a JSON array for more.
void printJsonMessages(std::ostream& out, const std::vector<nlohmann::ordered_json>& messages);

// SPIRE's util.Pluralizer: msg + singular when count is 1, msg + plural otherwise.
std::string pluralize(std::string msg, std::string_view singular, std::string_view plural,
                      long long count);

} // namespace spire::cli
