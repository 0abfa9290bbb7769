#pragma once

// Plugin types: the mapping between configuration block names ("KeyManager"), the ABI's
// spire_plugin_type values, file names of built-ins and the size/required methods of each vtable.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spire/plugin/common.h"

namespace spire::plugin_host {

// Which daemon loads the plugin: decides what a "NodeAttestor" block means.
enum class Role { kServer, kAgent };

std::string_view roleName(Role role);

// The ABI type a configuration block type stands for in `role`; nullopt for an unknown type or a
// type that role does not load (e.g. WorkloadAttestor in the server).
std::optional<spire_plugin_type> pluginTypeFor(std::string_view config_type, Role role);

// "NodeAttestor", "WorkloadAttestor", ... ("unknown type 42" for anything else).
std::string configTypeName(spire_plugin_type type);
// Longer name for messages and `plugin info`: "server NodeAttestor", "agent NodeAttestor", ...
std::string describeType(spire_plugin_type type);
// "node_attestor", "workload_attestor", "key_manager", "upstream_authority", "data_store".
std::string_view fileStem(spire_plugin_type type);

// sizeof the vtable this build knows for `type` (0 for an unknown type).
std::size_t knownVtableSize(spire_plugin_type type);

struct RequiredMethod {
  std::size_t offset;
  const char* name;
};
// The methods of `type`'s vtable that must be non-NULL.
std::vector<RequiredMethod> requiredMethods(spire_plugin_type type);
// All methods of `type`'s vtable, in order (for `plugin info`).
std::vector<RequiredMethod> allMethods(spire_plugin_type type);

} // namespace spire::plugin_host
