#pragma once

#include <filesystem>

namespace spire::daemon {

// Where spire-server and spire-agent find built-in plugins: $SPIRE_PLUGIN_DIR when set; else
// `<dir of the executable>/../plugins` when it exists (the build tree: build/bin + build/plugins);
// else the install location (<prefix>/lib/spire-cpp/plugins).
std::filesystem::path builtinPluginDir();

} // namespace spire::daemon
