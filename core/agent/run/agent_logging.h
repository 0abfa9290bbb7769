#pragma once

// spire-agent's logs as SPIRE writes them (logrus): text lines
//   time="2024-05-06T07:08:09Z" level=info msg="Starting agent"
// or JSON lines {"level":"info","msg":"Starting agent","time":"..."}; to stdout, or only to
// log_file (appended, created 0640) when set. Levels DEBUG, INFO, WARN, ERROR, changeable at run
// time through the admin Logger API (LogLevelControl).

#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/logger.h>

#include "common/status.h"
#include "config/common_config.h"

namespace spire::agent::run {

enum class LogFormat { kText, kJson };

// A message with logrus fields (logrus' WithField), e.g. withFields("Agent crashed",
// {{"error", why}}) prints msg="Agent crashed" error="...". The fields travel inside the spdlog
// payload, separated by control characters that formatLogLine takes apart.
std::string withFields(std::string_view message,
                       const std::vector<std::pair<std::string, std::string>>& fields);

// One logrus line for a level, a message and a time (local time, RFC 3339): text fields after
// msg in key order, JSON keys all sorted, as logrus writes them. Exposed for tests.
std::string formatLogLine(LogFormat format, spdlog::level::level_enum level,
                          std::string_view message, std::chrono::system_clock::time_point at);

// "DEBUG" -> debug, ...; WARN and WARNING -> warn; FATAL, PANIC -> critical; TRACE -> trace.
// InvalidArgument for anything else ("invalid log level "x"").
Result<spdlog::level::level_enum> parseLogLevel(std::string_view level);

struct AgentLogger {
  std::shared_ptr<spdlog::logger> logger;
  spdlog::level::level_enum launch_level = spdlog::level::info;
};

// `stdout_sink` is where logs go without log_file (std::cout in the daemon, a string stream in
// tests). Errors: "could not open log file <path>: <why>" (Internal), parseLogLevel's.
Result<AgentLogger> makeAgentLogger(const config::LogOptions& options, std::ostream& stdout_sink);

} // namespace spire::agent::run
