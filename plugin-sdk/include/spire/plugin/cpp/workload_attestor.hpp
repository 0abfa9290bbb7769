#pragma once

// C++ base class of a WorkloadAttestor plugin.

#include <string>
#include <vector>

#include "spire/plugin/cpp/boundary.hpp"
#include "spire/plugin/workload_attestor.h"

namespace spire::plugin {

class WorkloadAttestor : public PluginBase {
public:
  static constexpr spire_plugin_type kPluginType = SPIRE_PLUGIN_TYPE_WORKLOAD_ATTESTOR;
  static constexpr std::size_t kVtableSize = sizeof(spire_workload_attestor_vtable);

  // Selector values of process `pid` (without the type prefix: "uid:1000"). Throw Error for
  // failures, e.g. Error(SPIRE_NOT_FOUND, "no such process").
  virtual std::vector<std::string> attest(std::int32_t pid) = 0;

  template <class T> static const void* vtableFor();
};

namespace detail {
template <class T>
spire_status workloadAttestThunk(spire_plugin* self, spire_call* call, std::int32_t pid) noexcept {
  Instance<T>* in = instanceOf<T>(self);
  return guard(in->api, call, [&] {
    for (const std::string& value : in->plugin->attest(pid)) {
      checkEmit(in->api->emit_selector_value(call, toStr(value)));
    }
  });
}
} // namespace detail

template <class T> const void* WorkloadAttestor::vtableFor() {
  static const spire_workload_attestor_vtable vtable = {
      sizeof(spire_workload_attestor_vtable),
      &detail::workloadAttestThunk<T>,
  };
  return &vtable;
}

} // namespace spire::plugin
