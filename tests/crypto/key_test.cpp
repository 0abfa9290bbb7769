#include "crypto/key.h"

#include <gtest/gtest.h>

#include <openssl/pem.h>

#include "crypto/pem.h"
#include "support/command.h"
#include "support/temp_dir.h"

namespace spire::crypto {
namespace {

EvpPkeyPtr generateOrDie(KeyType type) {
  Result<EvpPkeyPtr> key = generateKey(type);
  EXPECT_TRUE(key.isOk()) << key.status().toString();
  return std::move(*key);
}

// The "traditional" encodings Go's PKCS#8 parser refuses: PKCS#1 for RSA, SEC1 for EC.
std::string traditionalDer(const EVP_PKEY& key) {
  int len = i2d_PrivateKey(&key, nullptr);
  std::string out(static_cast<size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  i2d_PrivateKey(&key, &p);
  return out;
}

std::string traditionalPem(const EVP_PKEY& key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey_traditional(bio.get(), &key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

TEST(KeyTypeTest, ParsesSpireNames) {
  const std::pair<std::string_view, KeyType> cases[] = {{"ec-p256", KeyType::kEcP256},
                                                        {"ec-p384", KeyType::kEcP384},
                                                        {"rsa-2048", KeyType::kRsa2048},
                                                        {"rsa-4096", KeyType::kRsa4096}};
  for (const auto& [name, type] : cases) {
    Result<KeyType> parsed = parseKeyType(name);
    ASSERT_TRUE(parsed.isOk()) << name;
    EXPECT_EQ(*parsed, type);
    EXPECT_EQ(keyTypeName(type), name);
  }
}

TEST(KeyTypeTest, RejectsOtherNames) {
  for (std::string_view name : {"", "EC-P256", "ec-p521", "rsa-1024", "ec_p256", "ec-p256 "}) {
    Result<KeyType> parsed = parseKeyType(name);
    ASSERT_FALSE(parsed.isOk()) << name;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(parsed.status().message(), "unsupported key type \"" + std::string(name) + "\"");
  }
}

class KeyRoundTripTest : public ::testing::TestWithParam<KeyType> {};

TEST_P(KeyRoundTripTest, GeneratesAndRoundTripsEveryEncoding) {
  EvpPkeyPtr key = generateOrDie(GetParam());
  Result<KeyType> type = keyTypeOf(*key);
  ASSERT_TRUE(type.isOk());
  EXPECT_EQ(*type, GetParam());

  Result<std::string> der = marshalPkcs8PrivateKeyDer(*key);
  ASSERT_TRUE(der.isOk());
  Result<EvpPkeyPtr> from_der = parsePkcs8PrivateKeyDer(*der);
  ASSERT_TRUE(from_der.isOk()) << from_der.status().toString();
  EXPECT_TRUE(publicKeysEqual(*key, **from_der));
  EXPECT_EQ(*marshalPkcs8PrivateKeyDer(**from_der), *der);

  Result<std::string> pem = marshalPkcs8PrivateKeyPem(*key);
  ASSERT_TRUE(pem.isOk());
  EXPECT_EQ(pem->rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
  Result<EvpPkeyPtr> from_pem = parsePkcs8PrivateKeyPem(*pem);
  ASSERT_TRUE(from_pem.isOk());
  EXPECT_TRUE(publicKeysEqual(*key, **from_pem));

  Result<std::string> pub_der = marshalPublicKeyDer(*key);
  ASSERT_TRUE(pub_der.isOk());
  Result<EvpPkeyPtr> pub = parsePublicKeyDer(*pub_der);
  ASSERT_TRUE(pub.isOk());
  EXPECT_TRUE(publicKeysEqual(*key, **pub));
  EXPECT_TRUE(publicKeysEqual(**pub, *key));
  EXPECT_EQ(*keyTypeOf(**pub), GetParam());

  Result<std::string> pub_pem = marshalPublicKeyPem(**pub);
  ASSERT_TRUE(pub_pem.isOk());
  EXPECT_EQ(pub_pem->rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);
  Result<EvpPkeyPtr> pub_again = parsePublicKeyPem(*pub_pem);
  ASSERT_TRUE(pub_again.isOk());
  EXPECT_EQ(*marshalPublicKeyDer(**pub_again), *pub_der);
}

INSTANTIATE_TEST_SUITE_P(AllKeyTypes, KeyRoundTripTest,
                         ::testing::Values(KeyType::kEcP256, KeyType::kEcP384, KeyType::kRsa2048,
                                           KeyType::kRsa4096),
                         [](const auto& info) {
                           std::string name(keyTypeName(info.param));
                           std::erase(name, '-');
                           return name;
                         });

TEST(KeyTest, DifferentKeysAreNotEqual) {
  EvpPkeyPtr a = generateOrDie(KeyType::kEcP256);
  EvpPkeyPtr b = generateOrDie(KeyType::kEcP256);
  EvpPkeyPtr c = generateOrDie(KeyType::kEcP384);
  EvpPkeyPtr d = generateOrDie(KeyType::kRsa2048);
  EXPECT_TRUE(publicKeysEqual(*a, *a));
  EXPECT_FALSE(publicKeysEqual(*a, *b));
  EXPECT_FALSE(publicKeysEqual(*a, *c));
  EXPECT_FALSE(publicKeysEqual(*a, *d));
  EXPECT_FALSE(publicKeysEqual(*d, *a));
}

TEST(KeyTest, KeyTypeOfRejectsUnsupportedKeys) {
  EvpPkeyPtr ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  ASSERT_TRUE(ed);
  EXPECT_EQ(keyTypeOf(*ed).status(),
            Status(StatusCode::kInvalidArgument, "unsupported key type ED25519"));

  EvpPkeyPtr p521(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521"));
  ASSERT_TRUE(p521);
  EXPECT_EQ(keyTypeOf(*p521).status(),
            Status(StatusCode::kInvalidArgument, "unsupported EC curve \"secp521r1\""));

  EvpPkeyPtr rsa1024(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024)));
  ASSERT_TRUE(rsa1024);
  EXPECT_EQ(keyTypeOf(*rsa1024).status(),
            Status(StatusCode::kInvalidArgument, "unsupported RSA key size 1024"));
}

TEST(KeyTest, Pkcs8ParserRefusesPkcs1AndSec1) {
  for (KeyType type : {KeyType::kRsa2048, KeyType::kEcP256}) {
    EvpPkeyPtr key = generateOrDie(type);
    Result<EvpPkeyPtr> parsed = parsePkcs8PrivateKeyDer(traditionalDer(*key));
    EXPECT_EQ(parsed.status(),
              Status(StatusCode::kInvalidArgument, std::string(kMalformedPrivateKey)));

    std::string pem = traditionalPem(*key);
    ASSERT_NE(
        pem.find(type == KeyType::kRsa2048 ? "BEGIN RSA PRIVATE KEY" : "BEGIN EC PRIVATE KEY"),
        std::string::npos);
    EXPECT_EQ(parsePkcs8PrivateKeyPem(pem).status(),
              Status(StatusCode::kInvalidArgument, "no PRIVATE KEY PEM block found"));
  }
}

TEST(KeyTest, PrivateKeyParseErrors) {
  EvpPkeyPtr key = generateOrDie(KeyType::kEcP256);
  std::string der = *marshalPkcs8PrivateKeyDer(*key);
  EXPECT_EQ(parsePkcs8PrivateKeyDer("").status(),
            Status(StatusCode::kInvalidArgument, std::string(kMalformedPrivateKey)));
  EXPECT_EQ(parsePkcs8PrivateKeyDer(der.substr(0, der.size() - 1)).status(),
            Status(StatusCode::kInvalidArgument, std::string(kMalformedPrivateKey)));
  EXPECT_EQ(parsePkcs8PrivateKeyDer(der + "x").status(),
            Status(StatusCode::kInvalidArgument, std::string(kTrailingKeyData)));
  EXPECT_EQ(parsePkcs8PrivateKeyPem("not PEM").status(),
            Status(StatusCode::kInvalidArgument, "no PEM blocks found"));
}

TEST(KeyTest, PemParserSkipsOtherBlocks) {
  EvpPkeyPtr key = generateOrDie(KeyType::kEcP384);
  std::string text = encodePem("CERTIFICATE", "not a certificate") + "junk between\n" +
                     *marshalPkcs8PrivateKeyPem(*key);
  Result<EvpPkeyPtr> parsed = parsePkcs8PrivateKeyPem(text);
  ASSERT_TRUE(parsed.isOk()) << parsed.status().toString();
  EXPECT_TRUE(publicKeysEqual(*key, **parsed));
}

TEST(KeyTest, PublicKeyParseErrors) {
  EvpPkeyPtr key = generateOrDie(KeyType::kEcP256);
  std::string der = *marshalPublicKeyDer(*key);
  EXPECT_EQ(parsePublicKeyDer("garbage").status(),
            Status(StatusCode::kInvalidArgument, std::string(kMalformedPublicKey)));
  EXPECT_EQ(parsePublicKeyDer(der + "x").status(),
            Status(StatusCode::kInvalidArgument, std::string(kTrailingKeyData)));
  // A private key is not a SubjectPublicKeyInfo.
  EXPECT_EQ(parsePublicKeyDer(*marshalPkcs8PrivateKeyDer(*key)).status(),
            Status(StatusCode::kInvalidArgument, std::string(kMalformedPublicKey)));
  EXPECT_EQ(parsePublicKeyPem(*marshalPkcs8PrivateKeyPem(*key)).status(),
            Status(StatusCode::kInvalidArgument, "no PUBLIC KEY PEM block found"));
}

TEST(KeyTest, FingerprintIsSha256OfPkixDer) {
  EvpPkeyPtr key = generateOrDie(KeyType::kEcP256);
  Result<std::string> fingerprint = publicKeyFingerprint(*key);
  ASSERT_TRUE(fingerprint.isOk());
  EXPECT_EQ(fingerprint->size(), 64u);
  Result<EvpPkeyPtr> pub = parsePublicKeyDer(*marshalPublicKeyDer(*key));
  EXPECT_EQ(*publicKeyFingerprint(**pub), *fingerprint);
  EXPECT_NE(*publicKeyFingerprint(*generateOrDie(KeyType::kEcP256)), *fingerprint);
}

// Cross-check with the openssl CLI: it reads our PKCS#8 PEM and derives the same PKIX PEM.
TEST(KeyCrossCheckTest, OpenSslCliReadsOurKeys) {
  if (!testing::haveOpenSslCli()) {
    GTEST_SKIP() << "openssl CLI not available";
  }
  testing::TempDir dir;
  for (KeyType type : {KeyType::kEcP256, KeyType::kEcP384, KeyType::kRsa2048}) {
    EvpPkeyPtr key = generateOrDie(type);
    std::string path = dir.writeFile("key.pem", *marshalPkcs8PrivateKeyPem(*key));
    testing::CommandResult result = testing::runCommand("openssl pkey -in " + path + " -pubout");
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_EQ(result.output, *marshalPublicKeyPem(*key));
    testing::CommandResult fingerprint = testing::runCommand(
        "openssl pkey -in " + path + " -pubout -outform DER | openssl dgst -sha256 -r");
    ASSERT_EQ(fingerprint.exit_code, 0) << fingerprint.output;
    EXPECT_EQ(fingerprint.output.substr(0, 64), *publicKeyFingerprint(*key));
  }
}

} // namespace
} // namespace spire::crypto
