#pragma once

// JWS Compact Serialization (RFC 7515) restricted to the algorithms JWT-SVIDs may use. Parsing
// mirrors go-jose v4's ParseSignedCompact and verification its Verify, including their error
// texts, because SPIRE passes those texts through to API callers.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "crypto/openssl_ptr.h"

namespace spire::jwt {

// RFC 7518 §3.3-3.5, the only algorithms the JWT-SVID standard allows.
enum class JwsAlgorithm { kRs256, kRs384, kRs512, kEs256, kEs384, kEs512, kPs256, kPs384, kPs512 };

// "RS256", "ES384", ...
std::string_view jwsAlgorithmName(JwsAlgorithm alg);
// Exact, case-sensitive; nullopt for anything else (HS256, none, EdDSA, "es256"...).
std::optional<JwsAlgorithm> parseJwsAlgorithm(std::string_view name);
// The allowed names in SPIRE's AllowedSignatureAlgorithms order (ES*, RS*, PS*).
const std::vector<std::string>& allowedJwsAlgorithmNames();

// The algorithm that suits a signing key: ES256/ES384/ES512 for P-256/P-384/P-521 keys, RS256
// for RSA keys (SPIRE's choice). InvalidArgument for other keys.
Result<JwsAlgorithm> defaultJwsAlgorithm(const EVP_PKEY& key);
// OK when `key` can sign or verify `alg`: the EC curve must be the algorithm's, RSA for RS/PS.
// `for_signing` also requires RSA keys of at least 2048 bits (RFC 7518 §3.3, §3.5); verification
// accepts smaller ones, as go-jose does.
Status checkKeyForAlgorithm(const EVP_PKEY& key, JwsAlgorithm alg, bool for_signing);

// go-jose's error for a bad signature, with its prefix: ErrCryptoFailure.
inline constexpr std::string_view kErrCryptoFailure =
    "go-jose/go-jose: error in cryptographic primitive";

// A parsed compact JWS whose signature is not yet checked.
struct CompactJws {
  nlohmann::ordered_json header; // the protected header object (empty object if there was none)
  std::string protected_bytes;   // decoded protected header
  std::string payload;           // decoded payload
  std::string signature;         // decoded signature
  JwsAlgorithm alg = JwsAlgorithm::kEs256;
  std::string kid; // "" when absent or null
  // The "typ" member, if present and not null (any JSON type).
  std::optional<nlohmann::ordered_json> typ;
};

// go-jose ParseSignedCompact with the JWT-SVID algorithm list. Error texts are go-jose's, e.g.
// "go-jose/go-jose: compact JWS format must have three parts",
// "illegal base64 data at input byte 4",
// `unexpected signature algorithm "HS256"; expected ["ES256" ... "PS512"]`.
Result<CompactJws> parseCompactJws(std::string_view token);

// go-jose Verify: OK, or InvalidArgument kErrCryptoFailure for any signature problem (wrong key
// type or curve for the algorithm, wrong signature length, bad signature, unsupported "crit").
Status verifyCompactJws(const CompactJws& jws, const EVP_PKEY& key);

// Signs `payload` with `header_json` (serialised verbatim as the protected header) and returns
// the compact serialisation. ECDSA signatures are emitted in JOSE's fixed-size r||s form.
Result<std::string> signCompactJws(std::string_view header_json, std::string_view payload,
                                   JwsAlgorithm alg, const EVP_PKEY& key);

} // namespace spire::jwt
