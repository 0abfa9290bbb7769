#pragma once

// C++ base class of a KeyManager plugin (server or agent: same shape).

#include <optional>
#include <string>
#include <vector>

#include "spire/plugin/cpp/boundary.hpp"
#include "spire/plugin/key_manager.h"

namespace spire::plugin {

struct PublicKey {
  std::string id;
  spire_key_type type = SPIRE_KEY_TYPE_UNSPECIFIED;
  Bytes pkix_der;
  std::string fingerprint;
};

struct SignerOpts {
  spire_hash_algorithm hash_algorithm = SPIRE_HASH_UNSPECIFIED;
  bool pss = false;
  std::int32_t pss_salt_length = 0;
};

struct Signature {
  Bytes signature;
  std::string fingerprint;
};

class KeyManager : public PluginBase {
public:
  static constexpr spire_plugin_type kPluginType = SPIRE_PLUGIN_TYPE_KEY_MANAGER;
  static constexpr std::size_t kVtableSize = sizeof(spire_key_manager_vtable);

  virtual PublicKey generateKey(const std::string& key_id, spire_key_type type) = 0;
  // nullopt = no such key (reported as SPIRE_NOT_FOUND).
  virtual std::optional<PublicKey> getPublicKey(const std::string& key_id) = 0;
  virtual std::vector<PublicKey> getPublicKeys() = 0;
  virtual Signature signData(const std::string& key_id, const Bytes& digest,
                             const SignerOpts& opts) = 0;

  template <class T> static const void* vtableFor();
};

namespace detail {

inline void emitPublicKey(const spire_host_api* api, spire_call* call, const PublicKey& key) {
  spire_public_key out{};
  out.struct_size = sizeof(out);
  out.id = toStr(key.id);
  out.type = key.type;
  out.pkix_der = toBytes(key.pkix_der);
  out.fingerprint = toStr(key.fingerprint);
  checkEmit(api->emit_public_key(call, &out));
}

template <class T>
spire_status kmGenerateThunk(spire_plugin* self, spire_call* call, spire_str key_id,
                             spire_key_type type) noexcept {
  Instance<T>* in = instanceOf<T>(self);
  return guard(in->api, call, [&] {
    emitPublicKey(in->api, call, in->plugin->generateKey(fromStr(key_id), type));
  });
}
template <class T>
spire_status kmGetThunk(spire_plugin* self, spire_call* call, spire_str key_id) noexcept {
  Instance<T>* in = instanceOf<T>(self);
  return guard(in->api, call, [&] {
    std::string id = fromStr(key_id);
    std::optional<PublicKey> key = in->plugin->getPublicKey(id);
    if (!key) {
      throw Error(SPIRE_NOT_FOUND, "no such key \"" + id + "\"");
    }
    emitPublicKey(in->api, call, *key);
  });
}
template <class T> spire_status kmGetAllThunk(spire_plugin* self, spire_call* call) noexcept {
  Instance<T>* in = instanceOf<T>(self);
  return guard(in->api, call, [&] {
    for (const PublicKey& key : in->plugin->getPublicKeys()) {
      emitPublicKey(in->api, call, key);
    }
  });
}
template <class T>
spire_status kmSignThunk(spire_plugin* self, spire_call* call, spire_str key_id, spire_bytes data,
                         const spire_signer_opts* opts) noexcept {
  Instance<T>* in = instanceOf<T>(self);
  return guard(in->api, call, [&] {
    SignerOpts o;
    if (opts != nullptr) {
      o.hash_algorithm = opts->hash_algorithm;
      o.pss = opts->pss;
      o.pss_salt_length = opts->pss_salt_length;
    }
    Signature sig = in->plugin->signData(fromStr(key_id), fromBytes(data), o);
    checkEmit(in->api->emit_signature(call, toBytes(sig.signature), toStr(sig.fingerprint)));
  });
}

} // namespace detail

template <class T> const void* KeyManager::vtableFor() {
  static const spire_key_manager_vtable vtable = {
      sizeof(spire_key_manager_vtable), &detail::kmGenerateThunk<T>, &detail::kmGetThunk<T>,
      &detail::kmGetAllThunk<T>,        &detail::kmSignThunk<T>,
  };
  return &vtable;
}

} // namespace spire::plugin
