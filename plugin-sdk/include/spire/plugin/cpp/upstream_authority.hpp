#pragma once

// C++ base class of an UpstreamAuthority plugin.
//
// Each method receives an UpstreamSink. A plugin that pushes later updates moves the sink into its
// own state (and closes it, or lets it go out of scope, when done); otherwise the layer closes it
// when the method returns.

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "spire/plugin/cpp/boundary.hpp"
#include "spire/plugin/upstream_authority.h"

namespace spire::plugin {

struct JwtKey {
  Bytes public_key_der;
  std::string key_id;
  std::int64_t expires_at = 0;
  bool tainted = false;
};

struct X509CaResult {
  std::vector<Bytes> chain; // first = the new CA
  std::vector<Bytes> roots;
};

namespace detail {
struct JwtKeyViews {
  std::vector<spire_jwt_key> views;
  explicit JwtKeyViews(const std::vector<JwtKey>& keys) {
    for (const JwtKey& k : keys) {
      spire_jwt_key v{};
      v.struct_size = sizeof(v);
      v.public_key_der = toBytes(k.public_key_der);
      v.key_id = toStr(k.key_id);
      v.expires_at = k.expires_at;
      v.tainted = k.tainted;
      views.push_back(v);
    }
  }
};
inline std::vector<spire_bytes> bytesViews(const std::vector<Bytes>& items) {
  std::vector<spire_bytes> out;
  for (const Bytes& b : items) {
    out.push_back(toBytes(b));
  }
  return out;
}
} // namespace detail

// Movable owner of a host sink; closes it (SPIRE_OK) on destruction if still open. Thread-safe.
class UpstreamSink {
public:
  UpstreamSink(const spire_host_api* api, spire_upstream_sink* sink) : api_(api), sink_(sink) {}
  UpstreamSink(UpstreamSink&& other) noexcept : api_(other.api_), sink_(other.release()) {}
  UpstreamSink& operator=(UpstreamSink&&) = delete;
  UpstreamSink(const UpstreamSink&) = delete;
  ~UpstreamSink() { close(SPIRE_OK, ""); }

  // False once closed or cancelled by the host.
  bool pushX509Roots(const std::vector<Bytes>& roots) {
    std::lock_guard<std::mutex> lock(mu_);
    if (sink_ == nullptr) {
      return false;
    }
    std::vector<spire_bytes> views = detail::bytesViews(roots);
    return api_->sink_x509_roots(sink_, views.data(), views.size()) == SPIRE_OK;
  }
  bool pushJwtKeys(const std::vector<JwtKey>& keys) {
    std::lock_guard<std::mutex> lock(mu_);
    if (sink_ == nullptr) {
      return false;
    }
    detail::JwtKeyViews views(keys);
    return api_->sink_jwt_keys(sink_, views.views.data(), views.views.size()) == SPIRE_OK;
  }
  void close(spire_status code, const std::string& message) noexcept {
    std::lock_guard<std::mutex> lock(mu_);
    if (sink_ != nullptr) {
      api_->sink_close(sink_, code, toStr(message));
      sink_ = nullptr;
    }
  }
  bool isOpen() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sink_ != nullptr;
  }
  spire_upstream_sink* raw() const { return sink_; }

private:
  spire_upstream_sink* release() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::exchange(sink_, nullptr);
  }

  const spire_host_api* api_;
  mutable std::mutex mu_;
  spire_upstream_sink* sink_;
};

class UpstreamAuthority : public PluginBase {
public:
  static constexpr spire_plugin_type kPluginType = SPIRE_PLUGIN_TYPE_UPSTREAM_AUTHORITY;
  static constexpr std::size_t kVtableSize = sizeof(spire_upstream_authority_vtable);

  // Sign the server CA CSR (DER). Keep `sink` (std::move it) to push root updates later.
  virtual X509CaResult mintX509Ca(const Bytes& csr_der, std::int32_t preferred_ttl_seconds,
                                  UpstreamSink& sink) = 0;
  // Publish a JWT key upstream; return the upstream JWT keys.
  virtual std::vector<JwtKey> publishJwtKey(const JwtKey& key, UpstreamSink& sink) {
    (void)key;
    (void)sink;
    throw Error(SPIRE_UNIMPLEMENTED, "publishing JWT keys is not supported");
  }
  // The host stopped listening to `sink` (compare with UpstreamSink::raw()); close it.
  virtual void cancelStream(spire_upstream_sink* sink) { (void)sink; }

  template <class T> static const void* vtableFor();
};

namespace detail {

template <class T>
spire_status uaMintThunk(spire_plugin* self, spire_call* call, spire_bytes csr, std::int32_t ttl,
                         spire_upstream_sink* raw_sink) noexcept {
  Instance<T>* in = instanceOf<T>(self);
  UpstreamSink sink(in->api, raw_sink); // closed here unless the plugin moved it away
  return guard(in->api, call, [&] {
    X509CaResult result = in->plugin->mintX509Ca(fromBytes(csr), ttl, sink);
    std::vector<spire_bytes> chain = bytesViews(result.chain);
    std::vector<spire_bytes> roots = bytesViews(result.roots);
    checkEmit(in->api->emit_x509_ca(call, chain.data(), chain.size(), roots.data(), roots.size()));
  });
}
template <class T>
spire_status uaPublishThunk(spire_plugin* self, spire_call* call, const spire_jwt_key* key,
                            spire_upstream_sink* raw_sink) noexcept {
  Instance<T>* in = instanceOf<T>(self);
  UpstreamSink sink(in->api, raw_sink);
  return guard(in->api, call, [&] {
    JwtKey k;
    if (key != nullptr) {
      k.public_key_der = fromBytes(key->public_key_der);
      k.key_id = fromStr(key->key_id);
      k.expires_at = key->expires_at;
      k.tainted = key->tainted;
    }
    JwtKeyViews views(in->plugin->publishJwtKey(k, sink));
    checkEmit(in->api->emit_jwt_keys(call, views.views.data(), views.views.size()));
  });
}
template <class T> void uaCancelThunk(spire_plugin* self, spire_upstream_sink* sink) noexcept {
  try {
    instanceOf<T>(self)->plugin->cancelStream(sink);
  } catch (...) {
    // Nothing unwinds into the host; a failing cancel leaves the sink for destroy to close.
  }
}

} // namespace detail

template <class T> const void* UpstreamAuthority::vtableFor() {
  static const spire_upstream_authority_vtable vtable = {
      sizeof(spire_upstream_authority_vtable),
      &detail::uaMintThunk<T>,
      &detail::uaPublishThunk<T>,
      &detail::uaCancelThunk<T>,
  };
  return &vtable;
}

} // namespace spire::plugin
