#pragma once

// The ABI boundary of the C++ layer: the instance wrapper handed to the host as spire_plugin*, and
// guard(), which runs plugin code and turns every exception into a status code + message.

#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <string>

#include "spire/plugin/cpp/plugin_base.hpp"

namespace spire::plugin::detail {

// What spire_plugin* points to for a C++ plugin of class T.
template <class T> struct Instance {
  const spire_host_api* api = nullptr;
  Host host;
  std::unique_ptr<T> plugin;
};

template <class T> Instance<T>* instanceOf(spire_plugin* self) noexcept {
  return reinterpret_cast<Instance<T>*>(self);
}

inline spire_status failCall(const spire_host_api* api, spire_call* call, spire_status code,
                             const std::string& message) noexcept {
  if (code == SPIRE_OK) {
    code = SPIRE_UNKNOWN;
  }
  return api->fail(call, code, spire_str{message.data(), message.size()});
}

// Run `fn` (returning void); SPIRE_OK if it returns, the error's code otherwise. Never throws.
template <class Fn>
spire_status guard(const spire_host_api* api, spire_call* call, Fn&& fn) noexcept {
  try {
    fn();
    return SPIRE_OK;
  } catch (const Error& e) {
    try {
      return failCall(api, call, e.code(), e.what());
    } catch (...) {
      return e.code() == SPIRE_OK ? SPIRE_UNKNOWN : e.code();
    }
  } catch (const std::bad_alloc&) {
    return api->fail(call, SPIRE_RESOURCE_EXHAUSTED, spire_str{"out of memory", 13});
  } catch (const std::exception& e) {
    try {
      return failCall(api, call, SPIRE_INTERNAL, std::string("unhandled exception: ") + e.what());
    } catch (...) {
      return SPIRE_INTERNAL;
    }
  } catch (...) {
    return api->fail(call, SPIRE_INTERNAL, spire_str{"unhandled exception", 19});
  }
}

// An emitter's non-OK answer aborts the plugin method with that status.
inline void checkEmit(spire_status st) {
  if (st != SPIRE_OK) {
    throw Error(st, "host refused an emitted result");
  }
}

} // namespace spire::plugin::detail
