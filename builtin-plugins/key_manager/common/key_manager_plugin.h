#pragma once

// The SDK face shared by KeyManager "memory" and "disk": both keep their keys in a KeyStore and
// differ only in configuration and persistence. Derived classes say where the store is.

#include <optional>
#include <string>
#include <vector>

#include "key_manager/common/key_store.h"
#include "shared/sdk_glue.h"
#include "spire/plugin/cpp/key_manager.hpp"

namespace spire::builtin::key_manager {

class KeyManagerPluginBase : public spire::plugin::KeyManager {
public:
  spire::plugin::PublicKey generateKey(const std::string& key_id, spire_key_type type) override {
    return toSdk(valueOrThrow(store().generateKey(key_id, static_cast<KeyType>(type))));
  }

  std::optional<spire::plugin::PublicKey> getPublicKey(const std::string& key_id) override {
    auto key = store().getPublicKey(key_id);
    if (!key && key.status().code() == Code::kNotFound) {
      return std::nullopt; // the layer reports NOT_FOUND "no such key"
    }
    return toSdk(valueOrThrow(std::move(key)));
  }

  std::vector<spire::plugin::PublicKey> getPublicKeys() override {
    std::vector<spire::plugin::PublicKey> out;
    for (const auto& key : store().getPublicKeys()) {
      out.push_back(toSdk(key));
    }
    return out;
  }

  spire::plugin::Signature signData(const std::string& key_id, const spire::plugin::Bytes& digest,
                                    const spire::plugin::SignerOpts& opts) override {
    SignOptions options;
    options.hash = static_cast<HashAlgorithm>(opts.hash_algorithm);
    options.pss = opts.pss;
    options.salt_length = opts.pss_salt_length;
    SignResult sig = valueOrThrow(store().signData(key_id, fromSdkBytes(digest), options));
    return spire::plugin::Signature{toSdkBytes(sig.signature), sig.key_fingerprint};
  }

protected:
  // The store to use; throws FAILED_PRECONDITION before the plugin is configured.
  virtual KeyStore& store() = 0;

private:
  static spire::plugin::PublicKey toSdk(const PublicKey& key) {
    return spire::plugin::PublicKey{key.id, static_cast<spire_key_type>(key.type),
                                    toSdkBytes(key.pkix_der), key.fingerprint};
  }
};

} // namespace spire::builtin::key_manager
