#include "daemon/implemented_commands.h"

#include <cassert>

namespace spire::daemon {

cli::CommandRegistry
implementedCommands(const cli::CommandRegistry& full,
                    const std::vector<std::pair<std::string, cli::RunFunction>>& runs) {
  cli::CommandRegistry out(full.program(), full.version());
  for (const auto& [path, run] : runs) {
    const cli::CommandSpec* spec = full.find(path);
    // The command tables are ours: a missing path is a programming error, not input.
    assert(spec != nullptr && "command path missing from the SPIRE command table");
    if (spec == nullptr) {
      continue;
    }
    Status added = out.add(*spec);
    assert(added.isOk());
    Status attached = out.setRun(path, run);
    assert(attached.isOk());
    (void)added;
    (void)attached;
  }
  return out;
}

} // namespace spire::daemon
