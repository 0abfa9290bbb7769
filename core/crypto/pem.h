#pragma once

// PEM (RFC 7468) blocks, decoded the way Go's encoding/pem does for our purposes: blocks start
// at the beginning of a line anywhere in the text, RFC 1421 headers are skipped, and a block whose
// body is not valid base64 is passed over. Callers pick the block types they want and ignore the
// rest, as go-spiffe's pemutil does.

#include <string>
#include <string_view>
#include <vector>

namespace spire::crypto {

struct PemBlock {
  std::string type; // e.g. "CERTIFICATE", "PRIVATE KEY"
  std::string der;  // decoded body
};

// Every well-formed block, in order (possibly none).
std::vector<PemBlock> decodePemBlocks(std::string_view text);

// One block with a 64-column base64 body and a trailing newline.
std::string encodePem(std::string_view type, std::string_view der);

// The error text go-spiffe's pemutil returns when the input holds no PEM block at all.
inline constexpr std::string_view kNoPemBlocksFound = "no PEM blocks found";

} // namespace spire::crypto
