#pragma once

// Daemon-side facade of a KeyManager plugin (server and agent). THREADS: any thread.

#include <string>
#include <vector>

#include "plugin_host/loaded_plugin.h"
#include "spire/plugin/key_manager.h"

namespace spire::plugin_host {

struct SignerOpts {
  spire_hash_algorithm hash_algorithm = SPIRE_HASH_SHA256;
  bool pss = false;
  std::int32_t pss_salt_length = 0;
};

class KeyManagerPlugin {
public:
  explicit KeyManagerPlugin(LoadedPluginPtr plugin) : plugin_(std::move(plugin)) {}
  const std::string& name() const { return plugin_->name(); }

  Result<PublicKey> generateKey(const std::string& key_id, spire_key_type type) const;
  // NOT_FOUND when the key does not exist.
  Result<PublicKey> getPublicKey(const std::string& key_id) const;
  Result<std::vector<PublicKey>> getPublicKeys() const;
  // `digest` is the hash of the data made with opts.hash_algorithm.
  Result<Signature> signData(const std::string& key_id, const Bytes& digest,
                             const SignerOpts& opts) const;

private:
  Result<PublicKey> onePublicKey(CallResults& results, const std::string& key_id) const;

  LoadedPluginPtr plugin_;
};

} // namespace spire::plugin_host
