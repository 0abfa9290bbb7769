#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spire {

using Bytes = std::vector<uint8_t>;

inline std::string_view asStringView(const Bytes& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}
inline Bytes toBytes(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

// RFC 4648 §4 base64 with padding (JWK "x5c" values, PEM bodies).
std::string base64Encode(std::string_view data);
// Strict decoding: padding required, no whitespace; nullopt on any malformed input.
std::optional<std::string> base64Decode(std::string_view text);

// RFC 4648 §5 base64url without padding (JOSE, JWK "x"/"y"/"n"/"e").
std::string base64UrlEncode(std::string_view data);
// Accepts input with or without trailing '=' padding; nullopt on any malformed input.
std::optional<std::string> base64UrlDecode(std::string_view text);

// Lower-case hex, e.g. for SHA-256 fingerprints and plugin checksums.
std::string hexEncode(std::string_view data);
// Accepts upper or lower case; nullopt on odd length or a non-hex character.
std::optional<std::string> hexDecode(std::string_view text);

} // namespace spire
