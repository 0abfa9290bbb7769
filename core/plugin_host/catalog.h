#pragma once

// The catalog: every plugin of a server or agent configuration, loaded through the one pipeline
// after the SPIRE cardinality rules are checked, with a typed facade per plugin type.
//
// Server: exactly one DataStore, exactly one KeyManager, at most one UpstreamAuthority, any number
// of NodeAttestors. Agent: exactly one KeyManager, exactly one NodeAttestor, at least one
// WorkloadAttestor. enabled = false blocks are skipped as if absent.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/plugin_config.h"
#include "plugin_host/datastore.h"
#include "plugin_host/key_manager.h"
#include "plugin_host/loader.h"
#include "plugin_host/node_attestor.h"
#include "plugin_host/upstream_authority.h"
#include "plugin_host/workload_attestor.h"

namespace spire::plugin_host {

// The SPIRE cardinality rules over the enabled blocks, plus unknown types and duplicates.
Status checkCardinality(const config::PluginSpecs& specs, Role role);

class Catalog {
public:
  // Checks cardinality, then loads and configures every enabled plugin in file order. Stops at
  // the first error.
  static Result<std::unique_ptr<Catalog>> load(const config::PluginSpecs& specs,
                                               const LoaderOptions& options);

  Role role() const { return role_; }
  const std::vector<LoadedPluginPtr>& plugins() const { return plugins_; }

  const KeyManagerPlugin& keyManager() const { return *key_manager_; }

  // Server.
  const DataStorePlugin& dataStore() const { return *data_store_; }
  const UpstreamAuthorityPlugin* upstreamAuthority() const {
    return upstream_authority_ ? &*upstream_authority_ : nullptr;
  }
  const std::vector<ServerNodeAttestorPlugin>& serverNodeAttestors() const {
    return server_node_attestors_;
  }
  // The server node attestor named `name` (the attestation data type), or null.
  const ServerNodeAttestorPlugin* serverNodeAttestor(const std::string& name) const;

  // Agent.
  const AgentNodeAttestorPlugin& agentNodeAttestor() const { return *agent_node_attestor_; }
  const WorkloadAttestors& workloadAttestors() const { return *workload_attestors_; }

private:
  explicit Catalog(Role role) : role_(role) {}

  Role role_;
  std::vector<LoadedPluginPtr> plugins_;
  std::optional<KeyManagerPlugin> key_manager_;
  std::optional<DataStorePlugin> data_store_;
  std::optional<UpstreamAuthorityPlugin> upstream_authority_;
  std::vector<ServerNodeAttestorPlugin> server_node_attestors_;
  std::optional<AgentNodeAttestorPlugin> agent_node_attestor_;
  std::optional<WorkloadAttestors> workload_attestors_;
};

// `spire-server validate` / `spire-agent validate`.
struct PluginValidation {
  std::string type;
  std::string name;
  Status error; // the plugin could not be loaded or validation itself failed
  ValidationReport report;
};

struct ValidationSummary {
  Status cardinality;
  std::vector<PluginValidation> plugins;

  bool ok() const;
  // One block per plugin: "KeyManager \"disk\": valid" / "...: invalid: <message>", then notes.
  std::string toText() const;
};

// Loads every enabled plugin (without configuring it) and calls its validate; never stops early.
ValidationSummary validatePlugins(const config::PluginSpecs& specs, const LoaderOptions& options);

} // namespace spire::plugin_host
