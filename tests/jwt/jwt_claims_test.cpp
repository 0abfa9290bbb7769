#include "jwt/jwt_claims.h"

#include <gtest/gtest.h>

#include "jwt/jwt_test_util.h"

namespace spire::jwt {
namespace {

using testing::at;

std::string decodeError(std::string_view payload) {
  Result<RegisteredClaims> claims = decodeRegisteredClaims(payload);
  EXPECT_FALSE(claims.isOk()) << payload;
  return claims.isOk() ? "" : claims.status().message();
}

TEST(JwtClaimsDecodeTest, DecodesRegisteredClaims) {
  Result<RegisteredClaims> claims = decodeRegisteredClaims(
      R"({"iss":"i","sub":"s","aud":["a","b"],"exp":10,"nbf":5,"iat":6,"jti":"j","x":{}})");
  ASSERT_TRUE(claims.isOk()) << claims.status().toString();
  EXPECT_EQ(claims->issuer, "i");
  EXPECT_EQ(claims->subject, "s");
  EXPECT_EQ(claims->audience, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(claims->expiry, 10);
  EXPECT_EQ(claims->not_before, 5);
  EXPECT_EQ(claims->issued_at, 6);
  EXPECT_EQ(claims->id, "j");
}

TEST(JwtClaimsDecodeTest, SingleAudienceStringAndNulls) {
  Result<RegisteredClaims> claims =
      decodeRegisteredClaims(R"({"aud":"only","sub":null,"exp":null,"iat":1.9,"nbf":-1.9})");
  ASSERT_TRUE(claims.isOk());
  EXPECT_EQ(claims->audience, std::vector<std::string>{"only"});
  EXPECT_EQ(claims->subject, "");
  EXPECT_FALSE(claims->expiry.has_value());
  EXPECT_EQ(claims->issued_at, 1);   // truncated toward zero
  EXPECT_EQ(claims->not_before, -1); // likewise
  EXPECT_EQ(decodeRegisteredClaims("null")->subject, "");
}

TEST(JwtClaimsDecodeTest, Errors) {
  EXPECT_EQ(decodeError("[]"), "json: cannot unmarshal array into Go value of type jwt.Claims");
  EXPECT_EQ(decodeError(R"({"sub":5})"),
            "json: cannot unmarshal number into Go struct field Claims.sub of type string");
  EXPECT_EQ(decodeError(R"({"iss":true})"),
            "json: cannot unmarshal bool into Go struct field Claims.iss of type string");
  EXPECT_EQ(decodeError(R"({"aud":5})"),
            "go-jose/go-jose/jwt: expected string or array value to unmarshal to Audience");
  EXPECT_EQ(decodeError(R"({"aud":["a",1]})"),
            "go-jose/go-jose/jwt: expected string or array value to unmarshal to Audience");
  EXPECT_EQ(decodeError(R"({"aud":null})"),
            "go-jose/go-jose/jwt: expected string or array value to unmarshal to Audience");
  EXPECT_EQ(decodeError(R"({"exp":"10"})"),
            "go-jose/go-jose/jwt: expected number value to unmarshal to NumericDate");
  // A custom decoder's error stops decoding before an earlier plain type mismatch is reported.
  EXPECT_EQ(decodeError(R"({"sub":1,"exp":"x"})"),
            "go-jose/go-jose/jwt: expected number value to unmarshal to NumericDate");
  EXPECT_FALSE(decodeError("{").empty());
}

TEST(JwtClaimsValidateTest, AudienceComesFirst) {
  RegisteredClaims claims;
  claims.audience = {"a"};
  claims.expiry = 100;
  EXPECT_EQ(validateRegisteredClaims(claims, {"b"}, at(1000)), ClaimsCheck::kInvalidAudience);
  EXPECT_EQ(validateRegisteredClaims(claims, {"b", "a"}, at(100)), ClaimsCheck::kOk);
  EXPECT_EQ(validateRegisteredClaims(claims, {}, at(100)), ClaimsCheck::kOk);
  claims.audience.clear();
  EXPECT_EQ(validateRegisteredClaims(claims, {}, at(100)), ClaimsCheck::kOk);
  EXPECT_EQ(validateRegisteredClaims(claims, {"a"}, at(100)), ClaimsCheck::kInvalidAudience);
}

TEST(JwtClaimsValidateTest, LeewayBoundaries) {
  using std::chrono::nanoseconds;
  RegisteredClaims claims;
  claims.expiry = 1000;
  EXPECT_EQ(validateRegisteredClaims(claims, {}, at(1060)), ClaimsCheck::kOk);
  EXPECT_EQ(validateRegisteredClaims(claims, {}, at(1060) + nanoseconds(1)), ClaimsCheck::kExpired);
  claims = {};
  claims.not_before = 1000;
  EXPECT_EQ(validateRegisteredClaims(claims, {}, at(940)), ClaimsCheck::kOk);
  EXPECT_EQ(validateRegisteredClaims(claims, {}, at(940) - nanoseconds(1)),
            ClaimsCheck::kNotValidYet);
  claims = {};
  claims.issued_at = 1000;
  EXPECT_EQ(validateRegisteredClaims(claims, {}, at(940)), ClaimsCheck::kOk);
  EXPECT_EQ(validateRegisteredClaims(claims, {}, at(939)), ClaimsCheck::kIssuedInTheFuture);
  // nbf is checked before exp, exp before iat.
  claims.not_before = 5000;
  claims.expiry = 1;
  EXPECT_EQ(validateRegisteredClaims(claims, {}, at(939)), ClaimsCheck::kNotValidYet);
  claims.not_before.reset();
  EXPECT_EQ(validateRegisteredClaims(claims, {}, at(939)), ClaimsCheck::kExpired);
  // Custom leeway.
  claims = {};
  claims.expiry = 1000;
  EXPECT_EQ(validateRegisteredClaims(claims, {}, at(1001), std::chrono::seconds(0)),
            ClaimsCheck::kExpired);
}

TEST(JwtClaimsValidateTest, Messages) {
  EXPECT_EQ(claimsCheckMessage(ClaimsCheck::kExpired),
            "go-jose/go-jose/jwt: validation failed, token is expired (exp)");
  EXPECT_EQ(claimsCheckMessage(ClaimsCheck::kNotValidYet),
            "go-jose/go-jose/jwt: validation failed, token not valid yet (nbf)");
  EXPECT_EQ(claimsCheckMessage(ClaimsCheck::kIssuedInTheFuture),
            "go-jose/go-jose/jwt: validation field, token issued in the future (iat)");
  EXPECT_EQ(claimsCheckMessage(ClaimsCheck::kInvalidAudience),
            "go-jose/go-jose/jwt: validation failed, invalid audience claim (aud)");
}

} // namespace
} // namespace spire::jwt
