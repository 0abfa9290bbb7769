#pragma once

// Pre-made private keys from tests/testdata/x509/keys, for tests that need many RSA keys and
// would otherwise spend seconds generating them. Tests of key generation itself must not use
// these.

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "crypto/key.h"

namespace spire::testing {

// The n-th fixture key of a type: n is 1 or 2 (rsa-4096 has only 1).
inline crypto::EvpPkeyPtr fixtureKey(crypto::KeyType type, int n = 1) {
  const char* root = std::getenv("SPIRE_TESTDATA");
  if (root == nullptr) {
    throw std::runtime_error("SPIRE_TESTDATA is not set");
  }
  std::string path = std::string(root) + "/x509/keys/" + std::string(crypto::keyTypeName(type)) +
                     "-" + std::to_string(n) + ".pem";
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  Result<crypto::EvpPkeyPtr> key = crypto::parsePkcs8PrivateKeyPem(text.str());
  if (!key) {
    throw std::runtime_error("cannot load " + path + ": " + key.status().toString());
  }
  return std::move(*key);
}

} // namespace spire::testing
