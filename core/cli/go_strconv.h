#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/go_quote.h"

namespace spire::cli {

// Go's strconv.ParseBool: 1 t T TRUE true True 0 f F FALSE false False; nothing else.
std::optional<bool> parseGoBool(std::string_view text);

// Why an integer failed to parse, in the words Go's flag package uses for it.
enum class IntError { kNone, kSyntax, kRange };

// Go's strconv.ParseInt(text, 0, 64), the parser behind flag.Int/Int64: optional sign, base
// prefixes 0x 0o 0b and a bare leading 0 for octal, underscores between digits.
IntError parseGoInt64(std::string_view text, std::int64_t& out);

// The flag package's wording for an IntError: "parse error" or "value out of range".
std::string_view intErrorText(IntError error);

} // namespace spire::cli
