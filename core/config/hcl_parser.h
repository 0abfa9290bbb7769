#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "config/value.h"

namespace spire::config {

// Parses HCL1 text, the dialect SPIRE's configuration files use (hashicorp/hcl v1), into a value
// tree whose root is an object. Supported: `key = value`, blocks with zero or more labels
// (`NodeAttestor "join_token" { ... }`, labels quoted or bare), object literals, lists with
// trailing commas, strings with Go escapes, heredocs (<<EOF and <<-EOF), integers (decimal, hex,
// leading-zero octal as Go's ParseInt base 0 reads them), floats, bools, and #, // and /* */
// comments. A block `a "b" "c" { body }` becomes a -> { b -> { c -> body } }, as HCL1 expands it.
// Heredoc values end with a newline; the closing marker may be indented in both forms, and <<-
// strips the marker's indentation from every line when all non-blank lines have it (HCL1 rule,
// except that blank lines do not cancel it). Repeated keys stay separate entries in file order.
// Errors read "<file>:<line>:<column>: <what was expected>".
Result<Value> parseHcl(std::string_view text, const std::string& file);

} // namespace spire::config
