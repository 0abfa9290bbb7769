#pragma once

#include "cli/command_registry.h"

namespace spire::daemon {

// `spire-server validate` / `spire-agent validate`: loads the configuration file (-config,
// -expandEnv) exactly as `run` would, then loads every enabled plugin and calls its Validate.
// Output follows SPIRE's validate command: "SPIRE server configuration file is valid." on stdout,
// or "SPIRE server configuration file is invalid: <error>" / "... is invalid." plus the per-plugin
// report on stderr with exit code 1. Plugin notes are printed in both cases.
Status runServerValidate(const cli::ParsedFlags& flags, cli::Env& env);
Status runAgentValidate(const cli::ParsedFlags& flags, cli::Env& env);

} // namespace spire::daemon
