#include "jwt/jwk.h"

#include <gtest/gtest.h>

#include "common/encoding.h"
#include "crypto/certificate_builder.h"
#include "crypto/key.h"
#include "jwt/jwt_test_util.h"

namespace spire::jwt {
namespace {

using nlohmann::ordered_json;
using testing::makeKey;
using testing::publicOf;

// RFC 7515 Appendix A.3's P-256 public key.
constexpr const char* kRfcX = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr const char* kRfcY = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

ordered_json rfcEcJwk() {
  return {{"kty", "EC"}, {"crv", "P-256"}, {"x", kRfcX}, {"y", kRfcY}};
}

void expectError(const ordered_json& jwk, StatusCode code, std::string_view message) {
  Result<Jwk> parsed = parseJwk(jwk);
  ASSERT_FALSE(parsed.isOk()) << jwk.dump();
  EXPECT_EQ(parsed.status().code(), code) << jwk.dump();
  EXPECT_EQ(parsed.status().message(), message) << jwk.dump();
}

class JwkRoundTripTest : public ::testing::TestWithParam<const char*> {};

TEST_P(JwkRoundTripTest, MarshalThenParseGivesTheSameKey) {
  crypto::EvpPkeyPtr key = makeKey(GetParam());
  PublicKey pub = publicOf(*key);
  Result<ordered_json> jwk = marshalJwk(*pub, "jwt-svid", "kid-1");
  ASSERT_TRUE(jwk.isOk()) << jwk.status().toString();
  EXPECT_EQ(jwk->begin().key(), "use"); // go-jose member order: use, kty, kid, ...
  EXPECT_EQ(std::next(jwk->begin()).key(), "kty");
  EXPECT_EQ(std::next(jwk->begin(), 2).key(), "kid");
  Result<Jwk> parsed = parseJwk(*jwk);
  ASSERT_TRUE(parsed.isOk()) << parsed.status().toString();
  EXPECT_EQ(parsed->use, "jwt-svid");
  EXPECT_EQ(parsed->kid, "kid-1");
  EXPECT_FALSE(parsed->has_private_part);
  EXPECT_TRUE(crypto::publicKeysEqual(*parsed->key, *key));
  // Serialising the parsed key again gives the same members.
  Result<ordered_json> again = marshalJwk(*parsed->key, "jwt-svid", "kid-1");
  ASSERT_TRUE(again.isOk());
  EXPECT_EQ(*again, *jwk);
}

INSTANTIATE_TEST_SUITE_P(AllKeyTypes, JwkRoundTripTest,
                         ::testing::Values("P-256", "P-384", "P-521", "RSA2048", "ED25519"));

TEST(JwkTest, EcCoordinatesAreFixedLength) {
  for (const auto& [kind, size] : {std::pair{"P-256", 32u}, {"P-384", 48u}, {"P-521", 66u}}) {
    crypto::EvpPkeyPtr key = makeKey(kind);
    Result<ordered_json> jwk = marshalJwk(*key);
    ASSERT_TRUE(jwk.isOk());
    EXPECT_EQ((*jwk)["crv"], kind);
    EXPECT_EQ(base64UrlDecode((*jwk)["x"].get<std::string>())->size(), size) << kind;
    EXPECT_EQ(base64UrlDecode((*jwk)["y"].get<std::string>())->size(), size) << kind;
    EXPECT_FALSE(jwk->contains("use"));
    EXPECT_FALSE(jwk->contains("kid"));
  }
}

TEST(JwkTest, ParsesRfc7515Key) {
  Result<Jwk> parsed = parseJwk(rfcEcJwk());
  ASSERT_TRUE(parsed.isOk()) << parsed.status().toString();
  EXPECT_EQ(ecCurveName(*parsed->key), "P-256");
  Result<ordered_json> back = marshalJwk(*parsed->key);
  ASSERT_TRUE(back.isOk());
  EXPECT_EQ(*back, rfcEcJwk()); // kty, crv, x, y in go-jose order
}

TEST(JwkTest, RsaMembersAreMinimalBigEndian) {
  Result<ordered_json> jwk = marshalJwk(testing::sharedRsaKey(), "", "r1");
  ASSERT_TRUE(jwk.isOk());
  EXPECT_EQ((*jwk)["e"], "AQAB");
  EXPECT_EQ(base64UrlDecode((*jwk)["n"].get<std::string>())->size(), 256u);
  EXPECT_EQ(jwk->dump().find("\"kty\":\"RSA\",\"kid\":\"r1\",\"n\":"), 1u);
}

TEST(JwkTest, PaddedBase64UrlIsTolerated) {
  ordered_json jwk = rfcEcJwk();
  jwk["x"] = std::string(kRfcX) + "=";
  EXPECT_TRUE(parseJwk(jwk).isOk());
}

TEST(JwkTest, PrivateMembersAreNoted) {
  crypto::EvpPkeyPtr key = makeKey("P-256");
  Result<ordered_json> jwk = marshalJwk(*key);
  ASSERT_TRUE(jwk.isOk());
  (*jwk)["d"] = "AAAA";
  Result<Jwk> parsed = parseJwk(*jwk);
  ASSERT_TRUE(parsed.isOk());
  EXPECT_TRUE(parsed->has_private_part);
}

TEST(JwkTest, EcErrors) {
  ordered_json jwk = rfcEcJwk();
  jwk.erase("y");
  expectError(jwk, StatusCode::kInvalidArgument,
              "go-jose/go-jose: invalid EC key, missing x/y values");

  jwk = rfcEcJwk();
  jwk["x"] = base64UrlEncode(std::string(31, 'a'));
  expectError(jwk, StatusCode::kInvalidArgument,
              "go-jose/go-jose: invalid EC public key, wrong length for x");

  jwk = rfcEcJwk();
  jwk["y"] = base64UrlEncode(std::string(33, 'a'));
  expectError(jwk, StatusCode::kInvalidArgument,
              "go-jose/go-jose: invalid EC public key, wrong length for y");

  jwk = rfcEcJwk();
  jwk["y"] = kRfcX; // (x, x) is not on P-256
  expectError(jwk, StatusCode::kInvalidArgument,
              "go-jose/go-jose: invalid EC key, X/Y are not on declared curve");

  jwk = rfcEcJwk();
  jwk["crv"] = "P-384"; // 32-byte coordinates do not fit P-384
  expectError(jwk, StatusCode::kInvalidArgument,
              "go-jose/go-jose: invalid EC public key, wrong length for x");

  jwk = rfcEcJwk();
  jwk["x"] = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHv$VEU";
  expectError(jwk, StatusCode::kInvalidArgument, "illegal base64 data at input byte 39");

  jwk = rfcEcJwk();
  jwk["x"] = 7;
  expectError(jwk, StatusCode::kInvalidArgument,
              "json: cannot unmarshal number into Go value of type string");
}

TEST(JwkTest, UnsupportedTypesAreUnimplemented) {
  ordered_json jwk = rfcEcJwk();
  jwk["crv"] = "secp256k1";
  expectError(jwk, StatusCode::kUnimplemented,
              "go-jose/go-jose: unsupported elliptic curve 'secp256k1'");
  expectError({{"kty", "oct"}, {"k", "AAAA"}}, StatusCode::kUnimplemented,
              "go-jose/go-jose: unknown json web key type 'oct'");
  expectError({{"kty", "AKP"}}, StatusCode::kUnimplemented,
              "go-jose/go-jose: unknown json web key type 'AKP'");
  expectError({{"use", "jwt-svid"}}, StatusCode::kUnimplemented,
              "go-jose/go-jose: unknown json web key type ''");
  expectError({{"kty", "OKP"}, {"crv", "X25519"}, {"x", "AAAA"}}, StatusCode::kUnimplemented,
              "go-jose/go-jose: unknown curve X25519'");
}

TEST(JwkTest, RsaErrors) {
  expectError({{"kty", "RSA"}, {"e", "AQAB"}}, StatusCode::kInvalidArgument,
              "go-jose/go-jose: invalid RSA key, missing n/e values");
  expectError({{"kty", "RSA"}, {"n", "AQAB"}, {"e", "Ag"}}, StatusCode::kInvalidArgument,
              "invalid RSA key, public exponent must be odd and in [3, 2^31)");
  expectError({{"kty", "RSA"}, {"n", "AAAA"}, {"e", "AQAB"}}, StatusCode::kInvalidArgument,
              "invalid RSA key, modulus must be a positive odd number");
}

TEST(JwkTest, MemberTypeErrors) {
  expectError(ordered_json::array(), StatusCode::kInvalidArgument,
              "json: cannot unmarshal array into Go value of type jose.rawJSONWebKey");
  ordered_json jwk = rfcEcJwk();
  jwk["kid"] = 5;
  expectError(jwk, StatusCode::kInvalidArgument,
              "json: cannot unmarshal number into Go struct field rawJSONWebKey.kid of type "
              "string");
  jwk = rfcEcJwk();
  jwk["x5c"] = "abc";
  expectError(jwk, StatusCode::kInvalidArgument,
              "json: cannot unmarshal string into Go struct field rawJSONWebKey.x5c of type "
              "[]string");
}

TEST(JwkTest, X5cCertificates) {
  crypto::EvpPkeyPtr key = makeKey("P-256");
  crypto::X509Shared cert = testing::makeCaCert(*key);
  Result<ordered_json> jwk = marshalJwk(*key, "x509-svid", "", {cert});
  ASSERT_TRUE(jwk.isOk());
  EXPECT_EQ(std::prev(jwk->end()).key(), "x5c");
  Result<Jwk> parsed = parseJwk(*jwk);
  ASSERT_TRUE(parsed.isOk()) << parsed.status().toString();
  ASSERT_EQ(parsed->certificates.size(), 1u);
  EXPECT_EQ(X509_cmp(parsed->certificates[0].get(), cert.get()), 0);

  // The JWK key must be the certificate's key.
  crypto::EvpPkeyPtr other = makeKey("P-256");
  Result<ordered_json> other_jwk = marshalJwk(*other);
  ASSERT_TRUE(other_jwk.isOk());
  ordered_json mismatched = *jwk;
  mismatched["x"] = (*other_jwk)["x"];
  mismatched["y"] = (*other_jwk)["y"];
  expectError(mismatched, StatusCode::kInvalidArgument,
              "go-jose/go-jose: invalid JWK, public keys in key and x5c fields do not match");

  ordered_json bad = *jwk;
  bad["x5c"] = {"!!!!"};
  expectError(bad, StatusCode::kInvalidArgument,
              "go-jose/go-jose: failed to unmarshal x5c field: illegal base64 data at input byte "
              "0");
  bad["x5c"] = {base64Encode("not a certificate")};
  expectError(bad, StatusCode::kInvalidArgument,
              "go-jose/go-jose: failed to unmarshal x5c field: x509: malformed certificate");
}

TEST(JwkTest, NullMembersCountAsAbsent) {
  ordered_json jwk = rfcEcJwk();
  jwk["kid"] = nullptr;
  jwk["use"] = nullptr;
  Result<Jwk> parsed = parseJwk(jwk);
  ASSERT_TRUE(parsed.isOk());
  EXPECT_EQ(parsed->kid, "");
}

} // namespace
} // namespace spire::jwt
