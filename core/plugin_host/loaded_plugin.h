#pragma once

// One configured plugin instance: the descriptor it was loaded with, a copy of its vtable padded
// to this build's size, the instance pointer, and invoke(), the one way the facades call it.
//
// THREADS: invoke() may be called from any thread; it serialises calls when the plugin set
// SPIRE_PLUGIN_FLAG_SERIALIZE_CALLS. The destructor calls the plugin's destroy() and must not run
// while calls are in flight (facades hold a shared_ptr for that).

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "plugin_host/host_context.h"
#include "spire/plugin/common.h"

namespace spire::plugin_host {

// What a descriptor says, for messages and `plugin info`.
struct PluginInfo {
  std::string path;
  std::uint32_t abi_version = 0;
  spire_plugin_type type = 0;
  std::uint32_t flags = 0;
  std::string name;
  std::string version;
  std::string description;
  std::uint32_t vtable_size = 0;
  std::vector<std::string> implemented; // vtable methods that are non-NULL
  std::vector<std::string> missing;     // optional vtable methods that are NULL
  bool has_validate = false;
};

// The answer of validate: `valid` false with `message` when the plugin rejected the configuration
// (SPIRE_INVALID_ARGUMENT); notes in both cases.
struct ValidationReport {
  bool valid = true;
  std::string message;
  std::vector<std::string> notes;
};

class LoadedPlugin {
public:
  LoadedPlugin(std::string config_name, PluginInfo info, const spire_plugin_descriptor* descriptor,
               std::vector<unsigned char> vtable, std::unique_ptr<spire_host> host);
  ~LoadedPlugin();
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  // Create the instance (step "create" of the load pipeline).
  Status create();
  // Apply plugin_data JSON and the trust domain.
  Status configure(const std::string& trust_domain, const std::string& json);
  // Call validate (or, without one, configure this not yet configured instance). An error Status
  // only when validation itself failed.
  Result<ValidationReport> validate(const std::string& trust_domain, const std::string& json);

  // The configuration name: selector type and log tag.
  const std::string& name() const { return name_; }
  spire_plugin_type type() const { return info_.type; }
  const PluginInfo& info() const { return info_; }
  // `WorkloadAttestor "unix"`, the prefix of every error of this plugin.
  std::string prefix() const;

  template <class VT> const VT& vtable() const {
    return *reinterpret_cast<const VT*>(vtable_.data());
  }
  spire_plugin* self() const { return self_; }
  spire_host* host() const { return host_.get(); }

  // How many calls went through invoke() (create and configure included). One relaxed increment
  // per call: benchmarks read it to show, e.g., that a steady-state agent sync makes no DataStore
  // call. Not a synchronisation point.
  std::uint64_t callCount() const { return calls_.load(std::memory_order_relaxed); }

  // Runs fn(spire_call*) -> spire_status as a call accepting `allowed` results (EmitKind bits)
  // and turns its outcome into a Status prefixed with the plugin type and name. Results land in
  // *results (and *datastore for DataStore calls).
  template <class Fn>
  Status invoke(std::uint32_t allowed, std::string_view method, CallResults* results,
                DatastoreResults* datastore, Fn&& fn) {
    calls_.fetch_add(1, std::memory_order_relaxed);
    spire_call call(host_.get(), allowed, std::string(method));
    call.datastore = datastore;
    spire_status code;
    {
      std::unique_lock<std::mutex> lock(mu_, std::defer_lock);
      if (serialize_) {
        lock.lock();
      }
      code = fn(&call);
    }
    if (results != nullptr) {
      *results = std::move(call.results);
    }
    return outcome(call, code, method);
  }

private:
  Status outcome(const spire_call& call, spire_status code, std::string_view method) const;

  std::string name_;
  PluginInfo info_;
  const spire_plugin_descriptor* descriptor_;
  std::vector<unsigned char> vtable_;
  std::unique_ptr<spire_host> host_;
  spire_plugin* self_ = nullptr;
  bool created_ = false;
  bool serialize_ = false;
  std::mutex mu_;
  std::atomic<std::uint64_t> calls_{0};
};

using LoadedPluginPtr = std::shared_ptr<LoadedPlugin>;

} // namespace spire::plugin_host
