#include "jwt/jwt_claims.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "jwt/go_compat.h"

namespace spire::jwt {
namespace {

constexpr std::string_view kErrAudience =
    "go-jose/go-jose/jwt: expected string or array value to unmarshal to Audience";
constexpr std::string_view kErrNumericDate =
    "go-jose/go-jose/jwt: expected number value to unmarshal to NumericDate";

// Go's float64 -> int64 conversion: truncation; out-of-range values give the minimum int64 on
// the amd64/arm64 targets SPIRE ships for.
int64_t goFloatToInt64(double value) {
  constexpr double kLimit = 9223372036854775808.0; // 2^63
  if (std::isnan(value) || value >= kLimit || value < -kLimit) {
    return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(value);
}

using Nanos = __int128;

Nanos toNanos(int64_t seconds) {
  return static_cast<Nanos>(seconds) * 1000000000;
}

} // namespace

Result<RegisteredClaims> decodeRegisteredClaims(std::string_view payload) {
  Result<nlohmann::ordered_json> doc = parseJsonText(payload);
  if (!doc) {
    return doc.status();
  }
  RegisteredClaims claims;
  if (doc->is_null()) {
    return claims;
  }
  if (!doc->is_object()) {
    return invalidArgument(goUnmarshalTypeError(*doc, "jwt.Claims"));
  }
  // Like encoding/json: a type mismatch on a plain field is remembered and reported at the end,
  // an error from a custom decoder (Audience, NumericDate) stops decoding at once.
  std::optional<Status> type_error;
  for (const auto& [name, v] : doc->items()) {
    std::string* text_field = nullptr;
    std::optional<int64_t>* date_field = nullptr;
    if (name == "iss") {
      text_field = &claims.issuer;
    } else if (name == "sub") {
      text_field = &claims.subject;
    } else if (name == "jti") {
      text_field = &claims.id;
    } else if (name == "exp") {
      date_field = &claims.expiry;
    } else if (name == "nbf") {
      date_field = &claims.not_before;
    } else if (name == "iat") {
      date_field = &claims.issued_at;
    } else if (name == "aud") {
      // Audience.UnmarshalJSON runs even for null, and refuses it.
      if (v.is_string()) {
        claims.audience = {v.get<std::string>()};
      } else if (v.is_array()) {
        std::vector<std::string> audience;
        for (const auto& item : v) {
          if (!item.is_string()) {
            return invalidArgument(std::string(kErrAudience));
          }
          audience.push_back(item.get<std::string>());
        }
        claims.audience = std::move(audience);
      } else {
        return invalidArgument(std::string(kErrAudience));
      }
      continue;
    } else {
      continue;
    }
    if (v.is_null()) {
      if (date_field != nullptr) {
        date_field->reset();
      }
      continue;
    }
    if (text_field != nullptr) {
      if (v.is_string()) {
        *text_field = v.get<std::string>();
      } else if (!type_error) {
        type_error = invalidArgument(goUnmarshalFieldError(v, "Claims." + name, "string"));
      }
    } else if (date_field != nullptr) {
      if (!v.is_number()) {
        return invalidArgument(std::string(kErrNumericDate));
      }
      *date_field = goFloatToInt64(v.get<double>()); // Go parses the number as a float64
    }
  }
  if (type_error) {
    return *type_error;
  }
  return claims;
}

ClaimsCheck validateRegisteredClaims(const RegisteredClaims& claims,
                                     const std::vector<std::string>& any_audience,
                                     std::chrono::system_clock::time_point now,
                                     std::chrono::seconds leeway) {
  if (!any_audience.empty()) {
    bool match = std::any_of(any_audience.begin(), any_audience.end(), [&](const std::string& a) {
      return std::find(claims.audience.begin(), claims.audience.end(), a) != claims.audience.end();
    });
    if (!match) {
      return ClaimsCheck::kInvalidAudience;
    }
  }
  Nanos now_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  Nanos leeway_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(leeway).count();
  if (claims.not_before && now_ns + leeway_ns < toNanos(*claims.not_before)) {
    return ClaimsCheck::kNotValidYet;
  }
  if (claims.expiry && now_ns - leeway_ns > toNanos(*claims.expiry)) {
    return ClaimsCheck::kExpired;
  }
  if (claims.issued_at && now_ns + leeway_ns < toNanos(*claims.issued_at)) {
    return ClaimsCheck::kIssuedInTheFuture;
  }
  return ClaimsCheck::kOk;
}

std::string_view claimsCheckMessage(ClaimsCheck check) {
  switch (check) {
  case ClaimsCheck::kOk:
    return "";
  case ClaimsCheck::kInvalidAudience:
    return "go-jose/go-jose/jwt: validation failed, invalid audience claim (aud)";
  case ClaimsCheck::kNotValidYet:
    return "go-jose/go-jose/jwt: validation failed, token not valid yet (nbf)";
  case ClaimsCheck::kExpired:
    return "go-jose/go-jose/jwt: validation failed, token is expired (exp)";
  case ClaimsCheck::kIssuedInTheFuture:
    return "go-jose/go-jose/jwt: validation field, token issued in the future (iat)"; // sic
  }
  return "";
}

} // namespace spire::jwt
