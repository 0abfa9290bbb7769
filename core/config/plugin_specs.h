#pragma once

#include <string>

#include "config/decoder.h"
#include "config/plugin_config.h"

namespace spire::config {

// Decodes `plugins { <Type> "<name>" { ... } ... }` into specs, in file order (SPIRE keeps it:
// it matters for several WorkloadAttestors). Per plugin: plugin_cmd, plugin_args,
// plugin_checksum, enabled (default true), and either plugin_data (block or `= {}` object,
// contents unchecked: they belong to the plugin) or plugin_data_file (read relative to
// `base_dir` when relative, parsed as HCL or JSON). Both data forms at once is an error, as is
// one type+name declared twice. plugin_data becomes JSON object text (see Value::toJson).
void decodePlugins(BlockReader& plugins, const std::string& base_dir, PluginSpecs& out);

} // namespace spire::config
