#pragma once

// The one load pipeline for plugin shared objects, one precise error per step:
//   resolve path -> open -> plugin_checksum verified on the opened fd -> dlopen of that same fd
//   (/proc/self/fd/N, RTLD_NOW | RTLD_LOCAL, deduplicated by inode, never unloaded) -> entry
//   symbol -> ABI version negotiation -> descriptor checks (size, type, name, vtable size and
//   zero tail, required methods) -> create -> configure.
// Every error names the plugin (`KeyManager "disk": ...`) and the file.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "common/status.h"
#include "config/plugin_config.h"
#include "plugin_host/loaded_plugin.h"
#include "plugin_host/plugin_type.h"

namespace spire::plugin_host {

struct LoaderOptions {
  Role role = Role::kServer;
  // Where built-in plugins (no plugin_cmd) are found as <type lower snake>_<name>.so; empty =
  // defaultPluginDir().
  std::filesystem::path plugin_dir;
  std::string trust_domain; // handed to configure/validate
  // ABI versions this host accepts; tests narrow them to simulate other releases.
  std::uint32_t abi_min = 1;
  std::uint32_t abi_max = SPIRE_PLUGIN_ABI_VERSION;
  std::shared_ptr<spdlog::logger> logger; // null = spdlog's default logger
  AgentStoreLookup agent_store;           // server only
};

// $SPIRE_PLUGIN_DIR when set, else <install prefix>/lib/spire-cpp/plugins.
std::filesystem::path defaultPluginDir();

// The path a spec resolves to: plugin_cmd, or the built-in file in the plugin directory.
Result<std::filesystem::path> resolvePluginPath(const config::PluginSpec& spec,
                                                const LoaderOptions& options);

// Runs the pipeline up to and including create (no configure).
Result<LoadedPluginPtr> loadUnconfigured(const config::PluginSpec& spec,
                                         const LoaderOptions& options);

// The whole pipeline: load, create, configure with spec.data_json. Skips nothing: callers skip
// enabled = false specs.
Result<LoadedPluginPtr> loadPlugin(const config::PluginSpec& spec, const LoaderOptions& options);

// `plugin info <path.so>`: every descriptor the file offers, as text.
Result<std::string> pluginInfoText(const std::filesystem::path& path);

} // namespace spire::plugin_host
