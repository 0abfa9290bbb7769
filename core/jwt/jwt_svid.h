#pragma once

// JWT-SVIDs (standards/JWT-SVID.md): minting, and the two reference validators whose orders and
// error texts differ (spiffe-standards.md §3.1):
// - parseAndValidate / parseInsecure: go-spiffe's jwtsvid.ParseAndValidate / ParseInsecure,
//   every message prefixed "jwtsvid: " (except go-jose's nbf/iat texts, which go-spiffe passes
//   through unprefixed).
// - validateTokenSpire: SPIRE's pkg/common/jwtsvid.ValidateToken, which the agent's
//   ValidateJWTSVID uses: no prefix, no "typ" check, kid checked first, go-jose details kept.
// Time is always passed in, so callers (and tests) control it. Every failure is InvalidArgument.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "jwt/jws.h"
#include "jwt/jwt_bundle.h"
#include "spiffe/spiffe_id.h"

namespace spire::jwt {

struct JwtSvid {
  spiffe::SpiffeId id;                              // "sub"
  std::vector<std::string> audience;                // "aud"
  std::chrono::sys_seconds expiry;                  // "exp"
  nlohmann::json claims = nlohmann::json::object(); // every claim of the token
  std::string token;                                // the compact token, as given
};

// What to put in a new JWT-SVID. SPIRE's claim set is sub, aud (always a JSON array), exp, iat
// and, when configured, iss (pkg/server/credtemplate BuildWorkloadJWTSVIDClaims).
struct JwtSvidParams {
  spiffe::SpiffeId id;
  std::vector<std::string> audience; // empty values are dropped, as SPIRE does
  std::chrono::sys_seconds expiry;
  std::optional<std::chrono::sys_seconds> issued_at;
  std::string issuer; // "" -> no "iss"
  // More claims (an object). The registered claims above win over same-named extra ones.
  nlohmann::json extra_claims = nlohmann::json::object();
};

// Signs a JWT-SVID. The header is {"alg":..,"kid":..,"typ":"JWT"} and the claims are written with
// sorted keys - the bytes go-jose produces from SPIRE's claim map. `alg` defaults to
// defaultJwsAlgorithm(key) and must suit the key. Errors: zero ID, no audience, empty kid, a
// non-object extra_claims, key/algorithm mismatch.
Result<std::string> signJwtSvid(const JwtSvidParams& params, const EVP_PKEY& key,
                                std::string_view kid,
                                std::optional<JwsAlgorithm> alg = std::nullopt);

// go-spiffe jwtsvid.ParseAndValidate. `audience` empty skips the audience check (go-spiffe's
// behaviour; the SPIFFE spec wants a check, so callers should always pass one).
Result<JwtSvid> parseAndValidate(std::string_view token, const JwtBundleSource& bundles,
                                 const std::vector<std::string>& audience,
                                 std::chrono::system_clock::time_point now);

// go-spiffe jwtsvid.ParseInsecure: everything parseAndValidate checks except the key ID, the
// bundle and the signature.
Result<JwtSvid> parseInsecure(std::string_view token, const std::vector<std::string>& audience,
                              std::chrono::system_clock::time_point now);

// SPIRE pkg/common/jwtsvid.ValidateToken. The bundle source plays SPIRE's KeyStore: no bundle
// gives `no keys found for trust domain "<td>"`, an unknown kid
// `public key "<kid>" not found in trust domain "<td>"`.
Result<JwtSvid> validateTokenSpire(std::string_view token, const JwtBundleSource& keys,
                                   const std::vector<std::string>& audience,
                                   std::chrono::system_clock::time_point now);

} // namespace spire::jwt
