#include "plugin_host/catalog.h"

#include <map>
#include <set>
#include <sstream>

#include <spdlog/spdlog.h>

namespace spire::plugin_host {
namespace {

struct Constraint {
  const char* type;
  int min; // -1 = none
  int max; // -1 = none
};

// SPIRE's catalog constraints (pkg/server/catalog, pkg/agent/catalog).
std::vector<Constraint> constraintsFor(Role role) {
  if (role == Role::kServer) {
    return {{"DataStore", 1, 1},
            {"KeyManager", 1, 1},
            {"NodeAttestor", -1, -1},
            {"UpstreamAuthority", -1, 1}};
  }
  return {{"KeyManager", 1, 1}, {"NodeAttestor", 1, 1}, {"WorkloadAttestor", 1, -1}};
}

std::string describe(const Constraint& c) {
  if (c.min == c.max) {
    return "exactly " + std::to_string(c.min);
  }
  if (c.max < 0) {
    return "at least " + std::to_string(c.min);
  }
  return "at most " + std::to_string(c.max);
}

} // namespace

Status checkCardinality(const config::PluginSpecs& specs, Role role) {
  std::map<std::string, int> counts;
  std::set<std::pair<std::string, std::string>> seen;
  for (const config::PluginSpec& spec : specs) {
    if (!spec.enabled) {
      continue;
    }
    if (!pluginTypeFor(spec.type, role)) {
      return Status(StatusCode::kInvalidArgument, spec.type + " \"" + spec.name +
                                                      "\": unknown plugin type \"" + spec.type +
                                                      "\" for the " + std::string(roleName(role)));
    }
    if (!seen.insert({spec.type, spec.name}).second) {
      return Status(StatusCode::kInvalidArgument,
                    spec.type + " \"" + spec.name + "\": plugin configured more than once");
    }
    ++counts[spec.type];
  }
  for (const Constraint& c : constraintsFor(role)) {
    int n = counts[c.type];
    bool ok = (c.min < 0 || n >= c.min) && (c.max < 0 || n <= c.max);
    if (!ok) {
      return Status(StatusCode::kInvalidArgument, std::string("plugin type \"") + c.type +
                                                      "\" constraint not satisfied: expected " +
                                                      describe(c) + " but got " +
                                                      std::to_string(n));
    }
  }
  return Status();
}

Result<std::unique_ptr<Catalog>> Catalog::load(const config::PluginSpecs& specs,
                                               const LoaderOptions& options) {
  if (Status st = checkCardinality(specs, options.role); !st.isOk()) {
    return st;
  }
  std::unique_ptr<Catalog> catalog(new Catalog(options.role));
  std::vector<WorkloadAttestorPlugin> workload_attestors;
  for (const config::PluginSpec& spec : specs) {
    if (!spec.enabled) {
      continue;
    }
    Result<LoadedPluginPtr> loaded = loadPlugin(spec, options);
    if (!loaded.isOk()) {
      return loaded.status();
    }
    LoadedPluginPtr plugin = *loaded;
    catalog->plugins_.push_back(plugin);
    switch (plugin->type()) {
    case SPIRE_PLUGIN_TYPE_KEY_MANAGER:
      catalog->key_manager_.emplace(plugin);
      break;
    case SPIRE_PLUGIN_TYPE_DATASTORE:
      catalog->data_store_.emplace(plugin);
      break;
    case SPIRE_PLUGIN_TYPE_UPSTREAM_AUTHORITY:
      catalog->upstream_authority_.emplace(plugin);
      break;
    case SPIRE_PLUGIN_TYPE_SERVER_NODE_ATTESTOR:
      catalog->server_node_attestors_.emplace_back(plugin);
      break;
    case SPIRE_PLUGIN_TYPE_AGENT_NODE_ATTESTOR:
      catalog->agent_node_attestor_.emplace(plugin);
      break;
    case SPIRE_PLUGIN_TYPE_WORKLOAD_ATTESTOR:
      workload_attestors.emplace_back(plugin);
      break;
    default:
      break;
    }
  }
  if (options.role == Role::kAgent) {
    catalog->workload_attestors_.emplace(std::move(workload_attestors), options.logger);
  }
  return catalog;
}

const ServerNodeAttestorPlugin* Catalog::serverNodeAttestor(const std::string& name) const {
  for (const ServerNodeAttestorPlugin& a : server_node_attestors_) {
    if (a.name() == name) {
      return &a;
    }
  }
  return nullptr;
}

bool ValidationSummary::ok() const {
  if (!cardinality.isOk()) {
    return false;
  }
  for (const PluginValidation& p : plugins) {
    if (!p.error.isOk() || !p.report.valid) {
      return false;
    }
  }
  return true;
}

std::string ValidationSummary::toText() const {
  std::ostringstream out;
  if (!cardinality.isOk()) {
    out << cardinality.message() << "\n";
  }
  for (const PluginValidation& p : plugins) {
    out << p.type << " \"" << p.name << "\": ";
    if (!p.error.isOk()) {
      out << "error: " << p.error.message() << "\n";
      continue;
    }
    out << (p.report.valid ? "valid" : "invalid: " + p.report.message) << "\n";
    for (const std::string& note : p.report.notes) {
      out << "  note: " << note << "\n";
    }
  }
  return out.str();
}

ValidationSummary validatePlugins(const config::PluginSpecs& specs, const LoaderOptions& options) {
  ValidationSummary summary;
  summary.cardinality = checkCardinality(specs, options.role);
  for (const config::PluginSpec& spec : specs) {
    if (!spec.enabled || !pluginTypeFor(spec.type, options.role)) {
      continue;
    }
    PluginValidation v{spec.type, spec.name, Status(), ValidationReport()};
    Result<LoadedPluginPtr> plugin = loadUnconfigured(spec, options);
    if (!plugin.isOk()) {
      v.error = plugin.status();
    } else {
      Result<ValidationReport> report = (*plugin)->validate(options.trust_domain, spec.data_json);
      if (report.isOk()) {
        v.report = std::move(*report);
      } else {
        v.error = report.status();
      }
    }
    summary.plugins.push_back(std::move(v));
  }
  return summary;
}

} // namespace spire::plugin_host
