// Deterministic mutations of valid inputs: every truncation and single-byte change must give a
// clean InvalidArgument (or, rarely, still a valid result) - never a crash, an exception or a
// sanitizer report. The parsers handle untrusted network input.

#include <gtest/gtest.h>

#include "jwt/jwt_svid.h"
#include "jwt/jwt_test_util.h"

namespace spire::jwt {
namespace {

TEST(JwtMutationTest, TokensSurviveTruncationAndByteChanges) {
  crypto::EvpPkeyPtr key = testing::makeKey("P-256");
  JwtBundle bundle(*spiffe::TrustDomain::parse("example.org"));
  ASSERT_TRUE(bundle.addAuthority("k", testing::publicOf(*key)).isOk());
  JwtBundleSet set;
  set.add(bundle);
  JwtSvidParams params;
  params.id = *spiffe::SpiffeId::parse("spiffe://example.org/w");
  params.audience = {"a"};
  params.expiry = std::chrono::sys_seconds(std::chrono::seconds(2000));
  std::string token = *signJwtSvid(params, *key, "k");
  auto now = testing::at(1000);

  auto check = [&](const std::string& input) {
    for (int validator = 0; validator < 3; ++validator) {
      Result<JwtSvid> r = validator == 0   ? parseAndValidate(input, set, {"a"}, now)
                          : validator == 1 ? validateTokenSpire(input, set, {"a"}, now)
                                           : parseInsecure(input, {"a"}, now);
      if (!r.isOk()) {
        EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << input;
        EXPECT_FALSE(r.status().message().empty());
      }
    }
  };
  for (std::size_t i = 0; i <= token.size(); ++i) {
    check(token.substr(0, i));
  }
  for (std::size_t i = 0; i < token.size(); ++i) {
    for (char c : {'.', 'A', '_', '=', '\0'}) {
      std::string mutated = token;
      mutated[i] = c;
      check(mutated);
    }
  }
}

TEST(JwtMutationTest, JwksSurvivesTruncationAndByteChanges) {
  JwtBundle bundle(*spiffe::TrustDomain::parse("example.org"));
  ASSERT_TRUE(bundle.addAuthority("ec", testing::publicOf(*testing::makeKey("P-521"))).isOk());
  ASSERT_TRUE(bundle.addAuthority("rsa", testing::publicOf(testing::sharedRsaKey())).isOk());
  std::string jwks = *bundle.toJwks();
  for (std::size_t i = 0; i < jwks.size(); ++i) {
    Result<JwtBundle> truncated = JwtBundle::parse(bundle.trustDomain(), jwks.substr(0, i));
    EXPECT_FALSE(truncated.isOk());
    for (char c : {'"', '0', '{', '\xff'}) {
      std::string mutated = jwks;
      mutated[i] = c;
      Result<JwtBundle> r = JwtBundle::parse(bundle.trustDomain(), mutated);
      if (!r.isOk()) {
        EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
      }
    }
  }
}

} // namespace
} // namespace spire::jwt
