#pragma once

// Daemon-side facades of WorkloadAttestor plugins. THREADS: any thread; calls go straight to the
// plugin, which the ABI allows concurrently unless it asked for serialisation.

#include <cstdint>
#include <memory>
#include <vector>

#include <spdlog/logger.h>

#include "plugin_host/loaded_plugin.h"

namespace spire::plugin_host {

class WorkloadAttestorPlugin {
public:
  explicit WorkloadAttestorPlugin(LoadedPluginPtr plugin) : plugin_(std::move(plugin)) {}

  const std::string& name() const { return plugin_->name(); }

  // Selectors of process `pid`, typed with the plugin name ("unix" + "uid:0").
  Result<std::vector<Selector>> attest(std::int32_t pid) const;

private:
  LoadedPluginPtr plugin_;
};

// All configured workload attestors, in configuration order.
class WorkloadAttestors {
public:
  WorkloadAttestors(std::vector<WorkloadAttestorPlugin> attestors,
                    std::shared_ptr<spdlog::logger> logger);

  // Runs every attestor for `pid` and merges their selectors. A failing attestor is logged and
  // skipped (as SPIRE); an error only when every attestor failed.
  Result<std::vector<Selector>> attestAll(std::int32_t pid) const;

  const std::vector<WorkloadAttestorPlugin>& attestors() const { return attestors_; }

private:
  std::vector<WorkloadAttestorPlugin> attestors_;
  std::shared_ptr<spdlog::logger> logger_;
};

} // namespace spire::plugin_host
