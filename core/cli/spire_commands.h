#pragma once

#include <string>
#include <vector>

#include "cli/command_registry.h"

namespace spire::cli {

inline constexpr char kServerSocketPath[] = "/tmp/spire-server/private/api.sock";
inline constexpr char kAgentPublicSocketPath[] = "/tmp/spire-agent/public/api.sock";
inline constexpr char kAgentAdminSocketPath[] = "/tmp/spire-agent/private/admin.sock";

// Every spire-server command SPIRE has (inventory §6.1) with its flags, defaults and texts.
std::vector<CommandSpec> serverCommandSpecs();
// Every spire-agent command (inventory §6.2).
std::vector<CommandSpec> agentCommandSpecs();

// Registries holding those declarations, with no run functions attached: the daemons attach
// theirs with setRun(); a command still without one answers "Error: not implemented yet".
CommandRegistry makeServerRegistry(std::string version);
CommandRegistry makeAgentRegistry(std::string version);

} // namespace spire::cli
