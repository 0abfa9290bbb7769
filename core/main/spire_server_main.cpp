// spire-server: wiring only. Every command's behaviour lives in core/ where tests reach it.
#include <iostream>
#include <string>
#include <vector>

#include "cli/spire_commands.h"
#include "daemon/implemented_commands.h"
#include "daemon/validate_command.h"
#include "server/commands/server_client_commands.h"
#include "server/run/server_run.h"

int main(int argc, char** argv) {
  std::vector<std::pair<std::string, spire::cli::RunFunction>> runs = {
      {"run", spire::server::run::runServer},
      {"validate", spire::daemon::runServerValidate},
  };
  for (auto& command : spire::server::commands::serverClientCommands()) {
    runs.push_back(std::move(command));
  }
  spire::cli::CommandRegistry registry =
      spire::daemon::implementedCommands(spire::cli::makeServerRegistry(SPIRE_VERSION), runs);
  spire::cli::Env env{std::cin, std::cout, std::cerr};
  return registry.run(std::vector<std::string>(argv + 1, argv + argc), env);
}
