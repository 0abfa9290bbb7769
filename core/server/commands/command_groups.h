#pragma once

#include <string>
#include <utility>
#include <vector>

#include "cli/command_registry.h"

namespace spire::server::commands {

using CommandList = std::vector<std::pair<std::string, cli::RunFunction>>;

// One list per command folder of SPIRE's cmd/spire-server/cli.
CommandList entryCommands();
CommandList agentCommands();
CommandList bundleCommands();
CommandList mintCommands();
CommandList tokenLoggerHealthCommands();

} // namespace spire::server::commands
