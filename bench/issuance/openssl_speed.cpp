#include "openssl_speed.h"

#include <array>
#include <cstdio>
#include <memory>
#include <sstream>

namespace spire::bench {

std::optional<EcdsaSpeed> measureOpensslEcdsaP256(int seconds, int multi) {
  std::string command = "openssl speed -seconds " + std::to_string(seconds);
  if (multi > 1) {
    command += " -multi " + std::to_string(multi);
  }
  command += " ecdsap256 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) {
    return std::nullopt;
  }
  std::string output;
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe.get()) != nullptr) {
    output += buffer.data();
  }
  // The summary line: " 256 bits ecdsa (nistp256)   0.0000s   0.0001s  36000.0  12000.0"
  // (sign time, verify time, sign/s, verify/s); with -multi the rates are the sum over workers.
  std::istringstream lines(output);
  std::string line;
  std::optional<EcdsaSpeed> result;
  while (std::getline(lines, line)) {
    auto at = line.find("(nistp256)");
    if (line.find("ecdsa") == std::string::npos || at == std::string::npos) {
      continue;
    }
    std::istringstream fields(line.substr(at + 10));
    std::string sign_time, verify_time;
    EcdsaSpeed speed;
    if (fields >> sign_time >> verify_time >> speed.sign_per_s >> speed.verify_per_s &&
        speed.sign_per_s > 0 && speed.verify_per_s > 0) {
      result = speed;
    }
  }
  return result;
}

} // namespace spire::bench
