#pragma once

// Base class of every C++ plugin: configuration, validation and host access. A concrete plugin
// derives from one of the type bases (WorkloadAttestor, KeyManager, ...), which derive from this.
//
// THREADS: methods may be called concurrently unless the class sets
// `static constexpr std::uint32_t kFlags = SPIRE_PLUGIN_FLAG_SERIALIZE_CALLS;`. configure() is
// never concurrent with itself.

#include <string>
#include <vector>

#include "spire/plugin/cpp/host.hpp"

namespace spire::plugin {

struct CoreConfig {
  std::string trust_domain;
};

class PluginBase {
public:
  virtual ~PluginBase() = default;

  // Apply plugin_data (JSON object text) and the core configuration. Throw
  // Error(SPIRE_INVALID_ARGUMENT, "...") for bad data.
  virtual void configure(const CoreConfig& core, const std::string& json) = 0;

  // Check a configuration without applying it; return notes for the operator. Throw
  // Error(SPIRE_INVALID_ARGUMENT, ...) when invalid. Not overriding it makes the host validate by
  // configuring a fresh instance.
  virtual std::vector<std::string> validate(const CoreConfig& core, const std::string& json) {
    (void)core;
    (void)json;
    throw Error(SPIRE_UNIMPLEMENTED, "validate not implemented");
  }

  // Host services; valid from the end of construction (not inside the constructor).
  const Host& host() const { return host_; }

  // Set by the layer right after construction.
  void attachHostForLayer(const Host& host) { host_ = host; }

private:
  Host host_;
};

} // namespace spire::plugin
