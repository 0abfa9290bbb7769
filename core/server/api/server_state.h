#pragma once
// What every server API service shares: the trust domain, the configuration, the plugins, the CA
// and the authorized-entries index. Built once by `spire-server run` (core/daemon) and by tests;
// the services hold a reference. LIFETIME: outlives every service and every RPC.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "config/server_config.h"
#include "plugin_host/catalog.h"
#include "plugin_host/datastore.h"
#include "server/ca/ca_manager.h"
#include "server/registration/authorized_entries_index.h"
#include "spiffe/trust_domain.h"

namespace spire::server::api {

using TimePoint = std::chrono::system_clock::time_point;

struct ServerState {
  spiffe::TrustDomain trust_domain;
  config::ServerConfig config;
  // Every write a service makes goes to the datastore first (one transaction) and then, once
  // committed, to the index, so that the index never shows what the database does not hold.
  const plugin_host::DataStorePlugin* datastore = nullptr;
  // Server node attestors (by attestation type) and the KeyManager; null in tests that need none.
  const plugin_host::Catalog* catalog = nullptr;
  ca::CaManager* ca = nullptr;
  registration::AuthorizedEntriesIndex* index = nullptr;
  std::shared_ptr<spdlog::logger> logger;
  // Empty = system_clock::now. Tests set it to move time.
  std::function<TimePoint()> clock;

  TimePoint now() const { return clock ? clock() : std::chrono::system_clock::now(); }
  spdlog::logger& log() const { return *logger; }
};

} // namespace spire::server::api
