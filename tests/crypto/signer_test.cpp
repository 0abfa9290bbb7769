#include "crypto/signer.h"

#include <gtest/gtest.h>

#include <tuple>

#include "crypto/key.h"
#include "support/command.h"
#include "support/fixture_keys.h"
#include "support/temp_dir.h"

namespace spire::crypto {
namespace {

const Status kBadSignature(StatusCode::kInvalidArgument, "signature verification failed");

using SignParam = std::tuple<KeyType, HashAlgorithm, RsaPadding>;

class SignerTest : public ::testing::TestWithParam<SignParam> {
protected:
  void SetUp() override {
    // Fixture keys: generating two RSA keys per case would dominate the suite's run time.
    key_ = testing::fixtureKey(keyType(), 1);
    other_ = testing::fixtureKey(keyType(), 2);
    Result<EvpPkeyPtr> pub = parsePublicKeyDer(*marshalPublicKeyDer(*key_));
    ASSERT_TRUE(pub.isOk());
    public_ = std::move(*pub);
  }
  KeyType keyType() const { return std::get<0>(GetParam()); }
  HashAlgorithm hash() const { return std::get<1>(GetParam()); }
  RsaPadding padding() const { return std::get<2>(GetParam()); }
  bool isRsa() const { return keyType() == KeyType::kRsa2048 || keyType() == KeyType::kRsa4096; }

  EvpPkeyPtr key_;
  EvpPkeyPtr other_;
  EvpPkeyPtr public_;
};

TEST_P(SignerTest, SignsAndVerifies) {
  Result<std::string> sig = signMessage(*key_, "hello", hash(), padding());
  ASSERT_TRUE(sig.isOk()) << sig.status().toString();
  EXPECT_TRUE(verifyMessage(*public_, "hello", *sig, hash(), padding()).isOk());
  EXPECT_TRUE(verifyMessage(*key_, "hello", *sig, hash(), padding()).isOk());
  EXPECT_TRUE(verifyDigest(*public_, digest(hash(), "hello"), *sig, hash(), padding()).isOk());
  if (!isRsa()) {
    // ECDSA signatures are DER SEQUENCEs.
    EXPECT_EQ(static_cast<unsigned char>((*sig)[0]), 0x30);
  }
}

TEST_P(SignerTest, SignDigestMatchesSignMessage) {
  Result<std::string> sig = signDigest(*key_, digest(hash(), "payload"), hash(), padding());
  ASSERT_TRUE(sig.isOk()) << sig.status().toString();
  EXPECT_TRUE(verifyMessage(*public_, "payload", *sig, hash(), padding()).isOk());
}

TEST_P(SignerTest, RejectsTamperedMessageSignatureAndWrongKey) {
  std::string sig = *signMessage(*key_, "hello", hash(), padding());
  EXPECT_EQ(verifyMessage(*public_, "hellO", sig, hash(), padding()), kBadSignature);
  std::string flipped = sig;
  flipped[flipped.size() / 2] ^= 0x01;
  EXPECT_EQ(verifyMessage(*public_, "hello", flipped, hash(), padding()), kBadSignature);
  EXPECT_EQ(verifyMessage(*public_, "hello", "", hash(), padding()), kBadSignature);
  EXPECT_EQ(verifyMessage(*other_, "hello", sig, hash(), padding()), kBadSignature);
  HashAlgorithm other_hash =
      hash() == HashAlgorithm::kSha256 ? HashAlgorithm::kSha384 : HashAlgorithm::kSha256;
  EXPECT_EQ(verifyMessage(*public_, "hello", sig, other_hash, padding()), kBadSignature);
  if (isRsa()) {
    RsaPadding other_padding =
        padding() == RsaPadding::kPss ? RsaPadding::kPkcs1v15 : RsaPadding::kPss;
    EXPECT_EQ(verifyMessage(*public_, "hello", sig, hash(), other_padding), kBadSignature);
  }
}

TEST_P(SignerTest, RejectsDigestOfWrongSize) {
  std::string short_digest(digestSize(hash()) - 1, 'a');
  std::string expected = "digest is " + std::to_string(short_digest.size()) + " bytes, " +
                         std::string(hashAlgorithmName(hash())) + " needs " +
                         std::to_string(digestSize(hash()));
  EXPECT_EQ(signDigest(*key_, short_digest, hash(), padding()).status(),
            Status(StatusCode::kInvalidArgument, expected));
  EXPECT_EQ(verifyDigest(*public_, short_digest, "sig", hash(), padding()),
            Status(StatusCode::kInvalidArgument, expected));
}

// The openssl CLI verifies our signatures (PSS with salt length = digest length).
TEST_P(SignerTest, CrossCheckOpenSslCliVerifies) {
  if (!testing::haveOpenSslCli()) {
    GTEST_SKIP() << "openssl CLI not available";
  }
  testing::TempDir dir;
  std::string sig = *signMessage(*key_, "cross-check message", hash(), padding());
  std::string msg_path = dir.writeFile("msg", "cross-check message");
  std::string sig_path = dir.writeFile("sig", sig);
  std::string pub_path = dir.writeFile("pub.pem", *marshalPublicKeyPem(*key_));
  std::string hash_flag = hash() == HashAlgorithm::kSha256   ? "-sha256"
                          : hash() == HashAlgorithm::kSha384 ? "-sha384"
                                                             : "-sha512";
  std::string command =
      "openssl dgst " + hash_flag + " -verify " + pub_path + " -signature " + sig_path;
  if (isRsa() && padding() == RsaPadding::kPss) {
    command += " -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest";
  }
  testing::CommandResult result = testing::runCommand(command + " " + msg_path);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("Verified OK"), std::string::npos) << result.output;

  std::string bad_path = dir.writeFile("msg2", "another message");
  EXPECT_NE(testing::runCommand(command + " " + bad_path).exit_code, 0);
}

std::string paramName(const ::testing::TestParamInfo<SignParam>& info) {
  std::string name(keyTypeName(std::get<0>(info.param)));
  std::erase(name, '-');
  name += "_" + std::string(hashAlgorithmName(std::get<1>(info.param)));
  if (std::get<0>(info.param) == KeyType::kRsa2048) {
    name += std::get<2>(info.param) == RsaPadding::kPss ? "_PSS" : "_PKCS1";
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Ec, SignerTest,
                         ::testing::Combine(::testing::Values(KeyType::kEcP256, KeyType::kEcP384),
                                            ::testing::Values(HashAlgorithm::kSha256,
                                                              HashAlgorithm::kSha384,
                                                              HashAlgorithm::kSha512),
                                            ::testing::Values(RsaPadding::kPkcs1v15)),
                         paramName);
INSTANTIATE_TEST_SUITE_P(
    Rsa, SignerTest,
    ::testing::Combine(::testing::Values(KeyType::kRsa2048),
                       ::testing::Values(HashAlgorithm::kSha256, HashAlgorithm::kSha384,
                                         HashAlgorithm::kSha512),
                       ::testing::Values(RsaPadding::kPkcs1v15, RsaPadding::kPss)),
    paramName);

} // namespace
} // namespace spire::crypto
