#include "server/run/run_flags.h"

#include "server/run/logging.h"

namespace spire::server::run {
namespace {

// A flag the command declares and the user set (tests may build flags without every name).
bool given(const cli::ParsedFlags& flags, std::string_view name) {
  return flags.has(name) && flags.isSet(name);
}

} // namespace

Status applyRunFlags(const cli::ParsedFlags& flags, config::ServerFileConfig& file) {
  config::ServerConfig& s = file.server;
  if (given(flags, "bindAddress")) {
    s.bind_address = flags.getString("bindAddress");
  }
  if (given(flags, "serverPort")) {
    const std::int64_t port = flags.getInt("serverPort");
    if (port < 0 || port > 65535) {
      return Status(StatusCode::kInvalidArgument,
                    "-serverPort: " + std::to_string(port) + " is not a valid port");
    }
    s.bind_port = static_cast<int>(port);
  }
  if (given(flags, "socketPath")) {
    s.socket_path = flags.getString("socketPath");
  }
  if (given(flags, "trustDomain")) {
    s.trust_domain = flags.getString("trustDomain");
  }
  if (given(flags, "dataDir")) {
    s.data_dir = flags.getString("dataDir");
  }
  if (given(flags, "logLevel")) {
    auto level = parseLogLevel(flags.getString("logLevel"));
    if (!level.isOk()) {
      return Status(StatusCode::kInvalidArgument, "-logLevel: " + level.status().message());
    }
    s.log.level = flags.getString("logLevel");
  }
  if (given(flags, "logFormat")) {
    auto format = parseLogFormat(flags.getString("logFormat"));
    if (!format.isOk()) {
      return Status(StatusCode::kInvalidArgument, "-logFormat: " + format.status().message());
    }
    s.log.format = flags.getString("logFormat");
  }
  if (given(flags, "logFile")) {
    s.log.file = flags.getString("logFile");
  }
  return config::validateServerConfig(s);
}

Result<config::ServerFileConfig> loadRunConfig(const cli::ParsedFlags& flags) {
  config::LoadOptions options;
  options.expand_env = flags.has("expandEnv") && flags.getBool("expandEnv");
  auto loaded = config::loadServerConfig(flags.getString("config"), options);
  if (!loaded.isOk()) {
    return loaded.status();
  }
  Status applied = applyRunFlags(flags, *loaded);
  if (!applied.isOk()) {
    return applied;
  }
  return loaded;
}

} // namespace spire::server::run
