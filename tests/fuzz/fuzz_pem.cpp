// Fuzz target: PEM block decoding (core/crypto/pem.h).
//
// Every decoded block, re-encoded with encodePem, must decode to exactly that block again, and
// all blocks re-encoded one after the other must decode to the same list.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/pem.h"
#include "fuzz/fuzz_check.h"

namespace {

using spire::crypto::PemBlock;

bool sameBlocks(const std::vector<PemBlock>& a, const std::vector<PemBlock>& b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].type != b[i].type || a[i].der != b[i].der) {
      return false;
    }
  }
  return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<PemBlock> blocks = spire::crypto::decodePemBlocks(text);
  FUZZ_CHECK(blocks.size() <= size / 20 + 1, "a block needs at least its two marker lines");

  std::string all;
  for (const PemBlock& block : blocks) {
    FUZZ_CHECK(block.type.find('\n') == std::string::npos, "a type is on one line");
    std::string one = spire::crypto::encodePem(block.type, block.der);
    std::vector<PemBlock> again = spire::crypto::decodePemBlocks(one);
    FUZZ_CHECK(again.size() == 1, "an encoded block decodes to one block");
    FUZZ_CHECK(again[0].type == block.type && again[0].der == block.der,
               "an encoded block decodes to itself");
    all += one;
  }
  FUZZ_CHECK(sameBlocks(spire::crypto::decodePemBlocks(all), blocks),
             "re-encoded blocks decode to the same list");

  // Arbitrary bytes as a block body with a fixed type always survive the round trip.
  std::vector<PemBlock> raw =
      spire::crypto::decodePemBlocks(spire::crypto::encodePem("FUZZ DATA", text));
  FUZZ_CHECK(raw.size() == 1 && raw[0].type == "FUZZ DATA" && raw[0].der == text,
             "encodePem round trip");
  return 0;
}
