#include "server/run/logging.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "common/go_quote.h"
#include "daemon/log_setup.h"

namespace spire::server::run {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

} // namespace

Result<LogFormat> parseLogFormat(std::string_view name) {
  const std::string n = lower(name);
  if (n == "text") {
    return LogFormat::kText;
  }
  if (n == "json") {
    return LogFormat::kJson;
  }
  return Status(StatusCode::kInvalidArgument,
                "unknown log format " + goQuote(name) + ": expected text or json");
}

Result<spdlog::level::level_enum> parseLogLevel(std::string_view name) {
  if (const auto parsed = daemon::logrusLevelFromName(name)) {
    return *parsed;
  }
  return Status(StatusCode::kInvalidArgument, "not a valid logrus Level: " + goQuote(name));
}

std::string_view logrusLevelName(spdlog::level::level_enum level) {
  return daemon::logrusLevelName(level);
}

std::string rfc3339Local(std::chrono::system_clock::time_point time) {
  return daemon::rfc3339Local(time);
}

std::string withFields(std::string_view message, const LogFields& fields) {
  std::string out(message);
  for (const auto& [key, value] : fields) {
    out += kFieldSeparator;
    out += key;
    out += kFieldSeparator;
    out += value;
  }
  return out;
}

void LogrusFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  const std::string time = rfc3339Local(msg.time);
  const std::string_view level = logrusLevelName(msg.level);
  const std::string_view payload(msg.payload.data(), msg.payload.size());
  const std::string_view subsystem(msg.logger_name.data(), msg.logger_name.size());
  // The message, then (key, value) pairs after separators (see withFields()).
  std::vector<std::string_view> parts;
  std::size_t from = 0;
  while (true) {
    const std::size_t at = payload.find(kFieldSeparator, from);
    parts.push_back(payload.substr(from, at == std::string_view::npos ? at : at - from));
    if (at == std::string_view::npos) {
      break;
    }
    from = at + 1;
  }
  // logrus writes fields sorted by key, after time, level and msg.
  std::map<std::string_view, std::string_view> fields;
  for (std::size_t i = 1; i + 1 < parts.size(); i += 2) {
    fields[parts[i]] = parts[i + 1];
  }
  if (!subsystem.empty()) {
    fields["subsystem_name"] = subsystem;
  }
  std::string line;
  if (format_ == LogFormat::kJson) {
    // nlohmann's object is a sorted map, which gives logrus' key order.
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [key, value] : fields) {
      j[std::string(key)] = value;
    }
    j["level"] = level;
    j["msg"] = parts[0];
    j["time"] = time;
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    std::map<std::string, std::string> text_fields;
    for (const auto& [key, value] : fields) {
      text_fields.emplace(key, value);
    }
    line = daemon::logrusTextLine(time, msg.level, parts[0], text_fields);
  }
  line += '\n';
  dest.append(line.data(), line.data() + line.size());
}

std::unique_ptr<spdlog::formatter> LogrusFormatter::clone() const {
  return std::make_unique<LogrusFormatter>(format_);
}

Result<std::shared_ptr<spdlog::logger>> makeLogger(const config::LogOptions& options,
                                                   std::ostream* stream) {
  auto level = parseLogLevel(options.level);
  if (!level.isOk()) {
    return level.status();
  }
  auto format = parseLogFormat(options.format);
  if (!format.isOk()) {
    return format.status();
  }
  spdlog::sink_ptr sink;
  if (!options.file.empty()) {
    // Opened here first because spdlog's file sink would create missing parent directories;
    // like SPIRE (os.OpenFile), a log file in a directory that does not exist is an error.
    if (std::FILE* probe = std::fopen(options.file.c_str(), "a"); probe != nullptr) {
      std::fclose(probe);
    } else {
      return Status(StatusCode::kInternal,
                    "unable to open log file " + options.file + ": " + std::strerror(errno));
    }
    try {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file, false);
    } catch (const spdlog::spdlog_ex& e) {
      return Status(StatusCode::kInternal,
                    "unable to open log file " + options.file + ": " + e.what());
    }
  } else if (stream != nullptr) {
    sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(*stream, true);
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  }
  sink->set_formatter(std::make_unique<LogrusFormatter>(*format));
  auto logger = std::make_shared<spdlog::logger>("", sink);
  logger->set_level(*level);
  // Every line is flushed at once: operators tail the file, and a crash loses nothing.
  logger->flush_on(spdlog::level::trace);
  return logger;
}

std::shared_ptr<spdlog::logger> subsystemLogger(const std::shared_ptr<spdlog::logger>& root,
                                                std::string name) {
  return root->clone(std::move(name));
}

} // namespace spire::server::run
