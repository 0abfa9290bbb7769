// Fuzz target: JWT-SVID validation, go-spiffe's and SPIRE's (jwt/jwt_svid.h), and minting.
//
// The clock is fixed at 2026-01-01T00:00:00Z and the bundle of example.org holds the fixed fuzz
// key under kid "fuzzkid" (fuzz_keys.h), so seed tokens can pass every check.
// Invariants: failures are InvalidArgument with a message (go-spiffe's with its "jwtsvid: " or
// go-jose's prefix); a success has a non-zero ID in a trust domain, the expected audience, an
// expiry not in the past beyond the leeway, and "sub" among its claims; whatever
// parseAndValidate accepts, parseInsecure accepts with the same result; and a JWT-SVID we sign
// from fuzz-chosen audience and path validates back to the same ID, audience and expiry.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_keys.h"
#include "fuzz/fuzz_utf8.h"
#include "jwt/jwk.h"
#include "jwt/jwt_bundle.h"
#include "jwt/jwt_svid.h"
#include "spiffe/spiffe_id.h"

namespace {

using spire::Result;
using spire::jwt::JwtSvid;

constexpr std::chrono::sys_seconds kNow{std::chrono::seconds(1767225600)};
const std::vector<std::string> kAudience = {"fuzz-aud"};

const spire::jwt::JwtBundleSet& bundles() {
  static const spire::jwt::JwtBundleSet set = [] {
    spire::jwt::JwtBundle bundle(spire::spiffe::TrustDomain::parse("example.org").value());
    spire::Status added =
        bundle.addAuthority("fuzzkid", spire::jwt::sharePublicKey(spire::fuzz::fuzzPublicKey()));
    FUZZ_CHECK(added.isOk(), "the fuzz bundle takes the fuzz key");
    spire::jwt::JwtBundleSet out;
    out.add(std::move(bundle));
    return out;
  }();
  return set;
}

void checkFailure(const spire::Status& status, bool go_spiffe) {
  FUZZ_CHECK(status.code() == spire::StatusCode::kInvalidArgument, "failures are InvalidArgument");
  FUZZ_CHECK(!status.message().empty(), "a failure has a message");
  if (go_spiffe) {
    FUZZ_CHECK(status.message().starts_with("jwtsvid: ") ||
                   status.message().starts_with("go-jose/go-jose/jwt: "),
               "go-spiffe's errors carry its prefix or go-jose's");
  }
}

void checkSuccess(const JwtSvid& svid, std::string_view token) {
  FUZZ_CHECK(!svid.id.isZero(), "a valid token has a subject");
  FUZZ_CHECK(svid.token == token, "the token is kept as given");
  bool has_audience = false;
  for (const std::string& aud : svid.audience) {
    has_audience = has_audience || aud == kAudience[0];
  }
  FUZZ_CHECK(has_audience, "the expected audience is present");
  FUZZ_CHECK(svid.expiry >= kNow - std::chrono::minutes(1), "not expired beyond the leeway");
  FUZZ_CHECK(svid.claims.is_object() && svid.claims.contains("sub"), "the claims carry sub");
}

bool sameSvid(const JwtSvid& a, const JwtSvid& b) {
  return a.id == b.id && a.audience == b.audience && a.expiry == b.expiry && a.token == b.token;
}

void fuzzValidation(std::string_view token) {
  auto now = std::chrono::system_clock::time_point(kNow);
  Result<JwtSvid> insecure = spire::jwt::parseInsecure(token, kAudience, now);
  Result<JwtSvid> validated = spire::jwt::parseAndValidate(token, bundles(), kAudience, now);
  Result<JwtSvid> spire_validated =
      spire::jwt::validateTokenSpire(token, bundles(), kAudience, now);
  insecure.isOk() ? checkSuccess(insecure.value(), token) : checkFailure(insecure.status(), true);
  validated.isOk() ? checkSuccess(validated.value(), token)
                   : checkFailure(validated.status(), true);
  spire_validated.isOk() ? checkSuccess(spire_validated.value(), token)
                         : checkFailure(spire_validated.status(), false);
  if (validated.isOk()) {
    FUZZ_CHECK(insecure.isOk() && sameSvid(insecure.value(), validated.value()),
               "parseInsecure accepts what parseAndValidate accepts, with the same result");
    FUZZ_CHECK(validated->id.memberOf(spire::spiffe::TrustDomain::parse("example.org").value()),
               "only example.org has a bundle");
  }
}

// Mints a token whose path segment and second audience come from the input.
void fuzzMinting(std::string_view input) {
  std::size_t split = input.find('\n');
  std::string_view segment = input.substr(0, split);
  std::string_view extra_aud = split == std::string_view::npos ? "" : input.substr(split + 1);
  spire::jwt::JwtSvidParams params;
  Result<spire::spiffe::SpiffeId> id = spire::spiffe::SpiffeId::fromSegments(
      spire::spiffe::TrustDomain::parse("example.org").value(), {segment});
  if (!id.isOk()) {
    return;
  }
  params.id = id.value();
  params.audience = {kAudience[0], std::string(extra_aud)};
  params.expiry = kNow + std::chrono::hours(1);
  params.issued_at = kNow;
  Result<std::string> token =
      spire::jwt::signJwtSvid(params, spire::fuzz::fuzzPrivateKey(), "fuzzkid");
  FUZZ_CHECK(token.isOk(), "a JWT-SVID with a valid ID and an audience signs");
  auto now = std::chrono::system_clock::time_point(kNow);
  Result<JwtSvid> back = spire::jwt::parseAndValidate(token.value(), bundles(), kAudience, now);
  FUZZ_CHECK(back.isOk(), "our JWT-SVID validates (go-spiffe)");
  FUZZ_CHECK(back->id == params.id && back->expiry == params.expiry, "same ID and expiry");
  std::vector<std::string> want = {kAudience[0]};
  if (!extra_aud.empty()) {
    want.push_back(std::string(extra_aud));
  }
  if (spire::fuzz::isValidUtf8(extra_aud)) {
    FUZZ_CHECK(back->audience == want, "same audience, empty values dropped");
  } else {
    // Invalid UTF-8 is replaced in the JSON claims, as Go's encoder does.
    FUZZ_CHECK(back->audience.size() == want.size() && back->audience[0] == want[0],
               "same audience count; invalid UTF-8 replaced");
  }
  Result<JwtSvid> spire_back =
      spire::jwt::validateTokenSpire(token.value(), bundles(), kAudience, now);
  FUZZ_CHECK(spire_back.isOk() && spire_back->id == params.id, "our JWT-SVID validates (SPIRE)");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzzValidation(text);
  fuzzMinting(text);
  return 0;
}
