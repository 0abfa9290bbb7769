#pragma once

#include <string_view>

#include "common/status.h"

namespace spire::server::commands {

// Go's time.Parse(layout "2006-01-02 15:04:05 -0700 -07", value) as the agent list/count
// -expiresBefore check uses it: OK or Go's *time.ParseError text, e.g.
//   parsing time "x" as "2006-01-02 15:04:05 -0700 -07": cannot parse "x" as "2006"
Status checkExpiresBefore(std::string_view value);

} // namespace spire::server::commands
