// Fuzz target: PKCS#8 private keys and PKIX public keys, DER and PEM (core/crypto/key.h).
//
// A key that parses must marshal, the marshalled form must parse to a key with the same public
// part, and marshalling is stable (marshal(parse(marshal(k))) == marshal(k)). Failures carry a
// non-OK status with a message.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/key.h"
#include "fuzz/fuzz_check.h"

namespace {

using spire::Result;
using spire::crypto::EvpPkeyPtr;

void checkFailure(const spire::Status& status) {
  FUZZ_CHECK(!status.isOk(), "a failure has a non-OK status");
  FUZZ_CHECK(!status.message().empty(), "a failure has a message");
}

void checkPrivateKey(const EVP_PKEY& key) {
  Result<std::string> der = spire::crypto::marshalPkcs8PrivateKeyDer(key);
  FUZZ_CHECK(der.isOk(), "a parsed private key marshals");
  Result<EvpPkeyPtr> again = spire::crypto::parsePkcs8PrivateKeyDer(der.value());
  FUZZ_CHECK(again.isOk(), "marshalled PKCS#8 parses");
  FUZZ_CHECK(spire::crypto::publicKeysEqual(key, *again.value()), "same key after round trip");
  Result<std::string> der_again = spire::crypto::marshalPkcs8PrivateKeyDer(*again.value());
  FUZZ_CHECK(der_again.isOk() && der_again.value() == der.value(), "PKCS#8 marshalling is stable");

  Result<std::string> pem = spire::crypto::marshalPkcs8PrivateKeyPem(key);
  FUZZ_CHECK(pem.isOk(), "a parsed private key marshals to PEM");
  Result<EvpPkeyPtr> from_pem = spire::crypto::parsePkcs8PrivateKeyPem(pem.value());
  FUZZ_CHECK(from_pem.isOk() && spire::crypto::publicKeysEqual(key, *from_pem.value()),
             "PEM round trip");

  Result<std::string> pub = spire::crypto::marshalPublicKeyDer(key);
  FUZZ_CHECK(pub.isOk(), "the public half of a private key marshals");
  Result<EvpPkeyPtr> pub_key = spire::crypto::parsePublicKeyDer(pub.value());
  FUZZ_CHECK(pub_key.isOk() && spire::crypto::publicKeysEqual(key, *pub_key.value()),
             "the public half matches the private key");
}

void checkPublicKey(const EVP_PKEY& key) {
  Result<std::string> der = spire::crypto::marshalPublicKeyDer(key);
  FUZZ_CHECK(der.isOk(), "a parsed public key marshals");
  Result<EvpPkeyPtr> again = spire::crypto::parsePublicKeyDer(der.value());
  FUZZ_CHECK(again.isOk(), "marshalled SubjectPublicKeyInfo parses");
  FUZZ_CHECK(spire::crypto::publicKeysEqual(key, *again.value()), "same key after round trip");
  Result<std::string> der_again = spire::crypto::marshalPublicKeyDer(*again.value());
  FUZZ_CHECK(der_again.isOk() && der_again.value() == der.value(), "SPKI marshalling is stable");
  Result<std::string> pem = spire::crypto::marshalPublicKeyPem(key);
  FUZZ_CHECK(pem.isOk(), "a parsed public key marshals to PEM");
  Result<EvpPkeyPtr> from_pem = spire::crypto::parsePublicKeyPem(pem.value());
  FUZZ_CHECK(from_pem.isOk() && spire::crypto::publicKeysEqual(key, *from_pem.value()),
             "PEM round trip");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  if (Result<EvpPkeyPtr> key = spire::crypto::parsePkcs8PrivateKeyDer(input); key.isOk()) {
    checkPrivateKey(*key.value());
  } else {
    checkFailure(key.status());
  }
  if (Result<EvpPkeyPtr> key = spire::crypto::parsePkcs8PrivateKeyPem(input); key.isOk()) {
    checkPrivateKey(*key.value());
  } else {
    checkFailure(key.status());
  }
  if (Result<EvpPkeyPtr> key = spire::crypto::parsePublicKeyDer(input); key.isOk()) {
    checkPublicKey(*key.value());
  } else {
    checkFailure(key.status());
  }
  if (Result<EvpPkeyPtr> key = spire::crypto::parsePublicKeyPem(input); key.isOk()) {
    checkPublicKey(*key.value());
  } else {
    checkFailure(key.status());
  }
  return 0;
}
