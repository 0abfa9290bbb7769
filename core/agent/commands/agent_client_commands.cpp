#include "agent/commands/agent_client_commands.h"

namespace spire::agent::commands {

std::vector<std::pair<std::string, cli::RunFunction>> agentClientCommands() {
  return {
      {"api fetch", runFetchX509},    {"api fetch x509", runFetchX509},
      {"api fetch jwt", runFetchJwt}, {"api validate jwt", runValidateJwt},
      {"api watch", runWatch},        {"healthcheck", runHealthcheck},
  };
}

} // namespace spire::agent::commands
