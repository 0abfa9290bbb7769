#include "daemon/validate_command.h"

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "config/loader.h"
#include "daemon/plugin_dir.h"
#include "plugin_host/catalog.h"

namespace spire::daemon {
namespace {

// Validation must not write daemon logs (SPIRE sends them to /dev/null for this command).
std::shared_ptr<spdlog::logger> silentLogger() {
  return std::make_shared<spdlog::logger>("validate",
                                          std::make_shared<spdlog::sinks::null_sink_mt>());
}

Status report(const config::PluginSpecs& plugins, const std::string& trust_domain,
              plugin_host::Role role, std::string_view who, cli::Env& env) {
  plugin_host::LoaderOptions options;
  options.role = role;
  options.plugin_dir = builtinPluginDir();
  options.trust_domain = trust_domain;
  options.logger = silentLogger();
  const plugin_host::ValidationSummary summary = plugin_host::validatePlugins(plugins, options);
  if (!summary.ok()) {
    env.err << "SPIRE " << who << " configuration file is invalid.\n" << summary.toText();
    return cli::alreadyReported();
  }
  env.out << summary.toText();
  env.out << "SPIRE " << who << " configuration file is valid.\n";
  return Status::ok();
}

config::LoadOptions loadOptions(const cli::ParsedFlags& flags) {
  config::LoadOptions options;
  options.expand_env = flags.getBool("expandEnv");
  return options;
}

} // namespace

Status runServerValidate(const cli::ParsedFlags& flags, cli::Env& env) {
  Result<config::ServerFileConfig> loaded =
      config::loadServerConfig(flags.getString("config"), loadOptions(flags));
  if (!loaded.isOk()) {
    env.err << "SPIRE server configuration file is invalid: " << loaded.status().message() << "\n";
    return cli::alreadyReported();
  }
  return report(loaded->plugins, loaded->server.trust_domain, plugin_host::Role::kServer, "server",
                env);
}

Status runAgentValidate(const cli::ParsedFlags& flags, cli::Env& env) {
  Result<config::AgentFileConfig> loaded =
      config::loadAgentConfig(flags.getString("config"), loadOptions(flags));
  if (!loaded.isOk()) {
    env.err << "SPIRE agent configuration file is invalid: " << loaded.status().message() << "\n";
    return cli::alreadyReported();
  }
  return report(loaded->plugins, loaded->agent.trust_domain, plugin_host::Role::kAgent, "agent",
                env);
}

} // namespace spire::daemon
