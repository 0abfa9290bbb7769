#include "daemon/plugin_dir.h"

#include <cstdlib>
#include <system_error>

#include "plugin_host/loader.h"

namespace spire::daemon {

std::filesystem::path builtinPluginDir() {
  if (const char* env = std::getenv("SPIRE_PLUGIN_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const std::filesystem::path beside = exe.parent_path().parent_path() / "plugins";
    if (std::filesystem::is_directory(beside, ec)) {
      return beside;
    }
  }
  return plugin_host::defaultPluginDir();
}

} // namespace spire::daemon
