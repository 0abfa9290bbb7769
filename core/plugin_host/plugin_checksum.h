#pragma once

// plugin_checksum: SHA-256 (hex) of the plugin file, checked on the descriptor that is then loaded.

#include <string>

#include "common/status.h"

namespace spire::plugin_host {

// OK when the file open as `fd` hashes to `expected_hex` (64 hex digits, any case).
// INVALID_ARGUMENT for a malformed checksum, FAILED_PRECONDITION for a mismatch.
Status verifyChecksum(int fd, const std::string& expected_hex);

} // namespace spire::plugin_host
