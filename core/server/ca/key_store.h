#pragma once

// What the CA needs from a KeyManager: private keys that stay inside it, addressed by key ID
// ("x509-CA-A", "JWT-Signer-B", ...), that can sign digests. The server uses PluginKeyStore over
// the loaded KeyManager plugin; tests may supply their own.

#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/digest.h"
#include "crypto/key.h"
#include "crypto/openssl_ptr.h"

namespace spire::plugin_host {
class KeyManagerPlugin;
}

namespace spire::server::ca {

// THREADS: every method may be called from any thread at the same time.
class KeyStore {
public:
  virtual ~KeyStore() = default;
  // Creates the key `key_id`, replacing any key of that ID; returns its public key.
  virtual Result<crypto::EvpPkeyPtr> generateKey(const std::string& key_id,
                                                 crypto::KeyType type) const = 0;
  // The public key of `key_id`; NotFound when there is no such key.
  virtual Result<crypto::EvpPkeyPtr> getPublicKey(const std::string& key_id) const = 0;
  // Signs `digest`, made with `hash`: ECDSA gives an ASN.1 DER signature, RSA PKCS#1 v1.5.
  virtual Result<std::string> signDigest(const std::string& key_id, std::string_view digest,
                                         crypto::HashAlgorithm hash) const = 0;
};

// A KeyStore over a KeyManager plugin. LIFETIME: `plugin` must outlive this object.
class PluginKeyStore final : public KeyStore {
public:
  explicit PluginKeyStore(const plugin_host::KeyManagerPlugin& plugin) : plugin_(plugin) {}

  Result<crypto::EvpPkeyPtr> generateKey(const std::string& key_id,
                                         crypto::KeyType type) const override;
  Result<crypto::EvpPkeyPtr> getPublicKey(const std::string& key_id) const override;
  Result<std::string> signDigest(const std::string& key_id, std::string_view digest,
                                 crypto::HashAlgorithm hash) const override;

private:
  const plugin_host::KeyManagerPlugin& plugin_;
};

} // namespace spire::server::ca
