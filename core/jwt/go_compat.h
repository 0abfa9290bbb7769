#pragma once

// Small re-implementations of the Go standard library behaviours whose output leaks into SPIRE's
// and go-spiffe's error messages and documents: %q quoting, encoding/base64 decoding errors,
// encoding/json's type names and its HTML-safe escaping. They exist so that our texts match the
// reference byte for byte (spiffe-standards.md §3.1, §4).

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/go_quote.h"
#include "common/status.h"

namespace spire::jwt {

// encoding/base64 DecodeString with RawURLEncoding (no padding; '=' is an illegal byte) or
// StdEncoding (padding required). Like Go, '\r' and '\n' are skipped and unused trailing bits are
// not checked. Errors read "illegal base64 data at input byte N" with Go's N.
Result<std::string> goDecodeRawUrl(std::string_view text);
Result<std::string> goDecodeStd(std::string_view text);

// The JSON type word encoding/json uses in "cannot unmarshal <word> into ...": "string",
// "number", "bool", "array", "object" (null is never reported).
std::string_view goJsonTypeName(const nlohmann::ordered_json& value);

// "json: cannot unmarshal <type> into Go value of type <go_type>".
std::string goUnmarshalTypeError(const nlohmann::ordered_json& value, std::string_view go_type);
// "json: cannot unmarshal <type> into Go struct field <field> of type <go_type>".
std::string goUnmarshalFieldError(const nlohmann::ordered_json& value, std::string_view field,
                                  std::string_view go_type);

// Serialises as encoding/json does: compact (indent < 0) or MarshalIndent with `indent` spaces,
// '<' '>' '&' U+2028 U+2029 escaped as \u003c ..., invalid UTF-8 replaced by U+FFFD. Member order
// is the order of the ordered_json (callers build it in Go's struct-field order).
std::string goJsonDump(const nlohmann::ordered_json& value, int indent = -1);

// Parses JSON text, never throwing. The error text is nlohmann's message without its
// "[json.exception...]" prefix.
Result<nlohmann::ordered_json> parseJsonText(std::string_view text);

} // namespace spire::jwt
