#include "key_manager/common/key_store.h"

#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include "shared/crypto_util.h"

namespace spire::builtin::key_manager {

namespace {

const EVP_MD* mdFor(HashAlgorithm hash) {
  switch (hash) {
  case HashAlgorithm::kSha224:
    return EVP_sha224();
  case HashAlgorithm::kSha256:
    return EVP_sha256();
  case HashAlgorithm::kSha384:
    return EVP_sha384();
  case HashAlgorithm::kSha512:
    return EVP_sha512();
  case HashAlgorithm::kSha3_224:
    return EVP_sha3_224();
  case HashAlgorithm::kSha3_256:
    return EVP_sha3_256();
  case HashAlgorithm::kSha3_384:
    return EVP_sha3_384();
  case HashAlgorithm::kSha3_512:
    return EVP_sha3_512();
  case HashAlgorithm::kSha512_224:
    return EVP_sha512_224();
  case HashAlgorithm::kSha512_256:
    return EVP_sha512_256();
  case HashAlgorithm::kUnspecified:
    break;
  }
  return nullptr;
}

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

Result<PublicKey> makePublicKey(const std::string& id, KeyType type, const EVP_PKEY* key) {
  PublicKey pub;
  pub.id = id;
  pub.type = type;
  pub.pkix_der = publicKeyDer(key);
  if (pub.pkix_der.empty()) {
    return internalError("failed to marshal public key for entry " + quoted(id) + ": " +
                         takeOsslErrors());
  }
  pub.fingerprint = hexEncode(sha256(pub.pkix_der));
  return pub;
}

} // namespace

Result<PkeyPtr> KeyStore::newKey(KeyType type) {
  EVP_PKEY* raw = nullptr;
  switch (type) {
  case KeyType::kEcP256:
    raw = EVP_EC_gen("P-256");
    break;
  case KeyType::kEcP384:
    raw = EVP_EC_gen("P-384");
    break;
  case KeyType::kRsa2048:
    raw = EVP_RSA_gen(2048);
    break;
  case KeyType::kRsa4096:
    raw = EVP_RSA_gen(4096);
    break;
  case KeyType::kUnspecified:
    return invalidArgument("key type is required");
  }
  if (raw == nullptr) {
    return internalError("key generation failed: " + takeOsslErrors());
  }
  return PkeyPtr(raw);
}

Result<KeyType> KeyStore::keyTypeOf(const EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &len) != 1) {
      return invalidArgument("EC key without a named curve");
    }
    std::string name(group, len);
    if (name == "prime256v1" || name == "P-256") {
      return KeyType::kEcP256;
    }
    if (name == "secp384r1" || name == "P-384") {
      return KeyType::kEcP384;
    }
    return invalidArgument("no EC key type for EC curve: " + name);
  }
  if (EVP_PKEY_is_a(key, "RSA")) {
    int bits = EVP_PKEY_get_bits(key);
    if (bits == 2048) {
      return KeyType::kRsa2048;
    }
    if (bits == 4096) {
      return KeyType::kRsa4096;
    }
    return invalidArgument("no RSA key type for key bit length: " + std::to_string(bits));
  }
  return invalidArgument(std::string("unexpected private key type ") +
                         EVP_PKEY_get0_type_name(key));
}

Status KeyStore::setEntries(std::map<std::string, PkeyPtr> keys) {
  std::map<std::string, Entry> entries;
  for (auto& [id, key] : keys) {
    auto type = keyTypeOf(key.get());
    if (!type) {
      return type.status().withPrefix("unable to make key entry for key " + quoted(id));
    }
    auto pub = makePublicKey(id, *type, key.get());
    if (!pub) {
      return pub.status();
    }
    entries[id] = Entry{std::move(key), std::move(*pub)};
  }
  std::lock_guard lock(mu_);
  entries_ = std::move(entries);
  return okStatus();
}

Result<PublicKey> KeyStore::generateKey(const std::string& id, KeyType type) {
  static const std::string kPrefix = "failed to generate key";
  if (id.empty()) {
    return invalidArgument("key id is required").withPrefix(kPrefix);
  }
  if (type == KeyType::kUnspecified) {
    return invalidArgument("key type is required").withPrefix(kPrefix);
  }
  if (type != KeyType::kEcP256 && type != KeyType::kEcP384 && type != KeyType::kRsa2048 &&
      type != KeyType::kRsa4096) {
    return invalidArgument("unable to generate key " + quoted(id) + " for unknown key type " +
                           std::to_string(static_cast<int>(type)))
        .withPrefix(kPrefix);
  }
  auto key = newKey(type);
  if (!key) {
    return key.status().withPrefix(kPrefix);
  }
  auto pub = makePublicKey(id, type, key->get());
  if (!pub) {
    return pub.status().withPrefix(kPrefix);
  }

  std::lock_guard lock(mu_);
  std::optional<Entry> previous;
  if (auto it = entries_.find(id); it != entries_.end()) {
    previous = std::move(it->second);
  }
  entries_[id] = Entry{std::move(*key), *pub};
  if (persist_) {
    if (Status st = persist_(entries_); !st.isOk()) {
      if (previous) {
        entries_[id] = std::move(*previous);
      } else {
        entries_.erase(id);
      }
      return st.withPrefix(kPrefix);
    }
  }
  return *pub;
}

Result<PublicKey> KeyStore::getPublicKey(const std::string& id) const {
  if (id.empty()) {
    return invalidArgument("key id is required");
  }
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) {
    return notFound("no such key " + quoted(id));
  }
  return it->second.public_key;
}

std::vector<PublicKey> KeyStore::getPublicKeys() const {
  std::lock_guard lock(mu_);
  std::vector<PublicKey> out;
  out.reserve(entries_.size());
  for (const auto& [id, entry] : entries_) {
    out.push_back(entry.public_key);
  }
  return out;
}

Result<SignResult> KeyStore::signData(const std::string& id, const std::string& digest,
                                      const SignOptions& options) const {
  static const std::string kPrefix = "failed to sign data";
  if (id.empty()) {
    return invalidArgument("key id is required").withPrefix(kPrefix);
  }
  if (options.hash == HashAlgorithm::kUnspecified) {
    return invalidArgument(options.pss ? "hash algorithm in PSS options is required"
                                       : "hash algorithm is required")
        .withPrefix(kPrefix);
  }
  const EVP_MD* md = mdFor(options.hash);
  if (md == nullptr) {
    return invalidArgument("unsupported hash algorithm " +
                           std::to_string(static_cast<int>(options.hash)))
        .withPrefix(kPrefix);
  }
  if (digest.size() != static_cast<size_t>(EVP_MD_get_size(md))) {
    return invalidArgument("data length " + std::to_string(digest.size()) +
                           " does not match the digest size " +
                           std::to_string(EVP_MD_get_size(md)) + " of the hash algorithm")
        .withPrefix(kPrefix);
  }

  // Take a reference to the key under the lock and sign outside it: signing is the costly part,
  // and an EVP_PKEY may be used by several threads at once, so concurrent issuance is not
  // serialised here (a key replaced meanwhile stays alive until this call is done with it).
  PkeyPtr key_ref;
  std::string fingerprint;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(id);
    if (it == entries_.end()) {
      return notFound("no such key " + quoted(id)).withPrefix(kPrefix);
    }
    if (EVP_PKEY_up_ref(it->second.key.get()) != 1) {
      return Status(Code::kInternal, "unable to reference keypair " + quoted(id))
          .withPrefix(kPrefix);
    }
    key_ref.reset(it->second.key.get());
    fingerprint = it->second.public_key.fingerprint;
  }
  EVP_PKEY* key = key_ref.get();
  auto signFailed = [&](const std::string& why) {
    return Status(Code::kInternal, "keypair " + quoted(id) + " signing operation failed: " + why)
        .withPrefix(kPrefix);
  };
  bool is_rsa = EVP_PKEY_is_a(key, "RSA");
  if (options.pss && !is_rsa) {
    return invalidArgument("PSS options are only valid for RSA keys").withPrefix(kPrefix);
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), md) != 1) {
    return signFailed(takeOsslErrors());
  }
  if (is_rsa) {
    int padding = options.pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING;
    if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), padding) != 1) {
      return signFailed(takeOsslErrors());
    }
    if (options.pss) {
      int salt = options.salt_length;
      if (salt == 0 || salt == -1) {
        salt = RSA_PSS_SALTLEN_DIGEST;
      } else if (salt < 0) {
        return invalidArgument("invalid PSS salt length " + std::to_string(salt))
            .withPrefix(kPrefix);
      }
      if (EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), salt) != 1 ||
          EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) != 1) {
        return signFailed(takeOsslErrors());
      }
    }
  }
  const auto* in = reinterpret_cast<const unsigned char*>(digest.data());
  size_t sig_len = 0;
  if (EVP_PKEY_sign(ctx.get(), nullptr, &sig_len, in, digest.size()) != 1) {
    return signFailed(takeOsslErrors());
  }
  std::string sig(sig_len, '\0');
  if (EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len, in,
                    digest.size()) != 1) {
    return signFailed(takeOsslErrors());
  }
  sig.resize(sig_len);
  return SignResult{std::move(sig), std::move(fingerprint)};
}

} // namespace spire::builtin::key_manager
