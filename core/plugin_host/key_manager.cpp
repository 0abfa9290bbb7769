#include "plugin_host/key_manager.h"

namespace spire::plugin_host {
namespace {
spire_str view(const std::string& s) {
  return spire_str{s.c_str(), s.size()};
}
} // namespace

Result<PublicKey> KeyManagerPlugin::onePublicKey(CallResults& results,
                                                 const std::string& key_id) const {
  if (results.public_keys.size() != 1) {
    return Status(StatusCode::kInternal, plugin_->prefix() + ": plugin returned " +
                                             std::to_string(results.public_keys.size()) +
                                             " public keys for \"" + key_id + "\", expected 1");
  }
  return std::move(results.public_keys.front());
}

Result<PublicKey> KeyManagerPlugin::generateKey(const std::string& key_id,
                                                spire_key_type type) const {
  const auto& vt = plugin_->vtable<spire_key_manager_vtable>();
  CallResults results;
  Status st =
      plugin_->invoke(kEmitPublicKey, "generate_key", &results, nullptr, [&](spire_call* call) {
        return vt.generate_key(plugin_->self(), call, view(key_id), type);
      });
  if (!st.isOk()) {
    return st;
  }
  return onePublicKey(results, key_id);
}

Result<PublicKey> KeyManagerPlugin::getPublicKey(const std::string& key_id) const {
  const auto& vt = plugin_->vtable<spire_key_manager_vtable>();
  CallResults results;
  Status st =
      plugin_->invoke(kEmitPublicKey, "get_public_key", &results, nullptr, [&](spire_call* call) {
        return vt.get_public_key(plugin_->self(), call, view(key_id));
      });
  if (!st.isOk()) {
    return st;
  }
  return onePublicKey(results, key_id);
}

Result<std::vector<PublicKey>> KeyManagerPlugin::getPublicKeys() const {
  const auto& vt = plugin_->vtable<spire_key_manager_vtable>();
  CallResults results;
  Status st =
      plugin_->invoke(kEmitPublicKey, "get_public_keys", &results, nullptr,
                      [&](spire_call* call) { return vt.get_public_keys(plugin_->self(), call); });
  if (!st.isOk()) {
    return st;
  }
  return std::move(results.public_keys);
}

Result<Signature> KeyManagerPlugin::signData(const std::string& key_id, const Bytes& digest,
                                             const SignerOpts& opts) const {
  const auto& vt = plugin_->vtable<spire_key_manager_vtable>();
  spire_signer_opts c_opts{};
  c_opts.struct_size = sizeof(c_opts);
  c_opts.hash_algorithm = opts.hash_algorithm;
  c_opts.pss = opts.pss;
  c_opts.pss_salt_length = opts.pss_salt_length;
  CallResults results;
  Status st =
      plugin_->invoke(kEmitSignature, "sign_data", &results, nullptr, [&](spire_call* call) {
        return vt.sign_data(plugin_->self(), call, view(key_id),
                            spire_bytes{digest.data(), digest.size()}, &c_opts);
      });
  if (!st.isOk()) {
    return st;
  }
  if (!results.signature) {
    return Status(StatusCode::kInternal, plugin_->prefix() + ": plugin returned no signature");
  }
  return std::move(*results.signature);
}

} // namespace spire::plugin_host
