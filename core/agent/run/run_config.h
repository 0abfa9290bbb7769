#pragma once

// What `spire-agent run` runs with: the configuration file (-config, -expandEnv) with the command
// line flags on top (a flag that is set wins over the file, as SPIRE's mergeInput), then SPIRE's
// checks; and the pieces derived from it (the join token handed to the join_token NodeAttestor,
// the manager's settings).

#include <string>

#include "agent/manager/agent_manager.h"
#include "cli/flag_set.h"
#include "common/status.h"
#include "config/env_expand.h"
#include "config/loader.h"

namespace spire::agent::run {

// Reads and decodes the file like config::loadAgentConfig, but applies the flags before the
// whole-config checks, so that e.g. `-trustDomain` can supply what the file lacks. Errors:
// the loader's (missing file, syntax, unknown keys, bad values), "invalid log level ..." /
// "invalid log format ..." for bad -logLevel / -logFormat, "agent section must be configured",
// "plugins section must be configured", validateAgentConfig's, SPIRE's "admin socket cannot be
// in the same directory or a subdirectory as that containing the Workload API socket", and
// "unable to read join token file <path>: <why>" (join_token_file is read here; its trimmed
// content becomes agent.join_token).
Result<config::AgentFileConfig> loadRunConfig(const cli::ParsedFlags& flags,
                                              const config::EnvLookup& env = {});

// The agent's join token goes to the join_token NodeAttestor as its plugin_data "join_token"
// (SPIRE passes it to that plugin directly). A join_token already in plugin_data is kept when the
// agent has none. No-op for other attestors. InvalidArgument when the plugin_data is not a JSON
// object.
Status injectJoinToken(config::PluginSpecs& plugins, const std::string& join_token);

// The manager's settings from the agent block.
manager::ManagerConfig managerConfigFrom(const config::AgentFileConfig& config);

} // namespace spire::agent::run
