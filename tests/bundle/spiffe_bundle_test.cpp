#include "bundle/spiffe_bundle.h"

#include <gtest/gtest.h>

#include "crypto/key.h"
#include "jwt/go_compat.h"
#include "jwt/jwt_test_util.h"

namespace spire::bundle {
namespace {

using jwt::testing::makeCaCert;
using jwt::testing::makeKey;
using jwt::testing::publicOf;
using nlohmann::ordered_json;

// RFC 7515 A.3's P-256 key, so serialised bytes can be compared exactly.
constexpr const char* kRfcJwk =
    R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
    R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})";
constexpr const char* kRfcXY = R"("crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
                               R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0")";

spiffe::TrustDomain td(std::string_view name = "example.org") {
  return *spiffe::TrustDomain::parse(name);
}

jwt::PublicKey rfcKey() {
  return jwt::parseJwk(ordered_json::parse(kRfcJwk))->key;
}

std::string x509Entry(const crypto::X509Shared& cert) {
  crypto::EvpPkeyPtr key(X509_get_pubkey(cert.get()));
  return jwt::goJsonDump(*jwt::marshalJwk(*key, "x509-svid", "", {cert}));
}

std::string jwtEntry(const EVP_PKEY& key, std::string_view kid, std::string_view use = "jwt-svid") {
  return jwt::goJsonDump(*jwt::marshalJwk(key, use, kid));
}

void expectParseError(std::string_view json, std::string_view message) {
  Result<SpiffeBundle> bundle = SpiffeBundle::parse(td(), json);
  ASSERT_FALSE(bundle.isOk()) << json;
  EXPECT_EQ(bundle.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bundle.status().message(), message) << json;
}

class SpiffeBundleTest : public ::testing::Test {
protected:
  SpiffeBundleTest()
      : ca_key_(makeKey("P-256")), ca_(makeCaCert(*ca_key_)), jwt_key_(makeKey("P-384")) {}

  crypto::EvpPkeyPtr ca_key_;
  crypto::X509Shared ca_;
  crypto::EvpPkeyPtr jwt_key_;
};

TEST_F(SpiffeBundleTest, ParsesAFullBundle) {
  std::string json = R"({"keys":[)" + x509Entry(ca_) + "," + jwtEntry(*jwt_key_, "k1") + "," +
                     jwtEntry(jwt::testing::sharedRsaKey(), "k2") +
                     R"(],"spiffe_sequence":7,"spiffe_refresh_hint":300,"extra":true})";
  Result<SpiffeBundle> bundle = SpiffeBundle::parse(td(), json);
  ASSERT_TRUE(bundle.isOk()) << bundle.status().toString();
  EXPECT_EQ(bundle->trustDomain(), td());
  ASSERT_EQ(bundle->x509Authorities().size(), 1u);
  EXPECT_EQ(X509_cmp(bundle->x509Authorities()[0].get(), ca_.get()), 0);
  ASSERT_EQ(bundle->jwtAuthorities().size(), 2u);
  EXPECT_TRUE(crypto::publicKeysEqual(*bundle->findJwtAuthority("k1"), *jwt_key_));
  EXPECT_EQ(bundle->sequenceNumber(), 7u);
  EXPECT_EQ(bundle->refreshHint(), std::chrono::seconds(300));
  EXPECT_FALSE(bundle->empty());
}

TEST_F(SpiffeBundleTest, EmptyKeysAndZeroMetadata) {
  Result<SpiffeBundle> bundle =
      SpiffeBundle::parse(td(), R"({"keys":[],"spiffe_sequence":0,"spiffe_refresh_hint":0})");
  ASSERT_TRUE(bundle.isOk());
  EXPECT_TRUE(bundle->empty());
  EXPECT_EQ(bundle->sequenceNumber(), 0u); // set, to zero
  EXPECT_EQ(bundle->refreshHint(), std::chrono::seconds(0));
  Result<SpiffeBundle> bare = SpiffeBundle::parse(td(), R"({"keys":[]})");
  ASSERT_TRUE(bare.isOk());
  EXPECT_FALSE(bare->sequenceNumber().has_value());
  EXPECT_FALSE(bare->refreshHint().has_value());
}

TEST_F(SpiffeBundleTest, IgnoredEntries) {
  // Unknown or missing "use", and unsupported key types, are skipped; indexes count kept keys.
  std::string json = R"({"keys":[{"kty":"oct","k":"AAAA","use":"jwt-svid"},)" +
                     jwtEntry(*jwt_key_, "a", "other") + "," + jwtEntry(*jwt_key_, "b", "") + "," +
                     x509Entry(ca_) + "," + x509Entry(ca_) + "]}";
  Result<SpiffeBundle> bundle = SpiffeBundle::parse(td(), json);
  ASSERT_TRUE(bundle.isOk()) << bundle.status().toString();
  EXPECT_TRUE(bundle->jwtAuthorities().empty());
  EXPECT_EQ(bundle->x509Authorities().size(), 1u); // duplicates collapse
}

TEST_F(SpiffeBundleTest, ParseErrors) {
  expectParseError("{}", "spiffebundle: no authorities found");
  expectParseError(R"({"keys":null,"spiffe_sequence":1})", "spiffebundle: no authorities found");
  Result<SpiffeBundle> bad_json = SpiffeBundle::parse(td(), "{\"keys\":");
  ASSERT_FALSE(bad_json.isOk());
  EXPECT_EQ(bad_json.status().message().rfind("spiffebundle: unable to parse JWKS: ", 0), 0u);
  expectParseError("[]", "spiffebundle: unable to parse JWKS: json: cannot unmarshal array into "
                         "Go value of type spiffebundle.bundleDoc");
  expectParseError(R"({"keys":{}})", "spiffebundle: unable to parse JWKS: json: cannot unmarshal "
                                     "object into Go struct field bundleDoc.keys of type "
                                     "[]jose.JSONWebKey");
  expectParseError(R"({"keys":[],"spiffe_sequence":-1})",
                   "spiffebundle: unable to parse JWKS: json: cannot unmarshal number -1 into Go "
                   "struct field bundleDoc.spiffe_sequence of type uint64");
  expectParseError(R"({"keys":[],"spiffe_sequence":"1"})",
                   "spiffebundle: unable to parse JWKS: json: cannot unmarshal string into Go "
                   "struct field bundleDoc.spiffe_sequence of type uint64");
  expectParseError(R"({"keys":[],"spiffe_refresh_hint":1.5})",
                   "spiffebundle: unable to parse JWKS: json: cannot unmarshal number 1.5 into Go "
                   "struct field bundleDoc.spiffe_refresh_hint of type int64");
  expectParseError(R"({"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA","use":"jwt-svid"}]})",
                   "spiffebundle: unable to parse JWKS: go-jose/go-jose: invalid EC public key, "
                   "wrong length for x");
}

TEST_F(SpiffeBundleTest, X509EntryNeedsExactlyOneCertificate) {
  std::string no_cert = jwtEntry(*ca_key_, "", "x509-svid");
  expectParseError(R"({"keys":[)" + jwtEntry(*jwt_key_, "k") + "," + no_cert + "]}",
                   "spiffebundle: expected a single certificate in x509-svid entry 1; got 0");
  crypto::X509Shared other = makeCaCert(*makeKey("P-256"), "other");
  ordered_json two = *jwt::marshalJwk(*ca_key_, "x509-svid", "", {ca_, other});
  expectParseError(R"({"keys":[)" + two.dump() + "]}",
                   "spiffebundle: expected a single certificate in x509-svid entry 0; got 2");
  // The first certificate must carry the JWK's key.
  ordered_json mismatch = *jwt::marshalJwk(*jwt_key_, "x509-svid", "", {ca_});
  expectParseError(R"({"keys":[)" + mismatch.dump() + "]}",
                   "spiffebundle: unable to parse JWKS: go-jose/go-jose: invalid JWK, public keys "
                   "in key and x5c fields do not match");
}

TEST_F(SpiffeBundleTest, JwtAndWitEntriesNeedAKeyId) {
  expectParseError(R"({"keys":[)" + x509Entry(ca_) + "," + jwtEntry(*jwt_key_, "") + "]}",
                   "spiffebundle: error adding authority 1 of JWKS: keyID cannot be empty");
  expectParseError(R"({"keys":[)" + jwtEntry(*jwt_key_, "", "wit-svid") + "]}",
                   "spiffebundle: error adding WIT authority 0 of JWKS: keyID cannot be empty");
  Result<SpiffeBundle> wit =
      SpiffeBundle::parse(td(), R"({"keys":[)" + jwtEntry(*jwt_key_, "w", "wit-svid") + "]}");
  ASSERT_TRUE(wit.isOk());
  EXPECT_EQ(wit->witAuthorities().size(), 1u);
  EXPECT_TRUE(wit->jwtAuthorities().empty());
}

TEST_F(SpiffeBundleTest, AuthorityCrud) {
  SpiffeBundle bundle(td());
  Status st = bundle.addJwtAuthority("", publicOf(*jwt_key_));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "spiffebundle: keyID cannot be empty");
  EXPECT_EQ(bundle.addWitAuthority("", publicOf(*jwt_key_)).message(),
            "spiffebundle: keyID cannot be empty");
  ASSERT_TRUE(bundle.addJwtAuthority("k", publicOf(*jwt_key_)).isOk());
  bundle.addX509Authority(ca_);
  bundle.addX509Authority(ca_);
  EXPECT_EQ(bundle.x509Authorities().size(), 1u);
  EXPECT_TRUE(bundle.hasX509Authority(*ca_));
  bundle.removeX509Authority(*ca_);
  bundle.removeJwtAuthority("k");
  EXPECT_TRUE(bundle.empty());
  bundle.setX509Authorities({ca_, ca_});
  EXPECT_EQ(bundle.x509Authorities().size(), 1u);
  bundle.setSequenceNumber(3);
  bundle.clearSequenceNumber();
  EXPECT_FALSE(bundle.sequenceNumber().has_value());
}

TEST_F(SpiffeBundleTest, GoSpiffeCompactForm) {
  SpiffeBundle bundle(td());
  ASSERT_TRUE(bundle.addJwtAuthority("k1", rfcKey()).isOk());
  EXPECT_EQ(*bundle.marshal(),
            std::string(R"({"keys":[{"use":"jwt-svid","kty":"EC","kid":"k1",)") + kRfcXY + "}]}");
  bundle.setSequenceNumber(0);
  bundle.setRefreshHint(std::chrono::seconds(0));
  EXPECT_EQ(*bundle.marshal(), std::string(R"({"keys":[{"use":"jwt-svid","kty":"EC","kid":"k1",)") +
                                   kRfcXY + R"(}],"spiffe_sequence":0,"spiffe_refresh_hint":0})");
  EXPECT_EQ(*SpiffeBundle(td()).marshal(), R"({"keys":[]})");

  // x509 entries come first, with "x5c" last.
  bundle.addX509Authority(ca_);
  std::string text = *bundle.marshal();
  EXPECT_EQ(text.rfind(R"({"keys":[{"use":"x509-svid","kty":"EC","crv":"P-256","x":")", 0), 0u)
      << text;
  EXPECT_NE(text.find(R"(","x5c":[")"), std::string::npos) << text;
  EXPECT_LT(text.find("x509-svid"), text.find("jwt-svid"));
}

TEST_F(SpiffeBundleTest, SpireIndentedForm) {
  SpiffeBundle bundle(td());
  ASSERT_TRUE(bundle.addJwtAuthority("k1", rfcKey()).isOk());
  const std::string kJwk = "        {\n"
                           "            \"use\": \"jwt-svid\",\n"
                           "            \"kty\": \"EC\",\n"
                           "            \"kid\": \"k1\",\n"
                           "            \"crv\": \"P-256\",\n"
                           "            \"x\": \"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\n"
                           "            \"y\": \"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"\n"
                           "        }\n";
  // Zero sequence and hint are omitted (SPIRE's bundleDoc fields are omitempty).
  EXPECT_EQ(*bundle.marshalSpire(), "{\n    \"keys\": [\n" + kJwk + "    ]\n}");
  bundle.setSequenceNumber(2);
  bundle.setRefreshHint(std::chrono::seconds(60));
  EXPECT_EQ(*bundle.marshalSpire(), "{\n    \"keys\": [\n" + kJwk +
                                        "    ],\n    \"spiffe_sequence\": 2,\n"
                                        "    \"spiffe_refresh_hint\": 60\n}");
  SpireMarshalOptions options;
  options.refresh_hint = std::chrono::seconds(10);
  options.sequence_number = 9;
  EXPECT_NE(bundle.marshalSpire(options)->find("\"spiffe_refresh_hint\": 10"), std::string::npos);
  EXPECT_NE(bundle.marshalSpire(options)->find("\"spiffe_sequence\": 9"), std::string::npos);

  SpireMarshalOptions standard;
  standard.standard_jwks = true;
  standard.no_x509_svid_keys = true;
  bundle.addX509Authority(ca_);
  std::string jwks = *bundle.marshalSpire(standard);
  EXPECT_EQ(jwks, *jwt::JwtBundle(bundle.toJwtBundle()).toJwks(jwt::JwksStyle::kSpireIndented));
  SpireMarshalOptions no_jwt;
  no_jwt.no_jwt_svid_keys = true;
  EXPECT_EQ(bundle.marshalSpire(no_jwt)->find("jwt-svid"), std::string::npos);
  EXPECT_NE(bundle.marshalSpire(no_jwt)->find("x509-svid"), std::string::npos);
  EXPECT_EQ(*SpiffeBundle(td()).marshalSpire(), "{\n    \"keys\": []\n}");
}

TEST_F(SpiffeBundleTest, RoundTrips) {
  SpiffeBundle bundle(td());
  bundle.addX509Authority(ca_);
  bundle.addX509Authority(makeCaCert(jwt::testing::sharedRsaKey(), "rsa"));
  for (const char* kind : {"P-256", "P-384", "P-521", "ED25519"}) {
    ASSERT_TRUE(bundle.addJwtAuthority(kind, publicOf(*makeKey(kind))).isOk());
  }
  ASSERT_TRUE(bundle.addJwtAuthority("rsa", publicOf(jwt::testing::sharedRsaKey())).isOk());
  ASSERT_TRUE(bundle.addWitAuthority("wit", publicOf(*jwt_key_)).isOk());
  bundle.setSequenceNumber(42);
  bundle.setRefreshHint(std::chrono::seconds(300));

  Result<SpiffeBundle> compact = SpiffeBundle::parse(td(), *bundle.marshal());
  ASSERT_TRUE(compact.isOk()) << compact.status().toString();
  EXPECT_TRUE(compact->equals(bundle));

  Result<SpiffeBundle> spire = SpiffeBundle::parse(td(), *bundle.marshalSpire());
  ASSERT_TRUE(spire.isOk()) << spire.status().toString();
  EXPECT_EQ(spire->x509Authorities().size(), 2u);
  EXPECT_EQ(spire->jwtAuthorities().size(), 5u);
  EXPECT_TRUE(spire->witAuthorities().empty()); // SPIRE's marshaller has no WIT keys
  EXPECT_EQ(spire->sequenceNumber(), 42u);

  SpiffeBundle changed = *compact;
  changed.setSequenceNumber(43);
  EXPECT_FALSE(changed.equals(bundle));
}

TEST_F(SpiffeBundleTest, Conversions) {
  x509::X509Bundle x509(td(), {ca_});
  SpiffeBundle from_x509 = SpiffeBundle::fromX509Bundle(x509);
  EXPECT_EQ(from_x509.trustDomain(), td());
  EXPECT_TRUE(from_x509.toX509Bundle().equals(x509));
  EXPECT_TRUE(from_x509.jwtAuthorities().empty());

  jwt::JwtBundle jwt_bundle(td("other.org"));
  ASSERT_TRUE(jwt_bundle.addAuthority("k", publicOf(*jwt_key_)).isOk());
  SpiffeBundle from_jwt = SpiffeBundle::fromJwtBundle(jwt_bundle);
  EXPECT_EQ(from_jwt.trustDomain(), td("other.org"));
  EXPECT_TRUE(from_jwt.toJwtBundle().equals(jwt_bundle));
  EXPECT_TRUE(from_jwt.x509Authorities().empty());
  EXPECT_EQ(from_jwt.toX509Bundle().trustDomain(), td("other.org"));
}

} // namespace
} // namespace spire::bundle
