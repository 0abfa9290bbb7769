// spire-agent: wiring only. Every command's behaviour lives in core/ where tests reach it.
#include <iostream>
#include <string>
#include <vector>

#include "agent/commands/agent_client_commands.h"
#include "agent/run/agent_run.h"
#include "cli/spire_commands.h"
#include "daemon/implemented_commands.h"
#include "daemon/validate_command.h"

int main(int argc, char** argv) {
  std::vector<std::pair<std::string, spire::cli::RunFunction>> runs = {
      {"run", spire::agent::run::runAgent},
      {"validate", spire::daemon::runAgentValidate},
  };
  for (auto& command : spire::agent::commands::agentClientCommands()) {
    runs.push_back(std::move(command));
  }
  spire::cli::CommandRegistry registry =
      spire::daemon::implementedCommands(spire::cli::makeAgentRegistry(SPIRE_VERSION), runs);
  spire::cli::Env env{std::cin, std::cout, std::cerr};
  return registry.run(std::vector<std::string>(argv + 1, argv + argc), env);
}
