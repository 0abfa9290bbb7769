// Fuzz target: JWKS / JWT bundle parsing and single JWKs (jwt/jwt_bundle.h, jwt/jwk.h).
//
// Invariants: bundle failures are InvalidArgument with a message, JWK failures InvalidArgument
// or Unimplemented (unsupported key types); a parsed bundle serialises, in both styles, to a
// JWKS that parses back to an equal bundle, and serialising again gives the same bytes; a parsed
// JWK marshals to a JWK that parses back to the same public key, kid, use and certificates.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "crypto/certificate.h"
#include "crypto/key.h"
#include "fuzz/fuzz_check.h"
#include "jwt/jwk.h"
#include "jwt/jwt_bundle.h"
#include "spiffe/trust_domain.h"

namespace {

using spire::Result;
using spire::jwt::JwksStyle;
using spire::jwt::JwtBundle;

const spire::spiffe::TrustDomain& fuzzTd() {
  static const spire::spiffe::TrustDomain td =
      spire::spiffe::TrustDomain::parse("example.org").value();
  return td;
}

void checkBundle(const JwtBundle& bundle) {
  FUZZ_CHECK(bundle.trustDomain() == fuzzTd(), "the bundle keeps its trust domain");
  for (const auto& [kid, key] : bundle.authorities()) {
    FUZZ_CHECK(!kid.empty() && key != nullptr, "every authority has a kid and a key");
  }
  for (JwksStyle style : {JwksStyle::kCompact, JwksStyle::kSpireIndented}) {
    Result<std::string> jwks = bundle.toJwks(style);
    FUZZ_CHECK(jwks.isOk(), "a parsed bundle serialises");
    Result<JwtBundle> again = JwtBundle::parse(fuzzTd(), jwks.value());
    FUZZ_CHECK(again.isOk(), "the serialised bundle parses");
    FUZZ_CHECK(again->equals(bundle), "the serialised bundle parses to an equal bundle");
    Result<std::string> jwks_again = again->toJwks(style);
    FUZZ_CHECK(jwks_again.isOk() && jwks_again.value() == jwks.value(), "serialising is stable");
  }
}

std::vector<std::string> ders(const std::vector<spire::crypto::X509Shared>& certs) {
  std::vector<std::string> out;
  for (const auto& cert : certs) {
    out.push_back(spire::crypto::certificateToDer(*cert));
  }
  return out;
}

void fuzzJwk(const nlohmann::ordered_json& value) {
  Result<spire::jwt::Jwk> jwk = spire::jwt::parseJwk(value);
  if (!jwk.isOk()) {
    spire::StatusCode code = jwk.status().code();
    FUZZ_CHECK(code == spire::StatusCode::kInvalidArgument ||
                   code == spire::StatusCode::kUnimplemented,
               "JWK failures are InvalidArgument or Unimplemented");
    FUZZ_CHECK(!jwk.status().message().empty(), "a failure has a message");
    return;
  }
  FUZZ_CHECK(jwk->key != nullptr, "a parsed JWK has a key");
  Result<nlohmann::ordered_json> marshalled =
      spire::jwt::marshalJwk(*jwk->key, jwk->use, jwk->kid, jwk->certificates);
  FUZZ_CHECK(marshalled.isOk(), "a parsed JWK marshals");
  Result<spire::jwt::Jwk> again = spire::jwt::parseJwk(marshalled.value());
  FUZZ_CHECK(again.isOk(), "a marshalled JWK parses");
  FUZZ_CHECK(spire::crypto::publicKeysEqual(*again->key, *jwk->key), "same key");
  FUZZ_CHECK(again->kid == jwk->kid && again->use == jwk->use && again->kty == jwk->kty,
             "same kid, use and kty");
  FUZZ_CHECK(ders(again->certificates) == ders(jwk->certificates), "same certificates");
  FUZZ_CHECK(!again->has_private_part, "marshalJwk writes only the public key");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<JwtBundle> bundle = JwtBundle::parse(fuzzTd(), text);
  if (bundle.isOk()) {
    checkBundle(bundle.value());
  } else {
    FUZZ_CHECK(bundle.status().code() == spire::StatusCode::kInvalidArgument,
               "bundle failures are InvalidArgument");
    FUZZ_CHECK(bundle.status().message().starts_with("jwtbundle: "), "go-spiffe's prefix");
  }

  nlohmann::ordered_json json = nlohmann::ordered_json::parse(text, nullptr, false);
  if (json.is_discarded()) {
    return 0;
  }
  fuzzJwk(json);
  if (json.is_object() && json.contains("keys") && json["keys"].is_array()) {
    for (const auto& key : json["keys"]) {
      fuzzJwk(key);
    }
  }
  return 0;
}
