#include "plugin_host/upstream_authority.h"

namespace spire::plugin_host {

UpstreamStream::UpstreamStream(LoadedPluginPtr plugin, std::shared_ptr<spire_upstream_sink> sink)
    : plugin_(std::move(plugin)), sink_(std::move(sink)) {}

UpstreamStream::~UpstreamStream() {
  sink_->cancel();
  const auto& vt = plugin_->vtable<spire_upstream_authority_vtable>();
  if (vt.cancel_stream != nullptr && !sink_->isClosed()) {
    // The sink stays a valid pointer for this call: we still hold a reference.
    vt.cancel_stream(plugin_->self(), sink_.get());
  }
}

Result<MintX509CaResult> UpstreamAuthorityPlugin::mintX509Ca(const Bytes& csr_der,
                                                             std::int32_t preferred_ttl_seconds,
                                                             UpstreamHandlers handlers) const {
  const auto& vt = plugin_->vtable<spire_upstream_authority_vtable>();
  std::shared_ptr<spire_upstream_sink> sink = spire_upstream_sink::create(std::move(handlers));
  CallResults results;
  Status st =
      plugin_->invoke(kEmitX509Ca, "mint_x509_ca", &results, nullptr, [&](spire_call* call) {
        return vt.mint_x509_ca(plugin_->self(), call, spire_bytes{csr_der.data(), csr_der.size()},
                               preferred_ttl_seconds, sink.get());
      });
  if (!st.isOk()) {
    sink->cancel(); // the plugin still closes it; nothing it pushes is delivered
    return st;
  }
  if (!results.x509_ca || results.x509_ca->chain.empty()) {
    sink->cancel();
    return Status(StatusCode::kInternal, plugin_->prefix() + ": plugin returned no X.509 CA chain");
  }
  MintX509CaResult out;
  out.ca = std::move(*results.x509_ca);
  out.stream = std::make_unique<UpstreamStream>(plugin_, std::move(sink));
  return out;
}

Result<PublishJwtKeyResult>
UpstreamAuthorityPlugin::publishJwtKey(const JwtKey& key, UpstreamHandlers handlers) const {
  const auto& vt = plugin_->vtable<spire_upstream_authority_vtable>();
  if (vt.publish_jwt_key == nullptr) {
    return Status(StatusCode::kUnimplemented,
                  plugin_->prefix() + ": publishing JWT keys is not implemented");
  }
  std::shared_ptr<spire_upstream_sink> sink = spire_upstream_sink::create(std::move(handlers));
  spire_jwt_key c_key{};
  c_key.struct_size = sizeof(c_key);
  c_key.public_key_der = spire_bytes{key.public_key_der.data(), key.public_key_der.size()};
  c_key.key_id = spire_str{key.key_id.c_str(), key.key_id.size()};
  c_key.expires_at = key.expires_at;
  c_key.tainted = key.tainted;
  CallResults results;
  Status st =
      plugin_->invoke(kEmitJwtKeys, "publish_jwt_key", &results, nullptr, [&](spire_call* call) {
        return vt.publish_jwt_key(plugin_->self(), call, &c_key, sink.get());
      });
  if (!st.isOk()) {
    sink->cancel();
    return st;
  }
  PublishJwtKeyResult out;
  out.upstream_jwt_keys = std::move(results.jwt_keys);
  out.stream = std::make_unique<UpstreamStream>(plugin_, std::move(sink));
  return out;
}

} // namespace spire::plugin_host
