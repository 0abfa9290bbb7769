// Cross-checks against an independent JOSE implementation: PyJWT (with python3-cryptography) in
// Debian's /usr/bin/python3. Skipped when that interpreter or module is missing.

#include <gtest/gtest.h>

#include "jwt/jwt_svid.h"
#include "jwt/jwt_test_util.h"
#include "support/command.h"
#include "support/temp_dir.h"

namespace spire::jwt {
namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;

constexpr const char* kPython = "/usr/bin/python3";

bool havePyJwt() {
  static const bool have =
      spire::testing::runCommand(std::string(kPython) + " -c 'import jwt, cryptography'")
          .exit_code == 0;
  return have;
}

// Verifies every "<alg> <kid> <token>" line of argv[1] with the key of that kid from the JWKS in
// argv[2], requiring audience "svc", and prints "<alg> <sub>" per token.
constexpr const char* kVerifyScript = R"PY(
import json, sys, jwt
jwks = jwt.PyJWKSet.from_json(open(sys.argv[2]).read())
keys = {k.key_id: k.key for k in jwks.keys}
for line in open(sys.argv[1]):
    alg, kid, token = line.split()
    header = jwt.get_unverified_header(token)
    assert header == {"alg": alg, "kid": kid, "typ": "JWT"}, header
    claims = jwt.decode(token, keys[kid], algorithms=[alg], audience="svc")
    print(alg, claims["sub"])
)PY";

// Signs one token per algorithm with fresh keys and prints {"alg","token","jwk"} lines.
constexpr const char* kSignScript = R"PY(
import base64, json, sys, time, jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
curves = {"ES256": ec.SECP256R1(), "ES384": ec.SECP384R1(), "ES512": ec.SECP521R1()}
now = int(time.time())
for alg in ["ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]:
    if alg in curves:
        key = ec.generate_private_key(curves[alg])
        # PyJWT 2.6's to_jwk writes minimal-length coordinates, which RFC 7518 6.2.1.2 (and
        # go-jose) reject; write them at the full curve size.
        numbers = key.public_key().public_numbers()
        size = (key.curve.key_size + 7) // 8
        b64 = lambda n: base64.urlsafe_b64encode(n.to_bytes(size, "big")).rstrip(b"=").decode()
        jwk = {"kty": "EC", "crv": json.loads(ECAlgorithm.to_jwk(key.public_key()))["crv"],
               "x": b64(numbers.x), "y": b64(numbers.y)}
    else:
        key = rsa_key
        jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    kid = "py-" + alg
    jwk["kid"] = kid
    token = jwt.encode({"sub": "spiffe://example.org/py/" + alg, "aud": ["svc"],
                        "exp": now + 300, "iat": now}, key, algorithm=alg,
                       headers={"kid": kid, "typ": "JWT"})
    print(json.dumps({"alg": alg, "token": token, "jwk": jwk}))
)PY";

TEST(PyJwtCrossCheckTest, PyJwtVerifiesOurTokensAndJwks) {
  if (!havePyJwt()) {
    GTEST_SKIP() << "no PyJWT in " << kPython;
  }
  struct Case {
    JwsAlgorithm alg;
    const char* kind;
  };
  const Case cases[] = {{JwsAlgorithm::kEs256, "P-256"}, {JwsAlgorithm::kEs384, "P-384"},
                        {JwsAlgorithm::kEs512, "P-521"}, {JwsAlgorithm::kRs256, "RSA"},
                        {JwsAlgorithm::kRs384, "RSA"},   {JwsAlgorithm::kRs512, "RSA"},
                        {JwsAlgorithm::kPs256, "RSA"},   {JwsAlgorithm::kPs384, "RSA"},
                        {JwsAlgorithm::kPs512, "RSA"}};
  JwtBundle bundle(*spiffe::TrustDomain::parse("example.org"));
  std::string lines;
  std::string expected;
  auto now = std::chrono::time_point_cast<seconds>(std::chrono::system_clock::now());
  std::vector<crypto::EvpPkeyPtr> keys;
  for (const Case& c : cases) {
    const EVP_PKEY* key = &testing::sharedRsaKey();
    if (std::string_view(c.kind) != "RSA") {
      keys.push_back(testing::makeKey(c.kind));
      key = keys.back().get();
    }
    std::string name(jwsAlgorithmName(c.alg));
    ASSERT_TRUE(bundle.addAuthority("kid-" + name, testing::publicOf(*key)).isOk());
    JwtSvidParams params;
    params.id = *spiffe::SpiffeId::parse("spiffe://example.org/" + name);
    params.audience = {"svc"};
    params.expiry = now + seconds(300);
    params.issued_at = now;
    Result<std::string> token = signJwtSvid(params, *key, "kid-" + name, c.alg);
    ASSERT_TRUE(token.isOk()) << token.status().toString();
    lines += name + " kid-" + name + " " + *token + "\n";
    expected += name + " spiffe://example.org/" + name + "\n";
  }
  spire::testing::TempDir dir;
  std::string script = dir.writeFile("verify.py", kVerifyScript);
  std::string tokens = dir.writeFile("tokens.txt", lines);
  std::string jwks = dir.writeFile("jwks.json", *bundle.toJwks(JwksStyle::kSpireIndented));
  spire::testing::CommandResult result =
      spire::testing::runCommand(std::string(kPython) + " " + script + " " + tokens + " " + jwks);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output, expected);
}

TEST(PyJwtCrossCheckTest, WeVerifyPyJwtTokens) {
  if (!havePyJwt()) {
    GTEST_SKIP() << "no PyJWT in " << kPython;
  }
  spire::testing::TempDir dir;
  std::string script = dir.writeFile("sign.py", kSignScript);
  spire::testing::CommandResult result =
      spire::testing::runCommand(std::string(kPython) + " " + script);
  ASSERT_EQ(result.exit_code, 0) << result.output;

  std::vector<nlohmann::json> entries;
  nlohmann::json jwks = {{"keys", nlohmann::json::array()}};
  std::size_t start = 0;
  while (start < result.output.size()) {
    std::size_t end = result.output.find('\n', start);
    entries.push_back(nlohmann::json::parse(result.output.substr(start, end - start)));
    jwks["keys"].push_back(entries.back()["jwk"]);
    start = end == std::string::npos ? result.output.size() : end + 1;
  }
  ASSERT_EQ(entries.size(), 9u);
  Result<JwtBundle> bundle =
      JwtBundle::parse(*spiffe::TrustDomain::parse("example.org"), jwks.dump());
  ASSERT_TRUE(bundle.isOk()) << bundle.status().toString();
  JwtBundleSet set;
  set.add(*bundle);
  auto now = std::chrono::system_clock::now();
  for (const nlohmann::json& entry : entries) {
    std::string alg = entry["alg"];
    std::string token = entry["token"];
    Result<JwtSvid> svid = parseAndValidate(token, set, {"svc"}, now);
    ASSERT_TRUE(svid.isOk()) << alg << ": " << svid.status().toString();
    EXPECT_EQ(svid->id.toString(), "spiffe://example.org/py/" + alg);
    EXPECT_TRUE(validateTokenSpire(token, set, {"svc"}, now).isOk()) << alg;
    // A flipped signature byte must fail with go-jose's text.
    std::string bad = token;
    char& c = bad[bad.rfind('.') + 3];
    c = c == 'A' ? 'B' : 'A';
    EXPECT_EQ(validateTokenSpire(bad, set, {"svc"}, now).status().message(),
              "go-jose/go-jose: error in cryptographic primitive")
        << alg;
  }
}

} // namespace
} // namespace spire::jwt
