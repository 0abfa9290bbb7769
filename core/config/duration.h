#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/status.h"

namespace spire::config {

using Duration = std::chrono::nanoseconds;

// Go's time.ParseDuration, which is how SPIRE reads every TTL and interval option: a sequence of
// decimal numbers with optional fraction and a unit each ("1h30m", "1.5h", "500ms", "-2s"); units
// ns, us, µs, μs, ms, s, m, h; "0" alone needs no unit. Plain numbers are NOT seconds: "30" fails
// with Go's "missing unit" error, as in SPIRE. Error messages are Go's, e.g.
// `time: unknown unit "d" in duration "1d"`. Code kInvalidArgument.
Result<Duration> parseGoDuration(std::string_view text);

// Go's Duration.String(): "1h0m0s", "1m30s", "500ms", "0s".
std::string formatGoDuration(Duration duration);

} // namespace spire::config
