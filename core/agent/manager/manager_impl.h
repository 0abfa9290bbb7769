#pragma once

// AgentManager's state and threads. Split over agent_manager.cpp (start, attestation, renewal),
// sync.cpp (the sync loop and the watch stream) and workload_source.cpp (the
// WorkloadIdentitySource over the cache).
//
// Threads: the sync thread runs syncOnce (also callable via syncNow; sync_mu_ makes them take
// turns); the watch thread holds the EntryChanges stream and only requests syncs; gRPC handler
// threads call the WorkloadIdentitySource methods, which read the cache (its own lock) and the
// current client (state_mu_).

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/client_context.h>

#include "agent/cache/jwt_svid_cache.h"
#include "agent/cache/workload_cache.h"
#include "agent/manager/agent_manager.h"
#include "agent/manager/agent_storage.h"
#include "agent/manager/server_channel.h"
#include "agent/manager/server_client.h"
#include "plugin_host/catalog.h"
#include "spiffe/trust_domain.h"

namespace spire::agent::manager {

class AgentManager::Impl {
public:
  Impl(ManagerConfig config, const plugin_host::Catalog& catalog, spiffe::TrustDomain td);
  ~Impl();

  // agent_manager.cpp
  Status bootstrap();
  void startThreads();
  void stop();
  ManagerStatus status() const;
  std::string agentId() const;
  crypto::TimePoint now() const;

  // sync.cpp
  Status syncOnce();
  void requestSync();

  // Replaces the client by one on a new channel with the same agent SVID (after Unavailable).
  void reconnect();

  // workload_source.cpp
  Result<endpoints::Selectors> attest(const endpoints::CallerCredentials& caller);
  endpoints::IdentitySnapshotPtr identitiesFor(const endpoints::Selectors& selectors);
  Result<endpoints::SubscriptionPtr>
  subscribe(const endpoints::Selectors& selectors,
            std::function<void(endpoints::IdentitySnapshotPtr)> on_update);
  Result<std::string> fetchJwtSvid(const endpoints::Selectors& selectors,
                                   const spiffe::SpiffeId& id,
                                   const std::vector<std::string>& audience);

  // A workload stream (workload_source.cpp): a cache subscription plus the callback.
  struct Subscriber {
    std::mutex mu; // held while the callback runs; the destructor takes it to fence calls
    bool alive = true;
    cache::Subscription subscription;
    std::function<void(endpoints::IdentitySnapshotPtr)> on_update;
    cache::WorkloadUpdatePtr last;
  };
  void removeSubscriber(const std::shared_ptr<Subscriber>& subscriber);

private:
  // agent_manager.cpp
  bool resumeFromStorage();
  Status attestNode();
  Status renewAgentSvid();
  Status adoptAgentSvid(x509::X509Svid svid, bool store);
  Status fetchBootstrapBundle();
  std::shared_ptr<ServerClient> client() const;
  bool persistKey() const;

  // sync.cpp
  Status syncLocked();
  Status syncEntriesAndBundles(ServerClient& client);
  Status signStaleSvids(ServerClient& client);
  void pumpSubscribers();
  void syncLoop();
  void watchLoop();

  // workload_source.cpp
  endpoints::IdentitySnapshotPtr toSnapshot(const cache::WorkloadUpdate& update) const;
  // A cache bundle in the two forms snapshots carry, converted once per bundle object: the cache
  // replaces a bundle object whenever its content changes, so the pointer identifies content (the
  // memo keeps the object alive, so an address is never reused while it is a key).
  struct ConvertedBundle {
    std::shared_ptr<const bundle::SpiffeBundle> source;
    std::shared_ptr<const x509::X509Bundle> x509;
    std::shared_ptr<const jwt::JwtBundle> jwt;
  };
  ConvertedBundle convertBundle(const std::shared_ptr<const bundle::SpiffeBundle>& bundle) const;

  const ManagerConfig config_;
  const plugin_host::Catalog& catalog_;
  const spiffe::TrustDomain td_;
  const std::string target_;
  std::shared_ptr<spdlog::logger> logger_;
  AgentStorage storage_;
  std::shared_ptr<ServerTrust> trust_;
  cache::WorkloadCache cache_;
  cache::JwtSvidCache jwt_cache_;

  mutable std::mutex state_mu_;
  std::shared_ptr<const x509::X509Svid> agent_svid_;
  std::shared_ptr<ServerClient> client_;
  bool reattestable_ = false;
  bool attested_this_run_ = false;
  crypto::TimePoint last_sync_{};
  uint64_t sync_count_ = 0;
  uint64_t sync_failures_ = 0;
  bool watching_ = false;

  // Sync thread only (and syncNow callers, under sync_mu_).
  std::mutex sync_mu_;
  std::map<std::string, cache::AgentEntry> entries_;

  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  bool stopping_ = false;
  bool sync_requested_ = false;
  std::thread sync_thread_;
  std::thread watch_thread_;
  grpc::ClientContext* watch_context_ = nullptr; // under loop_mu_

  mutable std::mutex bundle_memo_mu_;
  mutable std::map<const bundle::SpiffeBundle*, ConvertedBundle> bundle_memo_;

  std::mutex subs_mu_;
  std::vector<std::shared_ptr<Subscriber>> subscribers_;
};

} // namespace spire::agent::manager
