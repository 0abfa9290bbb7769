#pragma once

// JSON Web Keys (RFC 7517/7518) for the public keys SPIFFE bundles carry: EC P-256/P-384/P-521
// ("kty":"EC", fixed-length "x"/"y"), RSA ("n","e") and Ed25519 ("kty":"OKP"). Parsing follows
// go-jose's JSONWebKey.UnmarshalJSON (which go-spiffe uses), with go-jose's error texts, so a
// bundle rejected by SPIRE is rejected here with the same words.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "crypto/openssl_ptr.h"

namespace spire::jwt {

// A public key shared between bundles, bundle copies and verifiers (bundles are copied often and
// keys never change, so sharing is cheaper than EVP_PKEY_dup).
using PublicKey = std::shared_ptr<EVP_PKEY>;
PublicKey sharePublicKey(crypto::EvpPkeyPtr key);

// A parsed JWK. `key` holds only the public half, even when the JWK carried private parameters
// (`has_private_part` tells; go-jose would load the private key, nothing in SPIFFE needs it).
struct Jwk {
  std::string kty;
  std::string use;
  std::string kid;
  std::string alg;
  PublicKey key;
  std::vector<crypto::X509Shared> certificates; // "x5c", leaf first
  bool has_private_part = false;
};

// Parses one JWK object. Errors:
// - Unimplemented: a key type or curve we do not support ("kty" other than EC/RSA/OKP, curves
//   other than P-256/P-384/P-521/Ed25519, symmetric "oct" keys). JWK Set readers skip these, as
//   RFC 7517 §5 asks and go-jose v4's JSONWebKeySet does.
// - InvalidArgument: anything malformed (wrong member types, bad base64url, wrong coordinate
//   length, point not on the curve, x5c not a certificate, x5c key differs from the JWK key).
Result<Jwk> parseJwk(const nlohmann::ordered_json& value);

// The key members of a public key in go-jose's field order: "kty", then "crv","x","y" (EC,
// coordinates padded to the curve size) or "n","e" (RSA, minimal big-endian) or "crv","x" (OKP).
// `use` and `kid` are added when non-empty, "use" first and "kid" after "kty", and `certificates`
// become "x5c" (standard base64 DER), last - the member order of go-jose's MarshalJSON.
Result<nlohmann::ordered_json> marshalJwk(const EVP_PKEY& key, std::string_view use = {},
                                          std::string_view kid = {},
                                          const std::vector<crypto::X509Shared>& certificates = {});

// Builds public keys from raw JWK parameters (already base64url-decoded). EC coordinates must be
// exactly the curve size; the point must be on the curve. `curve` is "P-256", "P-384", "P-521".
Result<PublicKey> ecPublicKeyFromCoordinates(std::string_view curve, std::string_view x,
                                             std::string_view y);
Result<PublicKey> rsaPublicKeyFromParameters(std::string_view n, std::string_view e);
Result<PublicKey> ed25519PublicKeyFromBytes(std::string_view x);

// "P-256", "P-384", "P-521" for EC keys on those curves; "" otherwise.
std::string ecCurveName(const EVP_PKEY& key);
// Bytes per coordinate (32, 48, 66) for the curves above; 0 otherwise.
std::size_t ecCoordinateSize(std::string_view curve);

} // namespace spire::jwt
