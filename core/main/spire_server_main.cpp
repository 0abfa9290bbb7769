// spire-server: wiring only. Every command's behaviour lives in core/ where tests reach it.
#include <iostream>
#include <string>
#include <vector>

#include "cli/spire_commands.h"
#include "daemon/implemented_commands.h"
#include "daemon/validate_command.h"

int main(int argc, char** argv) {
  spire::cli::CommandRegistry registry =
      spire::daemon::implementedCommands(spire::cli::makeServerRegistry(SPIRE_VERSION),
                                         {{"validate", spire::daemon::runServerValidate}});
  spire::cli::Env env{std::cin, std::cout, std::cerr};
  return registry.run(std::vector<std::string>(argv + 1, argv + argc), env);
}
