#pragma once

#include <string>
#include <utility>
#include <vector>

#include "cli/command_registry.h"

namespace spire::server::commands {

// The spire-server commands that talk to a running server over its admin socket (-socketPath),
// as gRPC clients with SPIRE's output and error texts: entry, agent, bundle, token, x509/jwt
// mint, logger and healthcheck. Each pair is a command path of cli::serverCommandSpecs() and
// its behaviour, for CommandRegistry::setRun / daemon::implementedCommands.
std::vector<std::pair<std::string, cli::RunFunction>> serverClientCommands();

} // namespace spire::server::commands
