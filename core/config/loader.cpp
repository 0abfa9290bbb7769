#include "config/loader.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/decoder.h"
#include "config/plugin_specs.h"

namespace spire::config {
namespace {

struct FileText {
  std::string text;
  LoadOptions options;
};

Result<FileText> readConfigFile(const std::string& path, const LoadOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    std::filesystem::path absolute = std::filesystem::absolute(path, ec);
    return Status(StatusCode::kNotFound, "could not find config file " + absolute.string() +
                                             ": please use the -config flag");
  }
  if (std::filesystem::is_directory(path, ec)) {
    return invalidArgument("unable to read configuration at " + quote(path) + ": is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return invalidArgument("unable to read configuration at " + quote(path) + ": " +
                           std::strerror(errno));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  FileText result{buffer.str(), options};
  result.options.source_name = path;
  result.options.base_dir = std::filesystem::path(path).parent_path().string();
  return result;
}

Result<Value> parseRoot(std::string_view text, const LoadOptions& options) {
  std::string expanded;
  if (options.expand_env) {
    expanded = expandEnv(text, options.env_lookup ? options.env_lookup : processEnv());
    text = expanded;
  }
  return parseConfigText(text, options.source_name, options.syntax);
}

void decodeCommon(BlockReader& top, const LoadOptions& options, PluginSpecs& plugins,
                  HealthChecksConfig& health, TelemetryConfig& telemetry, bool& has_plugins) {
  if (auto block = top.block("plugins")) {
    has_plugins = true;
    decodePlugins(*block, options.base_dir, plugins);
  }
  if (auto block = top.block("health_checks")) {
    decodeHealthChecks(*block, health);
  }
  if (auto block = top.block("telemetry")) {
    decodeTelemetry(*block, telemetry);
  }
}

} // namespace

Result<ServerFileConfig> loadServerConfigFromString(std::string_view text,
                                                    const LoadOptions& options) {
  Result<Value> root = parseRoot(text, options);
  if (!root.isOk()) {
    return root.status();
  }
  DecodeContext context;
  BlockReader top(context, "", {&root.value()});
  ServerFileConfig config;
  bool has_server = false;
  if (auto block = top.block("server")) {
    has_server = true;
    decodeServer(*block, config.server);
  }
  bool has_plugins = false;
  decodeCommon(top, options, config.plugins, config.health_checks, config.telemetry, has_plugins);
  top.finish();
  if (context.failed()) {
    return context.status();
  }
  if (!has_server) {
    return invalidArgument("server section must be configured");
  }
  Status status = validateServerConfig(config.server);
  if (!status.isOk()) {
    return status;
  }
  if (!has_plugins) {
    return invalidArgument("plugins section must be configured");
  }
  if (config.telemetry.metric_prefix.empty()) {
    config.telemetry.metric_prefix = "spire_server";
  }
  return config;
}

Result<AgentFileConfig> loadAgentConfigFromString(std::string_view text,
                                                  const LoadOptions& options) {
  Result<Value> root = parseRoot(text, options);
  if (!root.isOk()) {
    return root.status();
  }
  DecodeContext context;
  BlockReader top(context, "", {&root.value()});
  AgentFileConfig config;
  bool has_agent = false;
  if (auto block = top.block("agent")) {
    has_agent = true;
    decodeAgent(*block, config.agent);
  }
  bool has_plugins = false;
  decodeCommon(top, options, config.plugins, config.health_checks, config.telemetry, has_plugins);
  top.finish();
  if (context.failed()) {
    return context.status();
  }
  if (!has_plugins) {
    return invalidArgument("plugins section must be configured");
  }
  if (!has_agent) {
    return invalidArgument("agent section must be configured");
  }
  Status status = validateAgentConfig(config.agent);
  if (!status.isOk()) {
    return status;
  }
  if (config.telemetry.metric_prefix.empty()) {
    config.telemetry.metric_prefix = "spire_agent";
  }
  return config;
}

Result<ServerFileConfig> loadServerConfig(const std::string& path, const LoadOptions& options) {
  Result<FileText> file = readConfigFile(path, options);
  if (!file.isOk()) {
    return file.status();
  }
  return loadServerConfigFromString(file->text, file->options);
}

Result<AgentFileConfig> loadAgentConfig(const std::string& path, const LoadOptions& options) {
  Result<FileText> file = readConfigFile(path, options);
  if (!file.isOk()) {
    return file.status();
  }
  return loadAgentConfigFromString(file->text, file->options);
}

} // namespace spire::config
