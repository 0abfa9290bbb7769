#pragma once

// The key manager logic shared by KeyManager "memory" and "disk" (server and agent have the same
// interface in SPIRE): keys by id, generated in-process with OpenSSL, signing a digest the host
// computed. Persistence is a callback so "disk" only adds the file format.
//
// THREADS: every method may be called concurrently; one mutex guards the entries.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "shared/ossl.h"
#include "shared/status.h"

namespace spire::builtin::key_manager {

// Values of spire-plugin-sdk's KeyType.
enum class KeyType : int { kUnspecified = 0, kEcP256 = 1, kEcP384 = 2, kRsa2048 = 3, kRsa4096 = 4 };

// Values of spire-plugin-sdk's HashAlgorithm (Go's crypto.Hash numbering).
enum class HashAlgorithm : int {
  kUnspecified = 0,
  kSha224 = 4,
  kSha256 = 5,
  kSha384 = 6,
  kSha512 = 7,
  kSha3_224 = 10,
  kSha3_256 = 11,
  kSha3_384 = 12,
  kSha3_512 = 13,
  kSha512_224 = 14,
  kSha512_256 = 15,
};

struct PublicKey {
  std::string id;
  KeyType type = KeyType::kUnspecified;
  std::string pkix_der;
  std::string fingerprint; // hex SHA-256 of pkix_der
};

struct SignOptions {
  HashAlgorithm hash = HashAlgorithm::kUnspecified;
  bool pss = false;
  // PSS only: salt length in bytes; 0 (the ABI's default) and -1 (Go's PSSSaltLengthEqualsHash)
  // mean the digest length.
  int32_t salt_length = 0;
};

struct SignResult {
  std::string signature; // ASN.1 DER for ECDSA, raw for RSA
  std::string key_fingerprint;
};

class KeyStore {
public:
  struct Entry {
    PkeyPtr key;
    PublicKey public_key;
  };
  // Called with every entry (sorted by id) after a change; a failure rolls the change back.
  using PersistFn = std::function<Status(const std::map<std::string, Entry>&)>;

  KeyStore() = default;
  explicit KeyStore(PersistFn persist) : persist_(std::move(persist)) {}

  // Replaces every entry, e.g. with keys loaded from disk. Fails on a key of unsupported type.
  Status setEntries(std::map<std::string, PkeyPtr> keys);

  // A new key; an existing key with the same id is replaced (new fingerprint).
  Result<PublicKey> generateKey(const std::string& id, KeyType type);
  // NotFound when no key has this id.
  Result<PublicKey> getPublicKey(const std::string& id) const;
  std::vector<PublicKey> getPublicKeys() const;
  Result<SignResult> signData(const std::string& id, const std::string& digest,
                              const SignOptions& options) const;

  static Result<PkeyPtr> newKey(KeyType type);
  static Result<KeyType> keyTypeOf(const EVP_PKEY* key);

private:
  PersistFn persist_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

} // namespace spire::builtin::key_manager
