#pragma once

// Glue between the plugin logic (Status/Result over std::string bytes) and the SDK's C++ layer
// (spire::plugin::Error over std::vector<uint8_t>). Header-only; used by the plugin.cpp files.

#include <string>
#include <utility>

#include "shared/status.h"
#include "spire/plugin/cpp/error.hpp"

namespace spire::builtin {

// Throws the SDK error for a non-OK status; the SDK layer turns it into code + message.
inline void throwIfError(const Status& status) {
  if (!status.isOk()) {
    throw spire::plugin::Error(static_cast<spire_status>(status.code()), status.message());
  }
}

template <class T> T valueOrThrow(Result<T> result) {
  throwIfError(result.status());
  return std::move(result).value();
}

inline spire::plugin::Bytes toSdkBytes(const std::string& data) {
  return spire::plugin::Bytes(data.begin(), data.end());
}

inline std::string fromSdkBytes(const spire::plugin::Bytes& data) {
  return std::string(data.begin(), data.end());
}

inline constexpr const char* kBuiltinPluginVersion = "0.1.0";

} // namespace spire::builtin
