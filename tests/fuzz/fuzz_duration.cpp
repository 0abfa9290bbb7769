// Fuzz target: Go duration parsing and formatting (config/duration.h).
//
// Invariants: errors are InvalidArgument and read like Go's ("time: ..."); an accepted duration
// formats to text that parses back to the same value, and formatting that again is stable.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/duration.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  spire::Result<spire::config::Duration> duration = spire::config::parseGoDuration(text);
  if (!duration.isOk()) {
    FUZZ_CHECK(duration.status().code() == spire::StatusCode::kInvalidArgument,
               "duration errors are InvalidArgument");
    FUZZ_CHECK(duration.status().message().starts_with("time: "), "Go's error prefix");
    return 0;
  }
  std::string formatted = spire::config::formatGoDuration(duration.value());
  spire::Result<spire::config::Duration> again = spire::config::parseGoDuration(formatted);
  FUZZ_CHECK(again.isOk(), "a formatted duration parses");
  FUZZ_CHECK(again.value() == duration.value(), "format then parse gives the same duration");
  FUZZ_CHECK(spire::config::formatGoDuration(again.value()) == formatted, "formatting is stable");
  return 0;
}
