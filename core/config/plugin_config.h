#pragma once

#include <string>
#include <vector>

namespace spire::config {

// Where a value came from in a configuration file, for error messages ("file:line:column").
struct SourcePosition {
  std::string file;
  int line = 0;
  int column = 0;

  std::string toString() const {
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
  }
};

// One `<PluginType> "<name>" { ... }` block of the `plugins {}` section, as SPIRE's
// hclPluginConfig has it. Order of blocks in the file is preserved by the loader.
struct PluginSpec {
  std::string type;                     // "NodeAttestor", "KeyManager", "DataStore", ...
  std::string name;                     // "join_token", "disk", "sql", ...
  std::string plugin_cmd;               // path of the .so; empty for a built-in plugin
  std::string plugin_checksum;          // SHA-256 hex of the .so, empty when not set
  std::vector<std::string> plugin_args; // SPIRE's undocumented plugin_args, kept as written
  bool enabled = true;
  // plugin_data normalised to JSON object text ("{}" when absent). When plugin_data_file is set
  // this is filled from that file when the configuration is loaded.
  std::string data_json = "{}";
  std::string plugin_data_file; // as written in the config, empty when not set
  SourcePosition position;      // of the block header, for errors
};

using PluginSpecs = std::vector<PluginSpec>;

} // namespace spire::config
