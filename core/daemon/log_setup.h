#pragma once

// The pieces of SPIRE's (logrus) log output that spire-server and spire-agent share: level names,
// logrus' time stamp, its text-line quoting and layout. Each daemon keeps its own sinks, payload
// encoding and error messages; this file only makes sure both print the same lines.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/common.h>

namespace spire::daemon {

// logrus' name of a level: "trace", "debug", "info", "warning", "error", "fatal".
std::string_view logrusLevelName(spdlog::level::level_enum level);

// SPIRE's level names (trace, debug, info, warn/warning, error, fatal/panic), case-insensitive;
// nullopt for anything else (each daemon words its own error).
std::optional<spdlog::level::level_enum> logrusLevelFromName(std::string_view name);

// RFC 3339 with the local offset, as logrus prints time ("2024-05-01T12:00:00Z" in UTC,
// "2024-05-01T14:00:00+02:00" elsewhere).
std::string rfc3339Local(std::chrono::system_clock::time_point time);

// logrus TextFormatter.needsQuoting: a value holding anything beyond ASCII letters, digits and
// -._/@^+ is written with Go's %q.
bool logrusNeedsQuoting(std::string_view text);
// `text` as logrus' text formatter writes a value: quoted only when it needs to be.
std::string logrusTextValue(std::string_view text);

// One logrus text line without the newline: time, level and msg first, then the fields in key
// order, e.g. time="2024-05-01T12:00:00Z" level=info msg="Starting agent" error=boom
std::string logrusTextLine(std::string_view time, spdlog::level::level_enum level,
                           std::string_view message,
                           const std::map<std::string, std::string>& fields);

} // namespace spire::daemon
