#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace spire::cli {

struct SelectorArg {
  std::string type;
  std::string value;
};

// SPIRE's util.ParseSelector for -selector flags: everything after the first ':' is the value
// ("k8s:ns:default" is type "k8s", value "ns:default"). Without a ':' the error is SPIRE's:
// `selector "x" must be formatted as type:value` (code InvalidArgument).
Result<SelectorArg> parseSelectorArg(std::string_view text);

} // namespace spire::cli
