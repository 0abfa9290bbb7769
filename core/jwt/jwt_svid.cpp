#include "jwt/jwt_svid.h"

#include <algorithm>

#include "jwt/go_compat.h"
#include "jwt/jwt_claims.h"

namespace spire::jwt {
namespace {

// What both reference validators share: the parsed token, its registered claims and subject.
struct ParsedToken {
  CompactJws jws;
  RegisteredClaims claims;
  spiffe::SpiffeId id;
};

Status fail(std::string message) {
  return invalidArgument(std::move(message));
}

std::string goSpiffeError(std::string_view text) {
  return "jwtsvid: " + std::string(text);
}

nlohmann::json claimsObject(std::string_view payload) {
  // Already decoded once as an object by decodeRegisteredClaims, so this cannot fail.
  nlohmann::json claims = nlohmann::json::parse(payload.begin(), payload.end(), nullptr, false);
  return claims.is_object() ? claims : nlohmann::json::object();
}

JwtSvid makeSvid(const ParsedToken& parsed, std::string_view token) {
  JwtSvid svid;
  svid.id = parsed.id;
  svid.audience = parsed.claims.audience;
  svid.expiry = std::chrono::sys_seconds(std::chrono::seconds(parsed.claims.expiry.value_or(0)));
  svid.claims = claimsObject(parsed.jws.payload);
  svid.token = std::string(token);
  return svid;
}

// go-spiffe's parse(): everything before and after the key lookup; `secure` adds the lookup and
// the signature check in between.
Result<JwtSvid> goSpiffeParse(std::string_view token, const JwtBundleSource* bundles,
                              const std::vector<std::string>& audience,
                              std::chrono::system_clock::time_point now) {
  ParsedToken parsed;
  Result<CompactJws> jws = parseCompactJws(token);
  if (!jws) {
    return fail(goSpiffeError("unable to parse JWT token")); // go-spiffe hides the detail
  }
  parsed.jws = std::move(jws).value();
  if (parsed.jws.typ) {
    const nlohmann::ordered_json& typ = *parsed.jws.typ;
    if (!typ.is_string() || (typ.get<std::string>() != "JWT" && typ.get<std::string>() != "JOSE")) {
      return fail(goSpiffeError("token header type not equal to either JWT or JOSE"));
    }
  }
  Result<RegisteredClaims> claims = decodeRegisteredClaims(parsed.jws.payload);
  if (!claims) {
    return fail(goSpiffeError("unable to get claims from token: " + claims.status().message()));
  }
  parsed.claims = std::move(claims).value();
  if (parsed.claims.subject.empty()) {
    return fail(goSpiffeError("token missing subject claim"));
  }
  if (!parsed.claims.expiry) {
    return fail(goSpiffeError("token missing exp claim"));
  }
  Result<spiffe::SpiffeId> id = spiffe::SpiffeId::parse(parsed.claims.subject);
  if (!id) {
    return fail(goSpiffeError("token has an invalid subject claim: " + id.status().message()));
  }
  parsed.id = std::move(id).value();

  if (bundles != nullptr) {
    const spiffe::TrustDomain& td = parsed.id.trustDomain();
    if (parsed.jws.kid.empty()) {
      return fail(goSpiffeError("token header missing key id"));
    }
    std::shared_ptr<const JwtBundle> bundle = bundles->jwtBundleFor(td);
    if (!bundle) {
      return fail(goSpiffeError("no bundle found for trust domain " + goQuote(td.name())));
    }
    PublicKey key = bundle->findAuthority(parsed.jws.kid);
    if (!key) {
      return fail(goSpiffeError("no JWT authority " + goQuote(parsed.jws.kid) +
                                " found for trust domain " + goQuote(td.name())));
    }
    if (Status st = verifyCompactJws(parsed.jws, *key); !st.isOk()) {
      return fail(goSpiffeError("unable to get claims from token: " + st.message()));
    }
  }

  switch (validateRegisteredClaims(parsed.claims, audience, now)) {
  case ClaimsCheck::kOk:
    return makeSvid(parsed, token);
  case ClaimsCheck::kExpired:
    return fail(goSpiffeError("token has expired"));
  case ClaimsCheck::kInvalidAudience:
    return fail(goSpiffeError("expected audience in " + goQuoteList(audience) +
                              " (audience=" + goQuoteList(parsed.claims.audience) + ")"));
  case ClaimsCheck::kNotValidYet:
    return fail(std::string(claimsCheckMessage(ClaimsCheck::kNotValidYet)));
  case ClaimsCheck::kIssuedInTheFuture:
    return fail(std::string(claimsCheckMessage(ClaimsCheck::kIssuedInTheFuture)));
  }
  return fail("unreachable");
}

} // namespace

Result<std::string> signJwtSvid(const JwtSvidParams& params, const EVP_PKEY& key,
                                std::string_view kid, std::optional<JwsAlgorithm> alg) {
  if (params.id.isZero()) {
    return fail("invalid JWT-SVID ID: cannot be empty");
  }
  std::vector<std::string> audience;
  std::copy_if(params.audience.begin(), params.audience.end(), std::back_inserter(audience),
               [](const std::string& a) { return !a.empty(); });
  if (audience.empty()) {
    return fail("invalid JWT-SVID audience: cannot be empty");
  }
  if (kid.empty()) {
    return fail("JWT-SVID signing key ID cannot be empty");
  }
  if (!params.extra_claims.is_object()) {
    return fail("extra JWT-SVID claims must be a JSON object");
  }
  if (!alg) {
    Result<JwsAlgorithm> chosen = defaultJwsAlgorithm(key);
    if (!chosen) {
      return chosen.status();
    }
    alg = *chosen;
  }

  // nlohmann::json keeps object members sorted by key, which is the order Go's encoding/json
  // writes a map in - so these bytes equal what go-jose signs for SPIRE.
  nlohmann::json claims = params.extra_claims;
  claims["sub"] = params.id.toString();
  claims["aud"] = audience;
  claims["exp"] = params.expiry.time_since_epoch().count();
  if (params.issued_at) {
    claims["iat"] = params.issued_at->time_since_epoch().count();
  }
  if (!params.issuer.empty()) {
    claims["iss"] = params.issuer;
  }
  nlohmann::json header = {
      {"alg", std::string(jwsAlgorithmName(*alg))}, {"kid", std::string(kid)}, {"typ", "JWT"}};
  return signCompactJws(goJsonDump(nlohmann::ordered_json(header)),
                        goJsonDump(nlohmann::ordered_json(claims)), *alg, key);
}

Result<JwtSvid> parseAndValidate(std::string_view token, const JwtBundleSource& bundles,
                                 const std::vector<std::string>& audience,
                                 std::chrono::system_clock::time_point now) {
  return goSpiffeParse(token, &bundles, audience, now);
}

Result<JwtSvid> parseInsecure(std::string_view token, const std::vector<std::string>& audience,
                              std::chrono::system_clock::time_point now) {
  return goSpiffeParse(token, nullptr, audience, now);
}

Result<JwtSvid> validateTokenSpire(std::string_view token, const JwtBundleSource& keys,
                                   const std::vector<std::string>& audience,
                                   std::chrono::system_clock::time_point now) {
  ParsedToken parsed;
  Result<CompactJws> jws = parseCompactJws(token);
  if (!jws) {
    return fail("unable to parse JWT token: " + jws.status().message());
  }
  parsed.jws = std::move(jws).value();
  // (SPIRE's "expected a single token header; got N" cannot happen with compact input.)
  if (parsed.jws.kid.empty()) {
    return fail("token header missing key id");
  }
  Result<RegisteredClaims> claims = decodeRegisteredClaims(parsed.jws.payload);
  if (!claims) {
    return fail(claims.status().message()); // SPIRE returns the decoder's error as is
  }
  parsed.claims = std::move(claims).value();
  if (parsed.claims.subject.empty()) {
    return fail("token missing subject claim");
  }
  if (!parsed.claims.expiry) {
    return fail("token missing exp claim");
  }
  Result<spiffe::SpiffeId> id = spiffe::SpiffeId::parse(parsed.claims.subject);
  if (!id) {
    return fail("token has in invalid subject claim: " + id.status().message()); // sic "in"
  }
  parsed.id = std::move(id).value();
  const spiffe::TrustDomain& td = parsed.id.trustDomain();
  std::shared_ptr<const JwtBundle> bundle = keys.jwtBundleFor(td);
  if (!bundle) {
    return fail("no keys found for trust domain " + goQuote(td.name()));
  }
  PublicKey key = bundle->findAuthority(parsed.jws.kid);
  if (!key) {
    return fail("public key " + goQuote(parsed.jws.kid) + " not found in trust domain " +
                goQuote(td.name()));
  }
  if (Status st = verifyCompactJws(parsed.jws, *key); !st.isOk()) {
    return st;
  }
  ClaimsCheck check = validateRegisteredClaims(parsed.claims, audience, now);
  switch (check) {
  case ClaimsCheck::kOk:
    return makeSvid(parsed, token);
  case ClaimsCheck::kExpired:
    return fail("token has expired");
  case ClaimsCheck::kInvalidAudience:
    return fail("expected audience in " + goQuoteList(audience) +
                " (audience=" + goQuoteList(parsed.claims.audience) + ")");
  case ClaimsCheck::kNotValidYet:
  case ClaimsCheck::kIssuedInTheFuture:
    break;
  }
  return fail(std::string(claimsCheckMessage(check))); // go-jose's text, unchanged
}

} // namespace spire::jwt
