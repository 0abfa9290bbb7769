#pragma once

// A fixed EC P-256 key for the JWT fuzz targets, so that the seed tokens in corpus/jwt_svid/ and
// corpus/jws/ (written by tools/make_jwt_seeds.py) carry signatures that verify. It signs
// nothing but fuzz inputs.

#include <string_view>

#include "crypto/key.h"
#include "fuzz/fuzz_check.h"

namespace spire::fuzz {

inline constexpr std::string_view kFuzzKeyPem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgyCSxFX05IEv0p8SP
ngyJnUqqkaEZz/41VCV8IS24LXOhRANCAARrihU6zZZIEhue71vhCndVN2UxfEaU
KomPkKh/pPaG+C6Lf3vSVwTbLuMla1SB+LHmlK6GEx9osaNUqb2Btw3h
-----END PRIVATE KEY-----
)";

// The private key, parsed once.
inline const EVP_PKEY& fuzzPrivateKey() {
  static const crypto::EvpPkeyPtr key = [] {
    Result<crypto::EvpPkeyPtr> parsed = crypto::parsePkcs8PrivateKeyPem(kFuzzKeyPem);
    FUZZ_CHECK(parsed.isOk(), "the fixed fuzz key parses");
    return std::move(parsed).value();
  }();
  return *key;
}

// Its public half only, as a bundle would hold it.
inline crypto::EvpPkeyPtr fuzzPublicKey() {
  Result<std::string> der = crypto::marshalPublicKeyDer(fuzzPrivateKey());
  FUZZ_CHECK(der.isOk(), "the fixed fuzz key marshals");
  Result<crypto::EvpPkeyPtr> pub = crypto::parsePublicKeyDer(der.value());
  FUZZ_CHECK(pub.isOk(), "the fixed fuzz public key parses");
  return std::move(pub).value();
}

} // namespace spire::fuzz
