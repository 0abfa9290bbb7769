// KeyManager "memory" and "disk" logic, driven directly (the .so wrappers are tested through the
// plugin host in plugin_load_test.cpp).

#include <filesystem>
#include <fstream>
#include <sys/stat.h>

#include <gtest/gtest.h>
#include <openssl/rsa.h>

#include "builtin_plugins/test_pki.h"
#include "key_manager/disk/disk_key_manager.h"
#include "key_manager/memory/memory_key_manager.h"
#include "shared/crypto_util.h"
#include "shared/file_util.h"

namespace spire::builtin::key_manager {
namespace {

using testing::TempDir;

PkeyPtr publicKeyFrom(const std::string& pkix) {
  const auto* p = reinterpret_cast<const unsigned char*>(pkix.data());
  return PkeyPtr(d2i_PUBKEY(nullptr, &p, static_cast<long>(pkix.size())));
}

// Verifies `sig` over `digest` with OpenSSL from the PKIX key the key manager published.
bool verify(const std::string& pkix, const std::string& digest, const std::string& sig,
            const EVP_MD* md, bool pss = false, int salt = RSA_PSS_SALTLEN_AUTO) {
  PkeyPtr key = publicKeyFrom(pkix);
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (EVP_PKEY_verify_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_signature_md(ctx.get(), md) != 1) {
    return false;
  }
  if (EVP_PKEY_is_a(key.get(), "RSA")) {
    EVP_PKEY_CTX_set_rsa_padding(ctx.get(), pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING);
    if (pss) {
      EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), salt);
    }
  }
  return EVP_PKEY_verify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                         reinterpret_cast<const unsigned char*>(digest.data()), digest.size()) == 1;
}

std::string digestOf(const EVP_MD* md, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<const char*>(out), len);
}

TEST(KeyStoreTest, GeneratesEachKeyTypeAndSignsVerifiably) {
  KeyStore store;
  struct Case {
    KeyType type;
    HashAlgorithm hash;
    const EVP_MD* md;
  };
  for (const Case& c : {Case{KeyType::kEcP256, HashAlgorithm::kSha256, EVP_sha256()},
                        Case{KeyType::kEcP384, HashAlgorithm::kSha384, EVP_sha384()},
                        Case{KeyType::kRsa2048, HashAlgorithm::kSha256, EVP_sha256()},
                        Case{KeyType::kRsa4096, HashAlgorithm::kSha512, EVP_sha512()}}) {
    std::string id = "key-" + std::to_string(static_cast<int>(c.type));
    auto pub = store.generateKey(id, c.type);
    ASSERT_TRUE(pub.isOk()) << pub.status().message();
    EXPECT_EQ(pub->id, id);
    EXPECT_EQ(pub->type, c.type);
    EXPECT_EQ(pub->fingerprint, hexEncode(sha256(pub->pkix_der)));
    auto parsed = publicKeyFrom(pub->pkix_der);
    ASSERT_NE(parsed, nullptr);
    auto type = KeyStore::keyTypeOf(parsed.get());
    ASSERT_TRUE(type.isOk());
    EXPECT_EQ(*type, c.type);

    std::string digest = digestOf(c.md, "hello " + id);
    auto sig = store.signData(id, digest, SignOptions{c.hash});
    ASSERT_TRUE(sig.isOk()) << sig.status().message();
    EXPECT_EQ(sig->key_fingerprint, pub->fingerprint);
    EXPECT_TRUE(verify(pub->pkix_der, digest, sig->signature, c.md));
    EXPECT_FALSE(verify(pub->pkix_der, digestOf(c.md, "other"), sig->signature, c.md));
  }
  EXPECT_EQ(store.getPublicKeys().size(), 4u);
}

TEST(KeyStoreTest, RsaPssHonoursSaltLength) {
  KeyStore store;
  ASSERT_TRUE(store.generateKey("rsa", KeyType::kRsa2048).isOk());
  auto pub = store.getPublicKey("rsa");
  ASSERT_TRUE(pub.isOk());
  std::string digest = digestOf(EVP_sha256(), "pss");

  SignOptions opts{HashAlgorithm::kSha256, /*pss=*/true, /*salt_length=*/0};
  auto sig = store.signData("rsa", digest, opts);
  ASSERT_TRUE(sig.isOk()) << sig.status().message();
  // 0 means "the digest length": verifying with exactly 32 bytes of salt must pass.
  EXPECT_TRUE(verify(pub->pkix_der, digest, sig->signature, EVP_sha256(), true, 32));
  EXPECT_FALSE(verify(pub->pkix_der, digest, sig->signature, EVP_sha256(), true, 20));

  opts.salt_length = 20;
  sig = store.signData("rsa", digest, opts);
  ASSERT_TRUE(sig.isOk()) << sig.status().message();
  EXPECT_TRUE(verify(pub->pkix_der, digest, sig->signature, EVP_sha256(), true, 20));
  EXPECT_FALSE(verify(pub->pkix_der, digest, sig->signature, EVP_sha256(), true, 32));

  opts.salt_length = -7;
  auto bad = store.signData("rsa", digest, opts);
  ASSERT_FALSE(bad.isOk());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "failed to sign data: invalid PSS salt length -7");
}

TEST(KeyStoreTest, GenerateOverwritesWithNewFingerprint) {
  KeyStore store;
  auto first = store.generateKey("x509-CA-A", KeyType::kEcP256);
  auto second = store.generateKey("x509-CA-A", KeyType::kEcP384);
  ASSERT_TRUE(first.isOk());
  ASSERT_TRUE(second.isOk());
  EXPECT_NE(first->fingerprint, second->fingerprint);
  auto current = store.getPublicKey("x509-CA-A");
  ASSERT_TRUE(current.isOk());
  EXPECT_EQ(current->type, KeyType::kEcP384);
  EXPECT_EQ(current->fingerprint, second->fingerprint);
  EXPECT_EQ(store.getPublicKeys().size(), 1u);
}

TEST(KeyStoreTest, RejectsBadRequestsWithSpireMessages) {
  KeyStore store;
  auto r = store.generateKey("", KeyType::kEcP256);
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "failed to generate key: key id is required");
  r = store.generateKey("a", KeyType::kUnspecified);
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "failed to generate key: key type is required");
  r = store.generateKey("a", static_cast<KeyType>(9));
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "failed to generate key: unable to generate key \"a\" for unknown key type 9");

  auto missing = store.getPublicKey("nope");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().message(), "no such key \"nope\"");
  EXPECT_EQ(store.getPublicKey("").status().message(), "key id is required");

  std::string digest = digestOf(EVP_sha256(), "x");
  auto s = store.signData("nope", digest, SignOptions{HashAlgorithm::kSha256});
  EXPECT_EQ(s.status().code(), Code::kNotFound);
  EXPECT_EQ(s.status().message(), "failed to sign data: no such key \"nope\"");
  s = store.signData("", digest, SignOptions{HashAlgorithm::kSha256});
  EXPECT_EQ(s.status().message(), "failed to sign data: key id is required");

  ASSERT_TRUE(store.generateKey("ec", KeyType::kEcP256).isOk());
  s = store.signData("ec", digest, SignOptions{HashAlgorithm::kUnspecified});
  EXPECT_EQ(s.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(s.status().message(), "failed to sign data: hash algorithm is required");
  s = store.signData("ec", digest, SignOptions{HashAlgorithm::kUnspecified, true});
  EXPECT_EQ(s.status().message(), "failed to sign data: hash algorithm in PSS options is required");
  s = store.signData("ec", digest, SignOptions{static_cast<HashAlgorithm>(3)});
  EXPECT_EQ(s.status().message(), "failed to sign data: unsupported hash algorithm 3");
  s = store.signData("ec", digest, SignOptions{HashAlgorithm::kSha384});
  EXPECT_EQ(s.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(s.status().message(), "failed to sign data: data length 32 does not match the digest "
                                  "size 48 of the hash algorithm");
  s = store.signData("ec", digest, SignOptions{HashAlgorithm::kSha256, true});
  EXPECT_EQ(s.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(s.status().message(), "failed to sign data: PSS options are only valid for RSA keys");
}

TEST(KeyStoreTest, PersistFailureRollsBack) {
  bool fail = false;
  KeyStore store([&](const std::map<std::string, KeyStore::Entry>&) {
    return fail ? internalError("disk full") : okStatus();
  });
  auto kept = store.generateKey("k", KeyType::kEcP256);
  ASSERT_TRUE(kept.isOk());
  fail = true;
  auto r = store.generateKey("k", KeyType::kEcP256);
  EXPECT_EQ(r.status().code(), Code::kInternal);
  EXPECT_EQ(r.status().message(), "failed to generate key: disk full");
  EXPECT_EQ(store.getPublicKey("k")->fingerprint, kept->fingerprint);
  r = store.generateKey("new", KeyType::kEcP256);
  EXPECT_FALSE(r.isOk());
  EXPECT_EQ(store.getPublicKey("new").status().code(), Code::kNotFound);
}

TEST(MemoryKeyManagerTest, AcceptsEmptyConfigRejectsUnknownKeys) {
  MemoryKeyManager km;
  EXPECT_TRUE(km.configure("").isOk());
  EXPECT_TRUE(km.configure("{}").isOk());
  Status st = km.configure(R"({"keys_path": "/tmp/x"})");
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "unknown configuration key \"keys_path\"");
  st = km.configure("[1]");
  EXPECT_EQ(st.message(), "unable to decode configuration: not a JSON object");
  st = km.configure("{");
  EXPECT_EQ(st.message(), "unable to decode configuration: not valid JSON");
}

TEST(DiskKeyManagerTest, PersistsWith0600AndReloads) {
  TempDir dir;
  const std::string path = dir.file("keys.json");
  std::string fingerprint;
  {
    DiskKeyManager km;
    ASSERT_TRUE(km.configure(R"({"keys_path": ")" + path + R"("})").isOk());
    EXPECT_FALSE(std::filesystem::exists(path)); // nothing written until a key exists
    auto pub = km.store()->generateKey("x509-CA-A", KeyType::kEcP256);
    ASSERT_TRUE(pub.isOk()) << pub.status().message();
    ASSERT_TRUE(km.store()->generateKey("JWT-Signer-A", KeyType::kRsa2048).isOk());
    fingerprint = pub->fingerprint;
  }
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  // No temp file is left behind by the atomic write.
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) {
    ++files;
  }
  EXPECT_EQ(files, 1u);

  DiskKeyManager reloaded;
  ASSERT_TRUE(reloaded.configure(R"({"keys_path": ")" + path + R"("})").isOk());
  auto keys = reloaded.store()->getPublicKeys();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].id, "JWT-Signer-A");
  EXPECT_EQ(keys[0].type, KeyType::kRsa2048);
  EXPECT_EQ(keys[1].id, "x509-CA-A");
  EXPECT_EQ(keys[1].fingerprint, fingerprint);
  // The reloaded private key still signs for the same public key.
  std::string digest = digestOf(EVP_sha256(), "after restart");
  auto sig = reloaded.store()->signData("x509-CA-A", digest, SignOptions{HashAlgorithm::kSha256});
  ASSERT_TRUE(sig.isOk());
  EXPECT_TRUE(verify(keys[1].pkix_der, digest, sig->signature, EVP_sha256()));
}

TEST(DiskKeyManagerTest, AgentDirectoryUsesKeysJson) {
  TempDir dir;
  DiskKeyManager km;
  ASSERT_TRUE(km.configure(R"({"directory": ")" + dir.path() + R"("})").isOk());
  EXPECT_EQ(km.keysPath(), dir.file("keys.json"));
  ASSERT_TRUE(km.store()->generateKey("agent-svid-A", KeyType::kEcP256).isOk());
  EXPECT_TRUE(std::filesystem::exists(dir.file("keys.json")));
}

TEST(DiskKeyManagerTest, ReconfigureKeepsKeysInMemory) {
  TempDir dir;
  DiskKeyManager km;
  ASSERT_TRUE(km.configure(R"({"keys_path": ")" + dir.file("a.json") + R"("})").isOk());
  ASSERT_TRUE(km.store()->generateKey("k", KeyType::kEcP256).isOk());
  ASSERT_TRUE(km.configure(R"({"keys_path": ")" + dir.file("b.json") + R"("})").isOk());
  EXPECT_TRUE(km.store()->getPublicKey("k").isOk());
  ASSERT_TRUE(km.store()->generateKey("k2", KeyType::kEcP256).isOk());
  auto decoded = DiskKeyManager::decodeKeys(*readFile(dir.file("b.json")));
  ASSERT_TRUE(decoded.isOk());
  EXPECT_EQ(decoded->size(), 2u);
}

TEST(DiskKeyManagerTest, ConfigErrors) {
  DiskKeyManager km;
  EXPECT_EQ(km.store(), nullptr);
  Status st = km.configure("{}");
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "keys_path (server) or directory (agent) is required");
  st = km.configure(R"({"keys_path": "/a", "directory": "/b"})");
  EXPECT_EQ(st.message(), "only one of keys_path or directory may be set");
  st = km.configure(R"({"keys_path": 5})");
  EXPECT_EQ(st.message(), "configuration key \"keys_path\" must be a string");
  st = km.configure(R"({"path": "/a"})");
  EXPECT_EQ(st.message(), "unknown configuration key \"path\"");
  EXPECT_EQ(km.store(), nullptr);
}

TEST(DiskKeyManagerTest, CorruptKeyFileFailsConfigure) {
  TempDir dir;
  DiskKeyManager km;
  std::string path = dir.write("keys.json", R"({"keys": {"k": "!!notbase64"}})");
  Status st = km.configure(R"({"keys_path": ")" + path + R"("})");
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "unable to load keys from \"" + path +
                              "\": malformed keys file: key \"k\" is not base64");
  dir.write("keys.json", "not json");
  st = km.configure(R"({"keys_path": ")" + path + R"("})");
  EXPECT_EQ(st.message(),
            "unable to load keys from \"" + path + "\": malformed keys file: not a JSON object");
  // A P-521 key is not a SPIRE key type.
  PkeyPtr p521 = testing::makeEcKey("P-521");
  dir.write("keys.json",
            R"({"keys": {"odd": ")" + base64Encode(privateKeyPkcs8Der(p521.get())) + R"("}})");
  st = km.configure(R"({"keys_path": ")" + path + R"("})");
  EXPECT_EQ(st.message(), "unable to load keys from \"" + path +
                              "\": unable to make key entry for key \"odd\": no EC key type for "
                              "EC curve: secp521r1");
}

TEST(DiskKeyManagerTest, WriteFailureKeepsPreviousState) {
  TempDir dir;
  DiskKeyManager km;
  std::string path = dir.file("missing-dir/keys.json");
  ASSERT_TRUE(km.configure(R"({"keys_path": ")" + path + R"("})").isOk());
  auto r = km.store()->generateKey("k", KeyType::kEcP256);
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().code(), Code::kInternal);
  EXPECT_EQ(r.status().message().rfind("failed to generate key: unable to write key file: unable "
                                       "to create temp file for \"" +
                                           path + "\"",
                                       0),
            0u)
      << r.status().message();
  EXPECT_EQ(km.store()->getPublicKey("k").status().code(), Code::kNotFound);
}

} // namespace
} // namespace spire::builtin::key_manager
