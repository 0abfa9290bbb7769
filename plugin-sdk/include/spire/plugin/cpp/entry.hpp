#pragma once

// Turning C++ plugin classes into descriptors, and the entry point macro.
//
//   class Environ : public spire::plugin::WorkloadAttestor {
//   public:
//     static constexpr const char* kName = "environ";
//     static constexpr const char* kVersion = "1.0.0";
//     ...
//   };
//   SPIRE_CPP_PLUGIN(spire::plugin::descriptorOf<Environ>())
//
// Several classes (e.g. the server and agent sides of a node attestor) may share one .so:
//   SPIRE_CPP_PLUGIN(descriptorOf<MyServer>(), descriptorOf<MyAgent>())
// Optional class members: kDescription (const char*), kFlags (std::uint32_t).

#include <cstdint>
#include <type_traits>

#include "spire/plugin/cpp/boundary.hpp"

namespace spire::plugin {
namespace detail {

template <class T, class = void> struct DescriptionOf {
  static constexpr const char* value = nullptr;
};
template <class T> struct DescriptionOf<T, std::void_t<decltype(T::kDescription)>> {
  static constexpr const char* value = T::kDescription;
};
template <class T, class = void> struct FlagsOf { static constexpr std::uint32_t value = 0; };
template <class T> struct FlagsOf<T, std::void_t<decltype(T::kFlags)>> {
  static constexpr std::uint32_t value = T::kFlags;
};

inline CoreConfig coreConfigOf(const spire_core_config* core) {
  CoreConfig out;
  if (core != nullptr && SPIRE_TABLE_HAS(core->struct_size, spire_core_config, trust_domain)) {
    out.trust_domain = fromStr(core->trust_domain);
  }
  return out;
}

template <class T>
spire_status createThunk(const spire_host_api* api, spire_host* host, spire_call* call,
                         spire_plugin** out_self) noexcept {
  Instance<T>* instance = nullptr;
  spire_status st = guard(api, call, [&] {
    auto owned = std::make_unique<Instance<T>>();
    owned->api = api;
    owned->host = Host(api, host);
    owned->plugin = std::make_unique<T>();
    owned->plugin->attachHostForLayer(owned->host);
    instance = owned.release();
  });
  if (st == SPIRE_OK) {
    *out_self = reinterpret_cast<spire_plugin*>(instance);
  }
  return st;
}

template <class T> void destroyThunk(spire_plugin* self) noexcept {
  // A destructor that throws terminates: plugin destructors must not throw, as everywhere in C++.
  delete instanceOf<T>(self);
}

template <class T>
spire_status configureThunk(spire_plugin* self, spire_call* call, const spire_core_config* core,
                            spire_str json) noexcept {
  Instance<T>* in = instanceOf<T>(self);
  return guard(in->api, call, [&] { in->plugin->configure(coreConfigOf(core), fromStr(json)); });
}

template <class T>
spire_status validateThunk(spire_plugin* self, spire_call* call, const spire_core_config* core,
                           spire_str json) noexcept {
  Instance<T>* in = instanceOf<T>(self);
  return guard(in->api, call, [&] {
    for (const std::string& note : in->plugin->validate(coreConfigOf(core), fromStr(json))) {
      checkEmit(in->api->emit_note(call, toStr(note)));
    }
  });
}

template <class T> constexpr bool overridesValidate() {
  return !std::is_same_v<decltype(&T::validate), decltype(&PluginBase::validate)>;
}

} // namespace detail

// The static descriptor of plugin class T (its base class gives the plugin type and vtable).
template <class T> const spire_plugin_descriptor* descriptorOf() {
  static const spire_plugin_descriptor descriptor = {
      sizeof(spire_plugin_descriptor),
      SPIRE_PLUGIN_ABI_VERSION,
      T::kPluginType,
      detail::FlagsOf<T>::value,
      T::kName,
      T::kVersion,
      detail::DescriptionOf<T>::value,
      &detail::createThunk<T>,
      &detail::destroyThunk<T>,
      &detail::configureThunk<T>,
      detail::overridesValidate<T>() ? &detail::validateThunk<T> : nullptr,
      T::template vtableFor<T>(),
      static_cast<std::uint32_t>(T::kVtableSize),
  };
  return &descriptor;
}

namespace detail {

// Pick the descriptor of the requested type (else the first: the host reports the mismatch).
inline std::uint32_t selectDescriptor(const spire_plugin_query* query,
                                      const spire_plugin_descriptor** out,
                                      const spire_plugin_descriptor* const* table,
                                      std::size_t count) noexcept {
  if (query == nullptr || out == nullptr || count == 0) {
    return 0;
  }
  *out = table[0];
  for (std::size_t i = 0; i < count; ++i) {
    if (table[i]->plugin_type == query->requested_type) {
      *out = table[i];
      break;
    }
  }
  return SPIRE_PLUGIN_ABI_VERSION;
}

} // namespace detail
} // namespace spire::plugin

// Defines the exported spire_plugin_entry of this .so. Use once, in one source file.
#define SPIRE_CPP_PLUGIN(...)                                                                      \
  extern "C" SPIRE_PLUGIN_EXPORT uint32_t spire_plugin_entry(                                      \
      const spire_plugin_query* query, const spire_plugin_descriptor** out_descriptor) {           \
    static const spire_plugin_descriptor* const kSpireDescriptors[] = {__VA_ARGS__};               \
    return ::spire::plugin::detail::selectDescriptor(query, out_descriptor, kSpireDescriptors,     \
                                                     sizeof(kSpireDescriptors) /                   \
                                                         sizeof(kSpireDescriptors[0]));            \
  }
