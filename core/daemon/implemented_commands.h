#pragma once

#include <string>
#include <utility>
#include <vector>

#include "cli/command_registry.h"

namespace spire::daemon {

// A registry with only the commands that have behaviour, taken from the full SPIRE command table
// (their flags, defaults and help unchanged). Commands not offered yet are then unknown, listed by
// nothing, and exit 127 as any unknown command does, instead of appearing and failing.
cli::CommandRegistry
implementedCommands(const cli::CommandRegistry& full,
                    const std::vector<std::pair<std::string, cli::RunFunction>>& runs);

} // namespace spire::daemon
