// Fuzz target: base64 / base64url / hex decoding (core/common/encoding.h).
//
// The decoders are strict, so a successful decode must re-encode to the very same text (modulo
// the optional padding of base64url and the letter case of hex), and every encoding of the raw
// input must decode back to it.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/encoding.h"
#include "fuzz/fuzz_check.h"

namespace {

std::string lowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

std::string_view withoutPadding(std::string_view text) {
  while (!text.empty() && text.back() == '=') {
    text.remove_suffix(1);
  }
  return text;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  // Decoding untrusted text.
  if (std::optional<std::string> raw = spire::base64Decode(text)) {
    FUZZ_CHECK(spire::base64Encode(*raw) == text, "base64 decoding is canonical");
    FUZZ_CHECK(text.size() % 4 == 0, "padded base64 has a length multiple of 4");
  }
  if (std::optional<std::string> raw = spire::base64UrlDecode(text)) {
    FUZZ_CHECK(spire::base64UrlEncode(*raw) == withoutPadding(text),
               "base64url decoding is canonical");
  }
  if (std::optional<std::string> raw = spire::hexDecode(text)) {
    FUZZ_CHECK(spire::hexEncode(*raw) == lowerAscii(text), "hex decoding is canonical");
    FUZZ_CHECK(raw->size() * 2 == text.size(), "hex length");
  }

  // Encoding arbitrary bytes.
  std::string b64 = spire::base64Encode(text);
  FUZZ_CHECK(spire::base64Decode(b64) == std::optional<std::string>(text), "base64 round trip");
  FUZZ_CHECK(b64.size() == (size + 2) / 3 * 4, "base64 length");
  std::string b64url = spire::base64UrlEncode(text);
  FUZZ_CHECK(spire::base64UrlDecode(b64url) == std::optional<std::string>(text),
             "base64url round trip");
  FUZZ_CHECK(b64url.find_first_of("+/=") == std::string::npos, "base64url alphabet, no padding");
  std::string hex = spire::hexEncode(text);
  FUZZ_CHECK(spire::hexDecode(hex) == std::optional<std::string>(text), "hex round trip");
  return 0;
}
