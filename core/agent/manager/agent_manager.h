#pragma once

// The spire-agent's manager (SPIRE pkg/agent/manager + pkg/agent/attestor/node): bootstraps
// trust in the server, attests the node (or resumes from the SVID kept in data_dir), then keeps
// the workload cache in sync with the server - authorized entries, bundles, X509-SVIDs rotated at
// half-life, its own SVID renewed - and serves workloads from that cache, also while the server
// is unreachable. It is the WorkloadIdentitySource the Workload API endpoint and SDS consume.
//
// Threads: start() runs the bootstrap on the caller's thread; afterwards one sync thread talks
// to the server and one watch thread holds the EntryChanges stream. Every public method may be
// called from any thread. Subscription callbacks run on the sync thread (or the caller of
// syncNow). LIFETIME: subscriptions must be destroyed before the manager.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "agent/endpoints/workload_identity_source.h"
#include "common/status.h"
#include "crypto/certificate.h"
#include "crypto/key.h"

namespace spire::plugin_host {
class Catalog;
}

namespace spire::agent::manager {

using Clock = std::function<crypto::TimePoint()>;

enum class TrustBundleFormat { kPem, kSpiffe };

struct ManagerConfig {
  // The agent's trust domain name ("example.org").
  std::string trust_domain;
  std::string server_address;
  int server_port = 0;
  // Where agent_svid.der, bundle.der (and the agent key, see below) are kept.
  std::string data_dir = ".";
  // Join token for the join_token NodeAttestor; the plugin itself reads its own config, so this
  // is only logged / kept for status. May be empty.
  std::string join_token;

  // Bootstrap trust: a bundle file, or none at all with insecure_bootstrap (the server is then
  // not authenticated during attestation; its bundle is taken from the attestation response).
  // A bundle already stored in data_dir takes precedence over both, as in SPIRE.
  std::string trust_bundle_path;
  TrustBundleFormat trust_bundle_format = TrustBundleFormat::kPem;
  // Bundle text given directly (tests, trust_bundle_url fetched by the caller); used when
  // trust_bundle_path is empty. Same format rules.
  std::string trust_bundle_contents;
  bool insecure_bootstrap = false;

  // Poll interval of SyncAuthorizedEntries (SPIRE's experimental.sync_interval).
  std::chrono::nanoseconds sync_interval = std::chrono::seconds(5);
  // Back-off cap on repeated sync failures; zero means SPIRE's min(8 min, 48 x sync_interval).
  std::chrono::nanoseconds max_backoff = std::chrono::nanoseconds::zero();
  // Use SyncAuthorizedEntries (else GetAuthorizedEntries only).
  bool use_sync_authorized_entries = true;
  // Hold the spire-cpp EntryChanges stream to sync at once on change.
  bool watch_entry_changes = true;

  std::size_t x509_svid_cache_max_size = 1000;
  std::size_t jwt_svid_cache_max_size = 1000;
  crypto::KeyType workload_key_type = crypto::KeyType::kEcP256;
  // Key type of the agent's own SVID key.
  crypto::KeyType agent_key_type = crypto::KeyType::kEcP256;
  // Zero: unset.
  std::chrono::nanoseconds availability_target = std::chrono::nanoseconds::zero();

  // Keep the agent SVID's private key in data_dir (agent_svid.key, mode 0600) so that a restart
  // resumes without attesting again. gRPC 1.51 cannot offload the TLS client key to a KeyManager
  // plugin, so the key lives in the agent process; nullopt means "when the KeyManager is not
  // `memory`", mirroring SPIRE where only a persistent KeyManager lets a restart resume.
  std::optional<bool> persist_agent_key;

  // Deadline of each call to the server.
  std::chrono::milliseconds rpc_timeout = std::chrono::seconds(30);

  // Time source for rotation decisions; system clock when empty.
  Clock clock;
  // Jitter for rotation ([0, n)); random when empty. Tests pin it.
  std::function<int64_t(int64_t)> jitter;
  // Logger; spdlog's default logger when null.
  std::shared_ptr<spdlog::logger> logger;
};

// What healthcheck, the admin Debug API and the logs show.
struct ManagerStatus {
  std::string agent_id;
  crypto::TimePoint agent_svid_expires_at{};
  // Leaf first, DER each (Debug GetInfo's svid_chain).
  std::vector<std::string> agent_svid_chain_der;
  // Last successful sync; epoch when none yet.
  crypto::TimePoint last_sync{};
  std::uint64_t sync_count = 0;
  std::uint64_t sync_failures = 0; // consecutive
  std::size_t cached_x509_svids = 0;
  std::size_t cached_jwt_svids = 0;
  std::size_t entries = 0;
  // True after this process attested (false when it resumed from data_dir).
  bool attested_this_run = false;
  // True while the EntryChanges stream is up.
  bool watching = false;
};

class AgentManager : public endpoints::WorkloadIdentitySource {
public:
  // Loads or makes the bootstrap bundle, resumes from data_dir or attests, runs the first sync
  // (a failed first sync is logged, not fatal: the loop retries), then starts the background
  // threads. The catalog must outlive the manager. Errors keep SPIRE's wording where it has
  // one, e.g. "failed to attest: ..." or "could not parse trust bundle: ...".
  static Result<std::unique_ptr<AgentManager>> start(ManagerConfig config,
                                                     const plugin_host::Catalog& catalog);

  ~AgentManager() override;
  AgentManager(const AgentManager&) = delete;
  AgentManager& operator=(const AgentManager&) = delete;

  // Stops the threads and closes the channel; idempotent. The cache keeps serving reads.
  void stop();

  std::string agentId() const;
  ManagerStatus status() const;

  // Runs one sync now on the caller's thread (tests, `spire-agent` signals). Normal operation
  // never needs it.
  Status syncNow();
  // Wakes the sync loop without waiting for it.
  void requestSync();

  // WorkloadIdentitySource.
  Result<endpoints::Selectors> attest(const endpoints::CallerCredentials& caller) override;
  endpoints::IdentitySnapshotPtr identitiesFor(const endpoints::Selectors& selectors) override;
  Result<endpoints::SubscriptionPtr>
  subscribe(const endpoints::Selectors& selectors,
            std::function<void(endpoints::IdentitySnapshotPtr)> on_update) override;
  Result<std::string> fetchJwtSvid(const endpoints::Selectors& selectors,
                                   const spiffe::SpiffeId& id,
                                   const std::vector<std::string>& audience) override;

  class Impl;

private:
  explicit AgentManager(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Names of the files kept in data_dir (SPIRE's agent_svid.der and bundle.der).
inline constexpr const char* kAgentSvidFile = "agent_svid.der";
inline constexpr const char* kBundleFile = "bundle.der";
inline constexpr const char* kAgentKeyFile = "agent_svid.key";

} // namespace spire::agent::manager
