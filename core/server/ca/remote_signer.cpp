#include "server/ca/remote_signer.h"

namespace spire::server::ca {

Result<RemoteSigner> RemoteSigner::create(const KeyStore& store, std::string key_id,
                                          crypto::EvpPkeyPtr public_key) {
  if (!public_key) {
    return invalidArgument("public key for \"" + key_id + "\" is missing");
  }
  Result<crypto::KeyType> type = crypto::keyTypeOf(*public_key);
  if (!type) {
    return invalidArgument("unsupported key type for \"" + key_id + "\"");
  }
  std::shared_ptr<EVP_PKEY> shared(public_key.release(), EVP_PKEY_free);
  return RemoteSigner(store, std::move(key_id), std::move(shared), *type);
}

Result<std::string> RemoteSigner::sign(std::string_view message) const {
  Result<std::string> signature =
      store_->signDigest(key_id_, crypto::digest(hash_, message), hash_);
  if (!signature) {
    return signature.status().withPrefix("unable to sign with \"" + key_id_ + "\"");
  }
  return signature;
}

} // namespace spire::server::ca
