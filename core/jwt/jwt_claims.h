#pragma once

// The registered JWT claims (RFC 7519 §4.1) decoded and checked exactly as go-jose v4's
// jwt.Claims and Claims.ValidateWithLeeway do, since both go-spiffe and SPIRE validate JWT-SVIDs
// through them (spiffe-standards.md §3.1 step 6).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace spire::jwt {

// go-jose's DefaultLeeway.
inline constexpr std::chrono::seconds kDefaultLeeway{60};

struct RegisteredClaims {
  std::string issuer;                // "iss"
  std::string subject;               // "sub"
  std::vector<std::string> audience; // "aud": a string becomes a one-element list
  std::optional<int64_t> expiry;     // "exp", seconds since the epoch
  std::optional<int64_t> not_before; // "nbf"
  std::optional<int64_t> issued_at;  // "iat"
  std::string id;                    // "jti"
};

// Decodes the JWT payload like encoding/json into go-jose's Claims: null members count as
// absent; a string member of another type fails with
// "json: cannot unmarshal number into Go struct field Claims.sub of type string"; a bad "aud"
// fails with "go-jose/go-jose/jwt: expected string or array value to unmarshal to Audience" and a
// non-number date with "go-jose/go-jose/jwt: expected number value to unmarshal to NumericDate".
// Fractional dates are truncated toward zero, as Go converts float64 to int64.
Result<RegisteredClaims> decodeRegisteredClaims(std::string_view payload);

// The outcome of go-jose's Validate, in its check order: audience, nbf, exp, iat.
enum class ClaimsCheck { kOk, kInvalidAudience, kNotValidYet, kExpired, kIssuedInTheFuture };

// `any_audience` empty skips the audience check (go-jose's AnyAudience); otherwise one of its
// values must be in the token's audience. Times are compared at full precision with `leeway`.
ClaimsCheck validateRegisteredClaims(const RegisteredClaims& claims,
                                     const std::vector<std::string>& any_audience,
                                     std::chrono::system_clock::time_point now,
                                     std::chrono::seconds leeway = kDefaultLeeway);

// go-jose's error text for a failed check, e.g.
// "go-jose/go-jose/jwt: validation failed, token is expired (exp)".
std::string_view claimsCheckMessage(ClaimsCheck check);

} // namespace spire::jwt
