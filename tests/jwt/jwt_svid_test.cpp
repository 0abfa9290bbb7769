#include "jwt/jwt_svid.h"

#include <gtest/gtest.h>
#include <openssl/rsa.h>

#include "common/encoding.h"
#include "crypto/key.h"
#include "jwt/jwt_test_util.h"

namespace spire::jwt {
namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;
using testing::at;
using testing::makeKey;
using testing::publicOf;
using testing::signRaw;
using testing::unsignedToken;

constexpr int64_t kNow = 1700000000;
constexpr std::string_view kHeader = R"({"alg":"ES256","kid":"kid1","typ":"JWT"})";

class JwtSvidTest : public ::testing::Test {
protected:
  JwtSvidTest() : key_(makeKey("P-256")) {
    JwtBundle bundle(*spiffe::TrustDomain::parse("example.org"));
    EXPECT_TRUE(bundle.addAuthority("kid1", publicOf(*key_)).isOk());
    bundles_.add(std::move(bundle));
  }

  JwtSvidParams params() const {
    JwtSvidParams p;
    p.id = *spiffe::SpiffeId::parse("spiffe://example.org/workload");
    p.audience = {"svc"};
    p.expiry = sys_seconds(seconds(kNow + 300));
    p.issued_at = sys_seconds(seconds(kNow));
    return p;
  }

  std::string mint() const { return *signJwtSvid(params(), *key_, "kid1"); }

  // A token with the given payload, properly signed by the bundle key under kid1.
  std::string withPayload(std::string_view payload, std::string_view header = kHeader) const {
    return signRaw(header, payload, JwsAlgorithm::kEs256, *key_);
  }

  std::string goSpiffeError(std::string_view token, std::vector<std::string> audience = {"svc"},
                            int64_t now = kNow) const {
    Result<JwtSvid> svid = parseAndValidate(token, bundles_, audience, at(now));
    EXPECT_FALSE(svid.isOk()) << token;
    if (svid.isOk()) {
      return "";
    }
    EXPECT_EQ(svid.status().code(), StatusCode::kInvalidArgument);
    return svid.status().message();
  }

  std::string spireError(std::string_view token, std::vector<std::string> audience = {"svc"},
                         int64_t now = kNow) const {
    Result<JwtSvid> svid = validateTokenSpire(token, bundles_, audience, at(now));
    EXPECT_FALSE(svid.isOk()) << token;
    if (svid.isOk()) {
      return "";
    }
    EXPECT_EQ(svid.status().code(), StatusCode::kInvalidArgument);
    return svid.status().message();
  }

  crypto::EvpPkeyPtr key_;
  JwtBundleSet bundles_;
};

constexpr std::string_view kGoodPayload =
    R"({"aud":["svc"],"exp":1700000300,"iat":1700000000,"sub":"spiffe://example.org/workload"})";

TEST_F(JwtSvidTest, MintsSpireShapedTokens) {
  std::string token = mint();
  std::size_t dot1 = token.find('.');
  std::size_t dot2 = token.find('.', dot1 + 1);
  EXPECT_EQ(*base64UrlDecode(token.substr(0, dot1)), kHeader);
  EXPECT_EQ(*base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1)), kGoodPayload);
  EXPECT_EQ(base64UrlDecode(token.substr(dot2 + 1))->size(), 64u); // raw r||s
}

TEST_F(JwtSvidTest, MintWithIssuerAndExtraClaims) {
  JwtSvidParams p = params();
  p.issuer = "https://issuer";
  p.audience = {"", "a", "b"};
  p.extra_claims = {{"zeta", 1}, {"sub", "overridden?"}, {"<tag>", "&"}};
  Result<std::string> token = signJwtSvid(p, *key_, "kid1");
  ASSERT_TRUE(token.isOk());
  std::string payload = *base64UrlDecode(
      token->substr(token->find('.') + 1, token->rfind('.') - token->find('.') - 1));
  EXPECT_EQ(payload, R"({"\u003ctag\u003e":"\u0026","aud":["a","b"],"exp":1700000300,)"
                     R"("iat":1700000000,"iss":"https://issuer",)"
                     R"("sub":"spiffe://example.org/workload","zeta":1})");
  Result<JwtSvid> svid = parseAndValidate(*token, bundles_, {"b"}, at(kNow));
  ASSERT_TRUE(svid.isOk()) << svid.status().toString();
  EXPECT_EQ(svid->claims["zeta"], 1);
  EXPECT_EQ(svid->claims["iss"], "https://issuer");
}

TEST_F(JwtSvidTest, MintErrors) {
  JwtSvidParams p = params();
  p.id = {};
  EXPECT_EQ(signJwtSvid(p, *key_, "kid1").status().message(),
            "invalid JWT-SVID ID: cannot be empty");
  p = params();
  p.audience = {"", ""};
  EXPECT_EQ(signJwtSvid(p, *key_, "kid1").status().message(),
            "invalid JWT-SVID audience: cannot be empty");
  EXPECT_EQ(signJwtSvid(params(), *key_, "").status().message(),
            "JWT-SVID signing key ID cannot be empty");
  p = params();
  p.extra_claims = nlohmann::json::array();
  EXPECT_EQ(signJwtSvid(p, *key_, "kid1").status().message(),
            "extra JWT-SVID claims must be a JSON object");
  EXPECT_EQ(signJwtSvid(params(), *key_, "kid1", JwsAlgorithm::kEs384).status().message(),
            "algorithm ES384 requires an EC P-384 key");
  EXPECT_EQ(signJwtSvid(params(), *key_, "kid1", JwsAlgorithm::kRs256).status().message(),
            "algorithm RS256 requires an RSA key");
  crypto::EvpPkeyPtr small = makeKey("RSA1024");
  EXPECT_EQ(signJwtSvid(params(), *small, "kid1", JwsAlgorithm::kPs256).status().message(),
            "algorithm PS256 requires an RSA key of at least 2048 bits");
  crypto::EvpPkeyPtr ed = makeKey("ED25519");
  EXPECT_EQ(signJwtSvid(params(), *ed, "kid1").status().message(),
            "unsupported JWT signing key: need an EC P-256/P-384/P-521 or RSA key");
}

TEST_F(JwtSvidTest, ValidTokenPassesBothValidators) {
  std::string token = mint();
  for (bool spire : {false, true}) {
    Result<JwtSvid> svid = spire ? validateTokenSpire(token, bundles_, {"svc"}, at(kNow))
                                 : parseAndValidate(token, bundles_, {"other", "svc"}, at(kNow));
    ASSERT_TRUE(svid.isOk()) << svid.status().toString();
    EXPECT_EQ(svid->id.toString(), "spiffe://example.org/workload");
    EXPECT_EQ(svid->audience, std::vector<std::string>{"svc"});
    EXPECT_EQ(svid->expiry, sys_seconds(seconds(kNow + 300)));
    EXPECT_EQ(svid->token, token);
    EXPECT_EQ(svid->claims, nlohmann::json::parse(kGoodPayload));
  }
}

// --- go-spiffe ParseAndValidate, step by step ---

TEST_F(JwtSvidTest, GoSpiffeMalformedTokens) {
  const std::string kParse = "jwtsvid: unable to parse JWT token";
  std::string good = mint();
  EXPECT_EQ(goSpiffeError(""), kParse);
  EXPECT_EQ(goSpiffeError("a.b"), kParse);
  EXPECT_EQ(goSpiffeError(good + ".x"), kParse);
  EXPECT_EQ(goSpiffeError("!!!" + good.substr(good.find('.'))), kParse);
  EXPECT_EQ(goSpiffeError(unsignedToken("not json", kGoodPayload)), kParse);
  EXPECT_EQ(goSpiffeError(unsignedToken("[1]", kGoodPayload)), kParse);
  EXPECT_EQ(goSpiffeError(unsignedToken(R"({"alg":"HS256","kid":"kid1"})", kGoodPayload)), kParse);
  EXPECT_EQ(goSpiffeError(unsignedToken(R"({"alg":"none","kid":"kid1"})", kGoodPayload)), kParse);
  EXPECT_EQ(goSpiffeError(unsignedToken(R"({"alg":"EdDSA","kid":"kid1"})", kGoodPayload)), kParse);
  EXPECT_EQ(goSpiffeError(unsignedToken(R"({"kid":"kid1"})", kGoodPayload)), kParse);
  EXPECT_EQ(goSpiffeError(unsignedToken(R"({"alg":"ES256","kid":7})", kGoodPayload)), kParse);
}

TEST_F(JwtSvidTest, GoSpiffeTypHeader) {
  for (std::string_view typ : {"JWT", "JOSE"}) {
    std::string header = R"({"alg":"ES256","kid":"kid1","typ":")" + std::string(typ) + "\"}";
    EXPECT_TRUE(
        parseAndValidate(withPayload(kGoodPayload, header), bundles_, {"svc"}, at(kNow)).isOk())
        << typ;
  }
  EXPECT_TRUE(parseAndValidate(withPayload(kGoodPayload, R"({"alg":"ES256","kid":"kid1"})"),
                               bundles_, {"svc"}, at(kNow))
                  .isOk());
  const std::string kTyp = "jwtsvid: token header type not equal to either JWT or JOSE";
  EXPECT_EQ(goSpiffeError(withPayload(kGoodPayload, R"({"alg":"ES256","kid":"kid1","typ":"jwt"})")),
            kTyp);
  EXPECT_EQ(goSpiffeError(withPayload(kGoodPayload, R"({"alg":"ES256","kid":"kid1","typ":1})")),
            kTyp);
}

TEST_F(JwtSvidTest, DuplicateHeaderMembersKeepTheLastValueLikeGoJose) {
  std::string token = withPayload(kGoodPayload, R"({"alg":"ES256","kid":"nope","kid":"kid1"})");
  EXPECT_TRUE(parseAndValidate(token, bundles_, {"svc"}, at(kNow)).isOk());
  EXPECT_TRUE(validateTokenSpire(token, bundles_, {"svc"}, at(kNow)).isOk());
  token = withPayload(kGoodPayload, R"({"alg":"HS256","alg":"ES256","kid":"kid1"})");
  EXPECT_TRUE(parseAndValidate(token, bundles_, {"svc"}, at(kNow)).isOk());
}

TEST_F(JwtSvidTest, GoSpiffeClaimChecks) {
  EXPECT_EQ(goSpiffeError(withPayload("[]")),
            "jwtsvid: unable to get claims from token: json: cannot unmarshal array into Go value "
            "of type jwt.Claims");
  EXPECT_EQ(goSpiffeError(withPayload(R"({"sub":1,"exp":1})")),
            "jwtsvid: unable to get claims from token: json: cannot unmarshal number into Go "
            "struct field Claims.sub of type string");
  EXPECT_EQ(goSpiffeError(withPayload(R"({"aud":["svc"],"exp":1700000300})")),
            "jwtsvid: token missing subject claim");
  EXPECT_EQ(goSpiffeError(withPayload(R"({"aud":["svc"],"sub":"spiffe://example.org/w"})")),
            "jwtsvid: token missing exp claim");
  EXPECT_EQ(goSpiffeError(withPayload(R"({"aud":["svc"],"exp":1700000300,"sub":"foo"})")),
            "jwtsvid: token has an invalid subject claim: scheme is missing or invalid");
  EXPECT_EQ(goSpiffeError(
                withPayload(R"({"aud":["svc"],"exp":1700000300,"sub":"spiffe://example.org/"})")),
            "jwtsvid: token has an invalid subject claim: path cannot have a trailing slash");
}

TEST_F(JwtSvidTest, GoSpiffeKeyLookupAndSignature) {
  EXPECT_EQ(goSpiffeError(withPayload(kGoodPayload, R"({"alg":"ES256","typ":"JWT"})")),
            "jwtsvid: token header missing key id");
  EXPECT_EQ(goSpiffeError(
                withPayload(R"({"aud":["svc"],"exp":1700000300,"sub":"spiffe://other.org/w"})")),
            "jwtsvid: no bundle found for trust domain \"other.org\"");
  EXPECT_EQ(goSpiffeError(withPayload(kGoodPayload, R"({"alg":"ES256","kid":"nope"})")),
            "jwtsvid: no JWT authority \"nope\" found for trust domain \"example.org\"");

  const std::string kCrypto =
      "jwtsvid: unable to get claims from token: go-jose/go-jose: error in cryptographic primitive";
  crypto::EvpPkeyPtr other = makeKey("P-256");
  EXPECT_EQ(goSpiffeError(signRaw(kHeader, kGoodPayload, JwsAlgorithm::kEs256, *other)), kCrypto);
  std::string token = mint();
  EXPECT_EQ(goSpiffeError(token.substr(0, token.size() - 4)), kCrypto); // short signature
  std::string tampered = token;
  char& c = tampered[tampered.rfind('.') + 10];
  c = c == 'A' ? 'B' : 'A';
  EXPECT_EQ(goSpiffeError(tampered), kCrypto);
  // "alg" says ES384 but the bundle key is P-256.
  crypto::EvpPkeyPtr p384 = makeKey("P-384");
  std::string es384 =
      signRaw(R"({"alg":"ES384","kid":"kid1"})", kGoodPayload, JwsAlgorithm::kEs384, *p384);
  EXPECT_EQ(goSpiffeError(es384), kCrypto);
  // An RSA signature under an EC key.
  std::string rs256 = signRaw(R"({"alg":"RS256","kid":"kid1"})", kGoodPayload, JwsAlgorithm::kRs256,
                              testing::sharedRsaKey());
  EXPECT_EQ(goSpiffeError(rs256), kCrypto);
  // Unsupported critical header.
  EXPECT_EQ(
      goSpiffeError(withPayload(kGoodPayload, R"({"alg":"ES256","crit":["exp"],"kid":"kid1"})")),
      kCrypto);
}

TEST_F(JwtSvidTest, GoSpiffeTimeAndAudience) {
  std::string token = mint(); // exp = kNow + 300, iat = kNow
  EXPECT_EQ(goSpiffeError(token, {"other"}),
            R"(jwtsvid: expected audience in ["other"] (audience=["svc"]))");
  // The audience check runs before the expiry check.
  EXPECT_EQ(goSpiffeError(token, {"a", "b"}, kNow + 10000),
            R"(jwtsvid: expected audience in ["a" "b"] (audience=["svc"]))");
  EXPECT_TRUE(parseAndValidate(token, bundles_, {"svc"}, at(kNow + 360)).isOk()); // leeway
  EXPECT_EQ(goSpiffeError(token, {"svc"}, kNow + 361), "jwtsvid: token has expired");
  EXPECT_EQ(goSpiffeError(token, {"svc"}, kNow - 61),
            "go-jose/go-jose/jwt: validation field, token issued in the future (iat)");
  EXPECT_TRUE(parseAndValidate(token, bundles_, {"svc"}, at(kNow - 60)).isOk());
  std::string nbf = withPayload(
      R"({"aud":"svc","exp":1700000300,"nbf":1700000100,"sub":"spiffe://example.org/w"})");
  EXPECT_EQ(goSpiffeError(nbf, {"svc"}, kNow + 39),
            "go-jose/go-jose/jwt: validation failed, token not valid yet (nbf)");
  EXPECT_TRUE(parseAndValidate(nbf, bundles_, {"svc"}, at(kNow + 40)).isOk());
  // No expected audience: go-spiffe skips the check, even for a token without "aud".
  std::string no_aud = withPayload(R"({"exp":1700000300,"sub":"spiffe://example.org/w"})");
  EXPECT_TRUE(parseAndValidate(no_aud, bundles_, {}, at(kNow)).isOk());
  EXPECT_EQ(goSpiffeError(no_aud, {"svc"}),
            R"(jwtsvid: expected audience in ["svc"] (audience=[]))");
}

TEST_F(JwtSvidTest, ParseInsecureSkipsOnlyKeyAndSignature) {
  crypto::EvpPkeyPtr other = makeKey("P-256");
  std::string foreign = signRaw(R"({"alg":"ES256"})", kGoodPayload, JwsAlgorithm::kEs256, *other);
  Result<JwtSvid> svid = parseInsecure(foreign, {"svc"}, at(kNow));
  ASSERT_TRUE(svid.isOk()) << svid.status().toString();
  EXPECT_EQ(svid->id.toString(), "spiffe://example.org/workload");
  EXPECT_EQ(parseInsecure(foreign, {"svc"}, at(kNow + 1000)).status().message(),
            "jwtsvid: token has expired");
  EXPECT_EQ(parseInsecure(foreign, {"x"}, at(kNow)).status().message(),
            R"(jwtsvid: expected audience in ["x"] (audience=["svc"]))");
  EXPECT_EQ(parseInsecure(unsignedToken(R"({"alg":"ES256"})", R"({"exp":1})"), {}, at(kNow))
                .status()
                .message(),
            "jwtsvid: token missing subject claim");
  EXPECT_EQ(parseInsecure("x.y", {}, at(kNow)).status().message(),
            "jwtsvid: unable to parse JWT token");
}

// --- SPIRE ValidateToken ---

TEST_F(JwtSvidTest, SpireParseErrorsKeepGoJoseDetail) {
  EXPECT_EQ(spireError("a.b"),
            "unable to parse JWT token: go-jose/go-jose: compact JWS format must have three parts");
  EXPECT_EQ(spireError(unsignedToken(R"({"alg":"HS256","kid":"kid1"})", kGoodPayload)),
            R"(unable to parse JWT token: unexpected signature algorithm "HS256"; expected )"
            R"(["ES256" "ES384" "ES512" "RS256" "RS384" "RS512" "PS256" "PS384" "PS512"])");
  EXPECT_EQ(spireError("e30.e30.$$"),
            "unable to parse JWT token: illegal base64 data at input byte 0");
  EXPECT_EQ(spireError(unsignedToken("[]", "{}")),
            "unable to parse JWT token: json: cannot unmarshal array into Go value of type "
            "jose.rawHeader");
  EXPECT_EQ(spireError(unsignedToken(R"({"alg":"ES256","kid":7})", "{}")),
            "unable to parse JWT token: failed to unmarshal key ID: json: cannot unmarshal number "
            "into Go value of type string: \"7\"");
}

TEST_F(JwtSvidTest, SpireOrderAndTexts) {
  // kid is checked before any claim.
  EXPECT_EQ(spireError(unsignedToken(R"({"alg":"ES256"})", "{}")), "token header missing key id");
  EXPECT_EQ(spireError(withPayload(R"({"sub":true})")),
            "json: cannot unmarshal bool into Go struct field Claims.sub of type string");
  EXPECT_EQ(spireError(withPayload(R"({"exp":1})")), "token missing subject claim");
  EXPECT_EQ(spireError(withPayload(R"({"sub":"spiffe://example.org/w"})")),
            "token missing exp claim");
  EXPECT_EQ(spireError(withPayload(R"({"exp":1,"sub":"spiffe://Example.org/w"})")),
            "token has in invalid subject claim: trust domain characters are limited to "
            "lowercase letters, numbers, dots, dashes, and underscores");
  EXPECT_EQ(
      spireError(withPayload(R"({"aud":"svc","exp":1700000300,"sub":"spiffe://other.org/w"})")),
      R"(no keys found for trust domain "other.org")");
  EXPECT_EQ(spireError(withPayload(kGoodPayload, R"({"alg":"ES256","kid":"k2"})")),
            R"(public key "k2" not found in trust domain "example.org")");
  crypto::EvpPkeyPtr other = makeKey("P-256");
  EXPECT_EQ(spireError(signRaw(kHeader, kGoodPayload, JwsAlgorithm::kEs256, *other)),
            "go-jose/go-jose: error in cryptographic primitive");
  EXPECT_EQ(spireError(mint(), {"FOO"}), R"(expected audience in ["FOO"] (audience=["svc"]))");
  EXPECT_EQ(
      spireError(withPayload(R"({"exp":1700000300,"sub":"spiffe://example.org/w"})"), {"FOO"}),
      R"(expected audience in ["FOO"] (audience=[]))");
  EXPECT_EQ(spireError(mint(), {"svc"}, kNow + 361), "token has expired");
  EXPECT_EQ(spireError(mint(), {"svc"}, kNow - 61),
            "go-jose/go-jose/jwt: validation field, token issued in the future (iat)");
  // SPIRE does not look at "typ".
  EXPECT_TRUE(
      validateTokenSpire(withPayload(kGoodPayload, R"({"alg":"ES256","kid":"kid1","typ":"x"})"),
                         bundles_, {"svc"}, at(kNow))
          .isOk());
}

// --- every algorithm ---

struct AlgCase {
  JwsAlgorithm alg;
  const char* key_kind;
  std::size_t signature_size; // 0: the RSA modulus size
};

class JwtSvidAlgTest : public ::testing::TestWithParam<AlgCase> {};

TEST_P(JwtSvidAlgTest, SignAndVerify) {
  const AlgCase& c = GetParam();
  crypto::EvpPkeyPtr owned;
  const EVP_PKEY* key = &testing::sharedRsaKey();
  if (std::string_view(c.key_kind) != "RSA") {
    owned = makeKey(c.key_kind);
    key = owned.get();
  }
  JwtSvidParams p;
  p.id = *spiffe::SpiffeId::parse("spiffe://example.org/w");
  p.audience = {"a"};
  p.expiry = sys_seconds(seconds(kNow + 60));
  Result<std::string> token = signJwtSvid(p, *key, "k", c.alg);
  ASSERT_TRUE(token.isOk()) << token.status().toString();
  std::string signature = *base64UrlDecode(token->substr(token->rfind('.') + 1));
  EXPECT_EQ(signature.size(), c.signature_size == 0 ? 256u : c.signature_size);

  JwtBundleSet set;
  JwtBundle bundle(*spiffe::TrustDomain::parse("example.org"));
  ASSERT_TRUE(bundle.addAuthority("k", publicOf(*key)).isOk());
  set.add(bundle);
  EXPECT_TRUE(parseAndValidate(*token, set, {"a"}, at(kNow)).isOk());
  EXPECT_TRUE(validateTokenSpire(*token, set, {"a"}, at(kNow)).isOk());

  std::string header = *base64UrlDecode(token->substr(0, token->find('.')));
  EXPECT_EQ(header,
            R"({"alg":")" + std::string(jwsAlgorithmName(c.alg)) + R"(","kid":"k","typ":"JWT"})");
}

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, JwtSvidAlgTest,
                         ::testing::Values(AlgCase{JwsAlgorithm::kEs256, "P-256", 64},
                                           AlgCase{JwsAlgorithm::kEs384, "P-384", 96},
                                           AlgCase{JwsAlgorithm::kEs512, "P-521", 132},
                                           AlgCase{JwsAlgorithm::kRs256, "RSA", 0},
                                           AlgCase{JwsAlgorithm::kRs384, "RSA", 0},
                                           AlgCase{JwsAlgorithm::kRs512, "RSA", 0},
                                           AlgCase{JwsAlgorithm::kPs256, "RSA", 0},
                                           AlgCase{JwsAlgorithm::kPs384, "RSA", 0},
                                           AlgCase{JwsAlgorithm::kPs512, "RSA", 0}),
                         [](const ::testing::TestParamInfo<AlgCase>& info) {
                           return std::string(jwsAlgorithmName(info.param.alg));
                         });

TEST(JwsAlgorithmTest, NamesAndDefaults) {
  EXPECT_EQ(parseJwsAlgorithm("PS384"), JwsAlgorithm::kPs384);
  EXPECT_FALSE(parseJwsAlgorithm("es256").has_value());
  EXPECT_FALSE(parseJwsAlgorithm("HS256").has_value());
  EXPECT_EQ(*defaultJwsAlgorithm(*makeKey("P-521")), JwsAlgorithm::kEs512);
  EXPECT_EQ(*defaultJwsAlgorithm(testing::sharedRsaKey()), JwsAlgorithm::kRs256);
  EXPECT_EQ(allowedJwsAlgorithmNames().size(), 9u);
}

TEST(JwsTest, PssSignaturesWithAnotherSaltLengthVerify) {
  // go-jose verifies PSS with rsa.PSSSaltLengthAuto; a signer using salt length 0 is accepted.
  const EVP_PKEY& key = testing::sharedRsaKey();
  std::string input = base64UrlEncode(R"({"alg":"PS256"})") + "." + base64UrlEncode("{}");
  crypto::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  ASSERT_EQ(
      EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, const_cast<EVP_PKEY*>(&key)), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 0), 1);
  size_t len = 0;
  ASSERT_EQ(EVP_DigestSign(ctx.get(), nullptr, &len,
                           reinterpret_cast<const unsigned char*>(input.data()), input.size()),
            1);
  std::string sig(len, '\0');
  ASSERT_EQ(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                           reinterpret_cast<const unsigned char*>(input.data()), input.size()),
            1);
  Result<CompactJws> jws = parseCompactJws(input + "." + base64UrlEncode(sig));
  ASSERT_TRUE(jws.isOk());
  EXPECT_TRUE(verifyCompactJws(*jws, key).isOk());
}

TEST(JwsTest, B64FalseSignsTheRawPayload) {
  crypto::EvpPkeyPtr key = makeKey("P-256");
  std::string header = R"({"alg":"ES256","b64":false,"crit":["b64"]})";
  // Sign "<b64 header>.<raw payload>" by hand through signCompactJws's primitive.
  std::string token = signRaw(header, "{}", JwsAlgorithm::kEs256, *key);
  Result<CompactJws> jws = parseCompactJws(token);
  ASSERT_TRUE(jws.isOk());
  // The token was signed over the base64 payload, so with b64=false it must not verify.
  EXPECT_EQ(verifyCompactJws(*jws, *key).message(), kErrCryptoFailure);
}

TEST(JwsTest, EmbeddedJwkMustBePublic) {
  crypto::EvpPkeyPtr key = makeKey("P-256");
  nlohmann::ordered_json jwk = *marshalJwk(*key);
  nlohmann::ordered_json header = {{"alg", "ES256"}, {"jwk", jwk}};
  EXPECT_TRUE(parseCompactJws(unsignedToken(header.dump(), "{}")).isOk());
  header["jwk"]["d"] = "AAAA";
  EXPECT_EQ(parseCompactJws(unsignedToken(header.dump(), "{}")).status().message(),
            "go-jose/go-jose: invalid embedded jwk, must be public key");
}

} // namespace
} // namespace spire::jwt
