#pragma once

// A signer whose private key lives in a KeyStore (the KeyManager plugin): the CA hashes locally
// and sends only the digest, so keys never leave the plugin.

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/digest.h"
#include "crypto/key.h"
#include "crypto/openssl_ptr.h"
#include "server/ca/key_store.h"

namespace spire::server::ca {

// Immutable once built; THREADS: any thread. LIFETIME: the KeyStore must outlive the signer.
class RemoteSigner {
public:
  // `public_key` is the key's public half as the KeyStore reported it. InvalidArgument when the
  // key is not one of SPIRE's four key types.
  static Result<RemoteSigner> create(const KeyStore& store, std::string key_id,
                                     crypto::EvpPkeyPtr public_key);

  const std::string& keyId() const { return key_id_; }
  const EVP_PKEY& publicKey() const { return *public_key_; }
  crypto::KeyType keyType() const { return key_type_; }
  // SHA-384 for P-384 keys, SHA-256 otherwise (what SPIRE signs certificates and JWTs with).
  crypto::HashAlgorithm hash() const { return hash_; }

  // Hashes `message` and has the KeyStore sign the digest. ECDSA: ASN.1 DER; RSA: PKCS#1 v1.5.
  Result<std::string> sign(std::string_view message) const;

private:
  RemoteSigner(const KeyStore& store, std::string key_id, std::shared_ptr<EVP_PKEY> public_key,
               crypto::KeyType key_type)
      : store_(&store), key_id_(std::move(key_id)), public_key_(std::move(public_key)),
        key_type_(key_type),
        hash_(key_type == crypto::KeyType::kEcP384 ? crypto::HashAlgorithm::kSha384
                                                   : crypto::HashAlgorithm::kSha256) {}

  const KeyStore* store_;
  std::string key_id_;
  std::shared_ptr<EVP_PKEY> public_key_;
  crypto::KeyType key_type_;
  crypto::HashAlgorithm hash_;
};

} // namespace spire::server::ca
