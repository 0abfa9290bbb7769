#pragma once

// Daemon-side facade of an UpstreamAuthority plugin. A mint or publish returns the first answer
// and an UpstreamStream through which the plugin pushes later updates to the given handlers (from
// its own threads). Destroying the stream tells the plugin the server stopped listening.

#include <memory>
#include <vector>

#include "plugin_host/loaded_plugin.h"
#include "spire/plugin/upstream_authority.h"

namespace spire::plugin_host {

using UpstreamHandlers = spire_upstream_sink::Handlers;

class UpstreamStream {
public:
  UpstreamStream(LoadedPluginPtr plugin, std::shared_ptr<spire_upstream_sink> sink);
  ~UpstreamStream(); // cancels
  UpstreamStream(const UpstreamStream&) = delete;
  UpstreamStream& operator=(const UpstreamStream&) = delete;

  // True once the plugin closed the stream.
  bool closed() const { return sink_->isClosed(); }

private:
  LoadedPluginPtr plugin_;
  std::shared_ptr<spire_upstream_sink> sink_;
};

struct MintX509CaResult {
  X509CaResult ca;
  std::unique_ptr<UpstreamStream> stream;
};

struct PublishJwtKeyResult {
  std::vector<JwtKey> upstream_jwt_keys;
  std::unique_ptr<UpstreamStream> stream;
};

class UpstreamAuthorityPlugin {
public:
  explicit UpstreamAuthorityPlugin(LoadedPluginPtr plugin) : plugin_(std::move(plugin)) {}
  const std::string& name() const { return plugin_->name(); }

  Result<MintX509CaResult> mintX509Ca(const Bytes& csr_der, std::int32_t preferred_ttl_seconds,
                                      UpstreamHandlers handlers) const;
  // UNIMPLEMENTED when the plugin does not publish JWT keys.
  Result<PublishJwtKeyResult> publishJwtKey(const JwtKey& key, UpstreamHandlers handlers) const;

private:
  LoadedPluginPtr plugin_;
};

} // namespace spire::plugin_host
