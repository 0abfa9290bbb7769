#pragma once
// Everything `spire-server run` needs before it can serve, in dependency order: the plugin
// catalog (DataStore, KeyManager, UpstreamAuthority, NodeAttestors), the CA resumed from its
// journal or newly minted, and the authorized-entries index loaded from the datastore. Tests build
// the same thing from a config string, so what they exercise is what the daemon runs.
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>

#include <spdlog/logger.h>

#include "config/loader.h"
#include "plugin_host/catalog.h"
#include "server/api/server_state.h"
#include "server/bootstrap/event_follower.h"
#include "server/ca/ca_manager.h"
#include "server/ca/ca_store.h"
#include "server/ca/key_store.h"
#include "server/registration/authorized_entries_index.h"

namespace spire::server::bootstrap {

struct BootstrapOptions {
  std::filesystem::path plugin_dir;       // empty = plugin_host::defaultPluginDir()
  std::shared_ptr<spdlog::logger> logger; // null = spdlog's default logger
  std::function<api::TimePoint()> clock;  // empty = system_clock::now
};

class ServerBootstrap {
public:
  // Loads and configures the plugins, starts the CA (which rotates once, so it is ready to sign)
  // and fills the index. Errors name the step that failed.
  static Result<std::unique_ptr<ServerBootstrap>> start(const config::ServerFileConfig& file,
                                                        BootstrapOptions options);
  ~ServerBootstrap();

  api::ServerState& state() { return state_; }
  const plugin_host::Catalog& catalog() const { return *catalog_; }
  ca::CaManager& ca() { return *ca_; }
  registration::AuthorizedEntriesIndex& index() { return *index_; }
  // Follows other servers' writes (HA); `run` starts it, tests poll it by hand.
  EventFollower& events() { return *events_; }

  // Re-reads every entry and node selector set from the datastore into the index (start-up, and
  // the periodic full reload), with event following paused. Returns the number of entries loaded.
  Result<std::size_t> reloadIndex();

private:
  ServerBootstrap() = default;

  // Declaration order is destruction order reversed: the CA and stores use the catalog's plugins.
  std::unique_ptr<plugin_host::Catalog> catalog_;
  std::unique_ptr<ca::PluginKeyStore> key_store_;
  std::unique_ptr<ca::DataStoreCaStore> ca_store_;
  std::unique_ptr<ca::CaManager> ca_;
  std::unique_ptr<registration::AuthorizedEntriesIndex> index_;
  std::unique_ptr<EventFollower> events_;
  api::ServerState state_;
};

// SPIRE's ca_subject and TTLs mapped onto the CA's credential settings.
ca::CaManagerConfig caManagerConfig(const config::ServerConfig& server,
                                    const spiffe::TrustDomain& td);

} // namespace spire::server::bootstrap
