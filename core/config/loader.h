#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "config/agent_config.h"
#include "config/common_config.h"
#include "config/env_expand.h"
#include "config/parse.h"
#include "config/plugin_config.h"
#include "config/server_config.h"

namespace spire::config {

struct LoadOptions {
  // -expandEnv: replace $VAR / ${VAR} in the raw text before parsing (see expandEnv()). As in
  // SPIRE, error positions then refer to the expanded text.
  bool expand_env = false;
  // Where variables come from; empty means the process environment.
  EnvLookup env_lookup;
  ConfigSyntax syntax = ConfigSyntax::kAuto;
  // For the *FromString loaders: the name used in messages and for syntax detection, and the
  // directory relative plugin_data_file paths resolve against. The file loaders derive both from
  // the path.
  std::string source_name = "config";
  std::string base_dir;
};

// What spire-server's configuration file holds.
struct ServerFileConfig {
  ServerConfig server;
  PluginSpecs plugins;
  HealthChecksConfig health_checks;
  TelemetryConfig telemetry;
};

// What spire-agent's configuration file holds.
struct AgentFileConfig {
  AgentConfig agent;
  PluginSpecs plugins;
  HealthChecksConfig health_checks;
  TelemetryConfig telemetry;
};

// Reads, optionally env-expands, parses (HCL or JSON), decodes and validates. Errors:
//   kNotFound "could not find config file <abs path>: please use the -config flag"
//   kInvalidArgument for syntax ("<file>:<line>:<col>: ..."), unknown keys
//   ("unknown configuration detected: "server.foo" at f:3:5, ..."), types and values
//   ("server.bind_port: expected a number, got string "abc" at f:4:17"), and SPIRE's required-key
//   and consistency checks ("trust_domain must be configured").
Result<ServerFileConfig> loadServerConfig(const std::string& path, const LoadOptions& options = {});
Result<ServerFileConfig> loadServerConfigFromString(std::string_view text,
                                                    const LoadOptions& options = {});
Result<AgentFileConfig> loadAgentConfig(const std::string& path, const LoadOptions& options = {});
Result<AgentFileConfig> loadAgentConfigFromString(std::string_view text,
                                                  const LoadOptions& options = {});

} // namespace spire::config
