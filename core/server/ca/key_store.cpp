#include "server/ca/key_store.h"

#include "common/encoding.h"
#include "plugin_host/key_manager.h"

namespace spire::server::ca {
namespace {

spire_key_type pluginKeyType(crypto::KeyType type) {
  switch (type) {
  case crypto::KeyType::kEcP256:
    return SPIRE_KEY_TYPE_EC_P256;
  case crypto::KeyType::kEcP384:
    return SPIRE_KEY_TYPE_EC_P384;
  case crypto::KeyType::kRsa2048:
    return SPIRE_KEY_TYPE_RSA_2048;
  case crypto::KeyType::kRsa4096:
    return SPIRE_KEY_TYPE_RSA_4096;
  }
  return SPIRE_KEY_TYPE_UNSPECIFIED;
}

spire_hash_algorithm pluginHash(crypto::HashAlgorithm hash) {
  switch (hash) {
  case crypto::HashAlgorithm::kSha256:
    return SPIRE_HASH_SHA256;
  case crypto::HashAlgorithm::kSha384:
    return SPIRE_HASH_SHA384;
  case crypto::HashAlgorithm::kSha512:
    return SPIRE_HASH_SHA512;
  }
  return SPIRE_HASH_UNSPECIFIED;
}

// The plugin answers with PKIX DER; a key we cannot parse is the plugin's fault.
Result<crypto::EvpPkeyPtr> parsePluginKey(const std::string& key_id,
                                          const plugin_host::PublicKey& key) {
  Result<crypto::EvpPkeyPtr> parsed = crypto::parsePublicKeyDer(asStringView(key.pkix_der));
  if (!parsed) {
    return internalError("key manager returned a malformed public key for \"" + key_id +
                         "\": " + parsed.status().message());
  }
  return parsed;
}

} // namespace

Result<crypto::EvpPkeyPtr> PluginKeyStore::generateKey(const std::string& key_id,
                                                       crypto::KeyType type) const {
  Result<plugin_host::PublicKey> key = plugin_.generateKey(key_id, pluginKeyType(type));
  if (!key) {
    return key.status();
  }
  return parsePluginKey(key_id, *key);
}

Result<crypto::EvpPkeyPtr> PluginKeyStore::getPublicKey(const std::string& key_id) const {
  Result<plugin_host::PublicKey> key = plugin_.getPublicKey(key_id);
  if (!key) {
    return key.status();
  }
  return parsePluginKey(key_id, *key);
}

Result<std::string> PluginKeyStore::signDigest(const std::string& key_id, std::string_view digest,
                                               crypto::HashAlgorithm hash) const {
  plugin_host::SignerOpts opts;
  opts.hash_algorithm = pluginHash(hash);
  Result<plugin_host::Signature> signature = plugin_.signData(key_id, toBytes(digest), opts);
  if (!signature) {
    return signature.status();
  }
  return std::string(asStringView(signature->signature));
}

} // namespace spire::server::ca
