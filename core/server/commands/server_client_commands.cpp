#include "server/commands/server_client_commands.h"

#include "server/commands/command_groups.h"

namespace spire::server::commands {

std::vector<std::pair<std::string, cli::RunFunction>> serverClientCommands() {
  CommandList out;
  for (auto group :
       {entryCommands, agentCommands, bundleCommands, mintCommands, tokenLoggerHealthCommands}) {
    for (auto& command : group()) {
      out.push_back(std::move(command));
    }
  }
  return out;
}

} // namespace spire::server::commands
