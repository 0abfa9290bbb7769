#pragma once
// The crypto floor of SVID issuance, measured by `openssl speed` on this machine in the same run:
// every SVID costs one CSR signature check and one signature, so the floor is
// 1 / (1/sign_rate + 1/verify_rate) SVIDs per second.
#include <optional>
#include <string>

namespace spire::bench {

struct EcdsaSpeed {
  double sign_per_s = 0;
  double verify_per_s = 0;
  double floor() const { return 1.0 / (1.0 / sign_per_s + 1.0 / verify_per_s); }
};

// Runs `openssl speed -seconds <s> [-multi <n>] ecdsap256` and parses its nistp256 line; nullopt
// when openssl is missing or prints something unexpected.
std::optional<EcdsaSpeed> measureOpensslEcdsaP256(int seconds, int multi);

} // namespace spire::bench
