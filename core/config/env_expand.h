#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace spire::config {

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The process environment (getenv).
EnvLookup processEnv();

// What `-expandEnv` does to the raw configuration text before parsing. SPIRE calls
// config.ExpandEnv, which is Go's os.Expand with os.Getenv plus one addition (spire PR #5576):
// `$$` yields a literal `$`. The Go rules we reproduce:
//   $NAME and ${NAME}  -> the variable's value; unset -> empty string. NAME in the bare form is
//                         [A-Za-z0-9_]+; in braces it is anything up to the first '}'.
//   $1, $*, $#, $@, $!, $?, $-, $0-$9 (and the same in braces, e.g. ${*}) -> that one-character
//   name
//   $$                 -> "$" (SPIRE's escape; plain os.ExpandEnv would give "")
//   ${}                -> removed (Go eats bad syntax)
//   ${ with no '}'     -> the "${" is removed, the rest kept
//   $ followed by anything else, or at the end -> kept as "$"
// Expansion is purely textual, so a value with quotes or newlines can break the HCL around it.
std::string expandEnv(std::string_view text, const EnvLookup& lookup);

} // namespace spire::config
