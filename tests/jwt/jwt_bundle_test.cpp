#include "jwt/jwt_bundle.h"

#include <gtest/gtest.h>

#include "crypto/key.h"
#include "jwt/go_compat.h"
#include "jwt/jwt_test_util.h"

namespace spire::jwt {
namespace {

using nlohmann::ordered_json;
using testing::makeKey;
using testing::publicOf;

spiffe::TrustDomain td(std::string_view name = "example.org") {
  return *spiffe::TrustDomain::parse(name);
}

std::string jwkText(const EVP_PKEY& key, std::string_view kid, std::string_view use = {}) {
  return goJsonDump(*marshalJwk(key, use, kid));
}

void expectParseError(std::string_view jwks, std::string_view message) {
  Result<JwtBundle> bundle = JwtBundle::parse(td(), jwks);
  ASSERT_FALSE(bundle.isOk()) << jwks;
  EXPECT_EQ(bundle.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bundle.status().message(), message) << jwks;
}

TEST(JwtBundleTest, ParsesKeysWhateverTheirUse) {
  crypto::EvpPkeyPtr k1 = makeKey("P-256");
  crypto::EvpPkeyPtr k2 = makeKey("P-384");
  std::string jwks = R"({"keys":[)" + jwkText(*k1, "kid-1", "jwt-svid") + "," +
                     jwkText(*k2, "kid-2") + "," + jwkText(testing::sharedRsaKey(), "kid-3", "x") +
                     R"(],"spiffe_sequence":3})";
  Result<JwtBundle> bundle = JwtBundle::parse(td(), jwks);
  ASSERT_TRUE(bundle.isOk()) << bundle.status().toString();
  EXPECT_EQ(bundle->trustDomain(), td());
  ASSERT_EQ(bundle->authorities().size(), 3u);
  EXPECT_TRUE(crypto::publicKeysEqual(*bundle->findAuthority("kid-1"), *k1));
  EXPECT_TRUE(crypto::publicKeysEqual(*bundle->findAuthority("kid-2"), *k2));
  EXPECT_TRUE(bundle->hasAuthority("kid-3"));
  EXPECT_EQ(bundle->findAuthority("nope"), nullptr);
}

TEST(JwtBundleTest, MissingOrNullKeysIsAnEmptyBundle) {
  for (std::string_view doc : {"{}", R"({"keys":null})", R"({"keys":[]})", "null"}) {
    Result<JwtBundle> bundle = JwtBundle::parse(td(), doc);
    ASSERT_TRUE(bundle.isOk()) << doc << ": " << bundle.status().toString();
    EXPECT_TRUE(bundle->empty());
  }
}

TEST(JwtBundleTest, UnsupportedKeysAreSkippedAndIndexesCountKeptKeys) {
  crypto::EvpPkeyPtr k1 = makeKey("P-256");
  std::string jwks = R"({"keys":[{"kty":"oct","k":"AAAA"},)" + jwkText(*k1, "a") +
                     R"(,{"kty":"AKP","kid":"pq"},)" + jwkText(*k1, "") + "]}";
  // The empty kid sits at position 3 of the document but is the second key go-jose keeps.
  expectParseError(jwks, "jwtbundle: error adding authority 1 of JWKS: keyID cannot be empty");

  jwks = R"({"keys":[{"kty":"oct","k":"AAAA"},)" + jwkText(*k1, "a") + "]}";
  Result<JwtBundle> bundle = JwtBundle::parse(td(), jwks);
  ASSERT_TRUE(bundle.isOk());
  EXPECT_EQ(bundle->authorities().size(), 1u);
}

TEST(JwtBundleTest, ParseErrors) {
  Result<JwtBundle> bad_json = JwtBundle::parse(td(), "{");
  ASSERT_FALSE(bad_json.isOk());
  EXPECT_EQ(bad_json.status().message().rfind("jwtbundle: unable to parse JWKS: ", 0), 0u);

  expectParseError("[]", "jwtbundle: unable to parse JWKS: json: cannot unmarshal array into Go "
                         "value of type jose.JSONWebKeySet");
  expectParseError(R"({"keys":{}})",
                   "jwtbundle: unable to parse JWKS: json: cannot unmarshal object into Go struct "
                   "field JSONWebKeySet.keys of type []jose.JSONWebKey");
  expectParseError(R"({"keys":[{"kty":"EC","crv":"P-256","kid":"k"}]})",
                   "jwtbundle: unable to parse JWKS: go-jose/go-jose: invalid EC key, missing x/y "
                   "values");
  crypto::EvpPkeyPtr k1 = makeKey("P-256");
  expectParseError(R"({"keys":[)" + jwkText(*k1, "") + "]}",
                   "jwtbundle: error adding authority 0 of JWKS: keyID cannot be empty");
}

TEST(JwtBundleTest, Crud) {
  JwtBundle bundle(td());
  crypto::EvpPkeyPtr k1 = makeKey("P-256");
  Status empty_kid = bundle.addAuthority("", publicOf(*k1));
  EXPECT_EQ(empty_kid.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(empty_kid.message(), "jwtbundle: keyID cannot be empty");

  ASSERT_TRUE(bundle.addAuthority("key-1", publicOf(*k1)).isOk());
  EXPECT_TRUE(bundle.hasAuthority("key-1"));
  crypto::EvpPkeyPtr k2 = makeKey("P-256");
  ASSERT_TRUE(bundle.addAuthority("key-1", publicOf(*k2)).isOk()); // replaces
  EXPECT_TRUE(crypto::publicKeysEqual(*bundle.findAuthority("key-1"), *k2));
  EXPECT_EQ(bundle.authorities().size(), 1u);
  bundle.removeAuthority("absent"); // no-op
  bundle.removeAuthority("key-1");
  EXPECT_TRUE(bundle.empty());
}

TEST(JwtBundleTest, SerialisesAsPlainJwks) {
  // A fixed key so the exact bytes can be checked (RFC 7515 A.3).
  std::string jwk =
      R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
      R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"k1","use":"jwt-svid"})";
  Result<JwtBundle> bundle = JwtBundle::parse(td(), R"({"keys":[)" + jwk + "]}");
  ASSERT_TRUE(bundle.isOk()) << bundle.status().toString();
  EXPECT_EQ(*bundle->toJwks(), R"({"keys":[{"kty":"EC","kid":"k1","crv":"P-256",)"
                               R"("x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
                               R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]})");
  EXPECT_EQ(*bundle->toJwks(JwksStyle::kSpireIndented),
            "{\n"
            "    \"keys\": [\n"
            "        {\n"
            "            \"kty\": \"EC\",\n"
            "            \"kid\": \"k1\",\n"
            "            \"crv\": \"P-256\",\n"
            "            \"x\": \"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\n"
            "            \"y\": \"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"\n"
            "        }\n"
            "    ]\n"
            "}");
  EXPECT_EQ(*JwtBundle(td()).toJwks(), R"({"keys":[]})");
}

TEST(JwtBundleTest, RoundTripsEveryKeyType) {
  JwtBundle bundle(td());
  for (const char* kind : {"P-256", "P-384", "P-521", "ED25519"}) {
    ASSERT_TRUE(bundle.addAuthority(std::string("kid-") + kind, publicOf(*makeKey(kind))).isOk());
  }
  ASSERT_TRUE(bundle.addAuthority("kid-rsa", publicOf(testing::sharedRsaKey())).isOk());
  for (JwksStyle style : {JwksStyle::kCompact, JwksStyle::kSpireIndented}) {
    Result<std::string> text = bundle.toJwks(style);
    ASSERT_TRUE(text.isOk());
    Result<JwtBundle> again = JwtBundle::parse(td(), *text);
    ASSERT_TRUE(again.isOk()) << again.status().toString();
    EXPECT_TRUE(again->equals(bundle));
  }
  JwtBundle other(td("other.org"));
  other.setAuthorities(bundle.authorities());
  EXPECT_FALSE(other.equals(bundle));
}

TEST(JwtBundleSetTest, FindsBundlesByTrustDomain) {
  JwtBundleSet set;
  set.add(JwtBundle(td()));
  EXPECT_NE(set.jwtBundleFor(td()), nullptr);
  EXPECT_EQ(set.jwtBundleFor(td("other.org")), nullptr);
  EXPECT_EQ(set.size(), 1u);
  set.remove(td());
  EXPECT_EQ(set.jwtBundleFor(td()), nullptr);
}

} // namespace
} // namespace spire::jwt
