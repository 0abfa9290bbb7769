#pragma once

// The daemon's log, as SPIRE's logrus output looks, so that log shippers and grep patterns written
// for SPIRE keep working:
//   text: time="2024-05-01T12:00:00Z" level=info msg="Starting Server APIs"
//   subsystem_name=endpoints json: {"level":"info","msg":"Starting Server
//   APIs","subsystem_name":"endpoints","time":"..."}
// (logrus' JSON formatter writes the keys sorted, as here). A logger's name, when not empty, is
// the subsystem_name field; subsystemLogger() derives one that shares the sinks.

#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <spdlog/formatter.h>
#include <spdlog/logger.h>

#include "common/status.h"
#include "config/common_config.h"

namespace spire::server::run {

enum class LogFormat { kText, kJson };

// "text" / "json", case-insensitive; InvalidArgument otherwise.
Result<LogFormat> parseLogFormat(std::string_view name);
// SPIRE's level names (trace, debug, info, warn/warning, error, fatal, panic), case-insensitive;
// InvalidArgument otherwise.
Result<spdlog::level::level_enum> parseLogLevel(std::string_view name);
// logrus' name of a level: "debug", "info", "warning", "error", "fatal".
std::string_view logrusLevelName(spdlog::level::level_enum level);

// RFC 3339 with the local offset, as logrus prints time ("2024-05-01T12:00:00Z" in UTC,
// "2024-05-01T14:00:00+02:00" elsewhere).
std::string rfc3339Local(std::chrono::system_clock::time_point time);

// spdlog formatter producing logrus' text or JSON lines.
class LogrusFormatter : public spdlog::formatter {
public:
  explicit LogrusFormatter(LogFormat format) : format_(format) {}
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;

private:
  LogFormat format_;
};

// The daemon's root logger from log_level / log_format / log_file: the file is opened for
// appending (created when missing), stderr when no file is given. `stream`, when set, replaces
// stderr (tests). Errors: InvalidArgument for a bad level or format, Internal when the file
// cannot be opened ("unable to open log file <path>: ...").
Result<std::shared_ptr<spdlog::logger>> makeLogger(const config::LogOptions& options,
                                                   std::ostream* stream = nullptr);

// logrus fields on a line ("address", "network", ...). Carried inside the message text after a
// unit separator (0x1F), which LogrusFormatter turns into key=value pairs or JSON keys; other
// formatters would show the separators, so use it only on loggers made by makeLogger().
inline constexpr char kFieldSeparator = '\x1f';
using LogFields = std::vector<std::pair<std::string, std::string>>;
std::string withFields(std::string_view message, const LogFields& fields);

// A logger writing to the same sinks at the same level, with subsystem_name=<name>.
std::shared_ptr<spdlog::logger> subsystemLogger(const std::shared_ptr<spdlog::logger>& root,
                                                std::string name);

} // namespace spire::server::run
