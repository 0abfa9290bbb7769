#pragma once

// Paths and specs for the fixture plugins built by tests/plugin_abi/CMakeLists.txt.

#include <string>

#include "config/plugin_config.h"
#include "plugin_host/loader.h"

namespace spire::testing {

inline std::string fixtureDir() {
  return SPIRE_FIXTURE_DIR;
}

// e.g. fixturePath("workload_attestor", "fx_good") -> <dir>/workload_attestor_fx_good.so
inline std::string fixturePath(const std::string& stem, const std::string& name) {
  return fixtureDir() + "/" + stem + "_" + name + ".so";
}

inline config::PluginSpec externalSpec(const std::string& type, const std::string& name,
                                       const std::string& path,
                                       const std::string& data_json = "{}") {
  config::PluginSpec spec;
  spec.type = type;
  spec.name = name;
  spec.plugin_cmd = path;
  spec.data_json = data_json;
  return spec;
}

inline plugin_host::LoaderOptions loaderOptions(plugin_host::Role role) {
  plugin_host::LoaderOptions options;
  options.role = role;
  options.trust_domain = "example.org";
  options.plugin_dir = fixtureDir();
  return options;
}

} // namespace spire::testing
