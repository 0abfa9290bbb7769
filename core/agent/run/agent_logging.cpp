#include "agent/run/agent_logging.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <spdlog/formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/ostream_sink.h>

#include "cli/output.h"
#include "common/go_quote.h"
#include "daemon/log_setup.h"

namespace spire::agent::run {
namespace {

constexpr char kFieldSeparator = '\x1f';
constexpr char kValueSeparator = '\x1e';

class LogrusFormatter final : public spdlog::formatter {
public:
  explicit LogrusFormatter(LogFormat format) : format_(format) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string line = formatLogLine(
        format_, msg.level, std::string_view(msg.payload.data(), msg.payload.size()), msg.time);
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LogrusFormatter>(format_);
  }

private:
  LogFormat format_;
};

// Appends to a file opened O_APPEND (SPIRE opens log_file that way, mode 0640).
class AppendFileSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  explicit AppendFileSink(int fd) : fd_(fd) {}
  ~AppendFileSink() override { ::close(fd_); }

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t buffer;
    formatter_->format(msg, buffer);
    const char* data = buffer.data();
    std::size_t left = buffer.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, data, left);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        return; // a log line that cannot be written is dropped, never fatal
      }
      data += n;
      left -= static_cast<std::size_t>(n);
    }
  }
  void flush_() override {}

private:
  int fd_;
};

} // namespace

std::string withFields(std::string_view message,
                       const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out(message);
  for (const auto& [key, value] : fields) {
    out += kFieldSeparator;
    out += key;
    out += kValueSeparator;
    out += value;
  }
  return out;
}

std::string formatLogLine(LogFormat format, spdlog::level::level_enum level,
                          std::string_view payload, std::chrono::system_clock::time_point at) {
  std::string_view message = payload;
  std::map<std::string, std::string> fields;
  if (const auto end = payload.find(kFieldSeparator); end != std::string_view::npos) {
    message = payload.substr(0, end);
    std::string_view rest = payload.substr(end + 1);
    for (;;) {
      const auto next = rest.find(kFieldSeparator);
      const std::string_view field = rest.substr(0, next);
      if (const auto split = field.find(kValueSeparator); split != std::string_view::npos) {
        fields[std::string(field.substr(0, split))] = std::string(field.substr(split + 1));
      }
      if (next == std::string_view::npos) {
        break;
      }
      rest = rest.substr(next + 1);
    }
  }
  if (format == LogFormat::kJson) {
    // logrus JSONFormatter: keys sorted (a Go map), HTML-escaped like encoding/json.
    std::map<std::string, std::string> all = fields;
    all["level"] = daemon::logrusLevelName(level);
    all["msg"] = message;
    all["time"] = daemon::rfc3339Local(at);
    nlohmann::ordered_json line = nlohmann::ordered_json::object();
    for (const auto& [key, value] : all) {
      line[key] = value;
    }
    std::ostringstream out;
    cli::printJson(out, line);
    return out.str();
  }
  return daemon::logrusTextLine(daemon::rfc3339Local(at), level, message, fields) + "\n";
}

Result<spdlog::level::level_enum> parseLogLevel(std::string_view level) {
  if (const auto parsed = daemon::logrusLevelFromName(level)) {
    return *parsed;
  }
  return invalidArgument("invalid log level " + goQuote(level));
}

Result<AgentLogger> makeAgentLogger(const config::LogOptions& options, std::ostream& stdout_sink) {
  Result<spdlog::level::level_enum> level = parseLogLevel(options.level);
  if (!level) {
    return level.status();
  }
  spdlog::sink_ptr sink;
  if (!options.file.empty()) {
    const int fd = ::open(options.file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
      return internalError("could not open log file " + options.file + ": " + std::strerror(errno));
    }
    sink = std::make_shared<AppendFileSink>(fd);
  } else {
    sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stdout_sink, /*force_flush=*/true);
  }
  sink->set_formatter(std::make_unique<LogrusFormatter>(
      options.format == "json" ? LogFormat::kJson : LogFormat::kText));
  AgentLogger out;
  out.logger = std::make_shared<spdlog::logger>("spire-agent", sink);
  out.logger->set_level(*level);
  out.logger->flush_on(spdlog::level::trace);
  out.launch_level = *level;
  return out;
}

} // namespace spire::agent::run
