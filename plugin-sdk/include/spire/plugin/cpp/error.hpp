#pragma once

// The error type of the C++ plugin layer: throw spire::plugin::Error(SPIRE_NOT_FOUND, "...") from
// any plugin method; the layer catches it at the ABI boundary and reports code + message. Any other
// exception becomes SPIRE_INTERNAL. Nothing ever unwinds into the host.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "spire/plugin/common.h"

namespace spire::plugin {

using Bytes = std::vector<std::uint8_t>;

class Error : public std::runtime_error {
public:
  Error(spire_status code, const std::string& message) : std::runtime_error(message), code_(code) {}
  spire_status code() const noexcept { return code_; }

private:
  spire_status code_;
};

inline spire_str toStr(std::string_view s) noexcept {
  return spire_str{s.data(), s.size()};
}
inline spire_bytes toBytes(const Bytes& b) noexcept {
  return spire_bytes{b.data(), b.size()};
}
inline std::string fromStr(spire_str s) {
  return s.ptr == nullptr ? std::string() : std::string(s.ptr, s.len);
}
inline Bytes fromBytes(spire_bytes b) {
  return b.ptr == nullptr ? Bytes() : Bytes(b.ptr, b.ptr + b.len);
}

} // namespace spire::plugin
