#pragma once

// `spire-server run` flags over the configuration file, as SPIRE's run command merges them: a
// flag given on the command line replaces the file's value; absent flags leave the file alone.

#include "cli/flag_set.h"
#include "common/status.h"
#include "config/loader.h"

namespace spire::server::run {

// Loads -config (honouring -expandEnv) and applies -bindAddress, -serverPort, -socketPath,
// -trustDomain, -dataDir, -logLevel, -logFormat, -logFile, then re-checks what the overrides can
// break (trust_domain and data_dir required, bind_port range, log level and format). Errors are
// the loader's (file, syntax, unknown keys) or InvalidArgument naming the flag.
Result<config::ServerFileConfig> loadRunConfig(const cli::ParsedFlags& flags);

// The override step alone, for tests.
Status applyRunFlags(const cli::ParsedFlags& flags, config::ServerFileConfig& file);

} // namespace spire::server::run
