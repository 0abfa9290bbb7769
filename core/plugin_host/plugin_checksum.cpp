#include "plugin_host/plugin_checksum.h"

#include <algorithm>
#include <cctype>

#include "crypto/digest.h"

namespace spire::plugin_host {

Status verifyChecksum(int fd, const std::string& expected_hex) {
  std::string expected = expected_hex;
  std::transform(expected.begin(), expected.end(), expected.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  bool well_formed =
      expected.size() == 64 && std::all_of(expected.begin(), expected.end(), [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c)) != 0;
      });
  if (!well_formed) {
    return Status(StatusCode::kInvalidArgument, "invalid plugin_checksum \"" + expected_hex +
                                                    "\": expected 64 hexadecimal digits (SHA-256)");
  }
  // Hashes with pread from offset 0: the descriptor stays usable for loading.
  Result<std::string> actual = crypto::sha256File(fd);
  if (!actual.isOk()) {
    return Status(StatusCode::kFailedPrecondition,
                  "cannot hash plugin file: " + actual.status().message());
  }
  if (*actual != expected) {
    return Status(StatusCode::kFailedPrecondition,
                  "plugin_checksum mismatch: expected " + expected + ", file has " + *actual);
  }
  return Status();
}

} // namespace spire::plugin_host
