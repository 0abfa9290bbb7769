#pragma once
// The server's Authorizer: SPIRE's default authorization policy (method_policy.h) applied to the
// caller the connection establishes (peer_identity.h), in SPIRE's order (authorization_opa.go
// reconcileResult): allow_any; local; admin by admin_ids; admin / downstream by the caller's
// registration entries; agent (TCP only) by SPIRE's AgentAuthorizer checks, in order:
//   SVID expired            agent "<id>" SVID is expired
//   no attested node        agent "<id>" is not attested
//   node serial ""          agent "<id>" is banned
//   serial == current       allowed
//   serial == new           allowed, and the node's new serial is promoted to current
//   otherwise               agent "<id>" expected to have serial number "<cur>"; has "<svid>"
// The caller's chain is verified against the current bundle on every call (peer_identity.h), so
// on a connection that outlives its client SVID the call fails identification (Unauthenticated,
// go-spiffe's expiry text) before the agent check can say "SVID is expired"; SPIRE, which
// verifies only at the handshake, would answer PermissionDenied there. Stricter, on purpose.
// Every PermissionDenied (those above included) reaches the caller as SPIRE's
// "authorization denied for method <method>"; the detail is logged, and the agent check's reason
// goes into the gRPC status details as SPIRE's PermissionDeniedDetails by the endpoints'
// interceptor (denial_details.h; spire::Status has no details). Other failures (Unauthenticated
// peer, Internal datastore errors) pass through unchanged.
//
// Caching (the agent check runs on every agent RPC):
//  * verified client chains: by their exact PEM bytes, for as long as the CA's bundle snapshot
//    is the same object and no certificate of the chain has expired (a CA rotation or a pruned
//    authority publishes a new bundle, which verifies again);
//  * attested nodes: a record read from the datastore answers later calls of the same agent for
//    `node_cache_ttl`, only while the presented serial equals the cached current serial, and
//    only while the index's nodeChangedRevision() for that agent is the one seen before the
//    read. Every node write reaches the index: this server's attest/evict directly, and every
//    node write of any server (ban, renewal, re-attestation) through the datastore's node events
//    (EventFollower, 200 ms). So steady-state agent calls read no database, and a ban takes
//    effect within one event poll. Any other outcome (banned, unknown, stale serial, new serial)
//    always re-reads the datastore, as SPIRE's max_attested_node_info_staleness cache does.
//  * registration entries by SPIFFE ID (admin / downstream): for `entry_cache_ttl`, dropped on
//    every AuthorizedEntriesIndex write.
// invalidateAgent()/invalidateAll() drop both at once. A fetch that raced with an invalidation
// is not cached.
//
// THREADS: authorize() from any number of handler threads; the caches are behind one mutex,
// held only for map operations (never across a datastore call).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "server/api/authorizer.h"
#include "server/api/server_state.h"
#include "server/endpoints/peer_identity.h"

namespace spire::server::endpoints {

// A safety net only: node changes invalidate by revision (see above).
inline constexpr std::chrono::milliseconds kDefaultNodeCacheTtl{30000};
inline constexpr std::chrono::milliseconds kDefaultEntryCacheTtl{5000};

struct PolicyAuthorizerOptions {
  // nullopt: server.max_attested_node_info_staleness when set (> 0), else kDefaultNodeCacheTtl.
  // 0 disables the node cache (a datastore read per agent call).
  std::optional<std::chrono::milliseconds> node_cache_ttl;
  std::chrono::milliseconds entry_cache_ttl = kDefaultEntryCacheTtl; // 0 disables
};

class PolicyAuthorizer final : public api::Authorizer {
public:
  // LIFETIME: `state` (its datastore, CA and index) outlives the authorizer.
  explicit PolicyAuthorizer(api::ServerState& state, PolicyAuthorizerOptions options = {});
  ~PolicyAuthorizer() override;
  PolicyAuthorizer(const PolicyAuthorizer&) = delete;
  PolicyAuthorizer& operator=(const PolicyAuthorizer&) = delete;

  Result<api::Caller> authorize(const grpc::ServerContext& context,
                                std::string_view full_method) const override;
  // The same decision from connection facts (authorize() reads them from the context).
  Result<api::Caller> authorizePeer(const PeerInfo& peer, std::string_view full_method) const;

  // SPIRE's AgentAuthorizer for an identified caller and its leaf, with its detailed messages
  // (PermissionDenied) and Internal "unable to look up agent information: <err>" /
  // "unable to activate the new agent SVID: <err>".
  Status authorizeAgent(const spiffe::SpiffeId& id, const X509& svid) const;

  // SPIRE's PermissionDeniedDetails.Reason of the agent check's denials.
  enum class DenialReason : int {
    kNone = 0,
    kAgentExpired = 1,
    kAgentNotAttested = 2,
    kAgentNotActive = 3,
    kAgentBanned = 4,
  };
  // When on, authorize() remembers per call why an agent was denied, for the endpoints'
  // interceptor (denial_details.h) to put in the status details as SPIRE does. Off by default:
  // without the interceptor to take them, nothing would forget them.
  void recordDenialReasons(bool on) const { record_reasons_ = on; }
  // The reason recorded for `call` (and forgets it); kNone when there is none.
  DenialReason takeDenialReason(const grpc::ServerContextBase* call) const;
  void forgetDenialReason(const grpc::ServerContextBase* call) const;

  // Forget what is cached for one agent (a ban or eviction) or for everyone.
  void invalidateAgent(std::string_view agent_id) const;
  void invalidateAll() const;

  std::chrono::milliseconds nodeCacheTtl() const { return node_ttl_; }

private:
  using SteadyTime = std::chrono::steady_clock::time_point;
  struct CachedNode {
    plugin_host::AttestedNode node;
    SteadyTime fetched;
    std::uint64_t node_revision = 0; // index nodeChangedRevision() read before the fetch
  };
  // A client chain that verified against a given bundle snapshot; valid until its first
  // certificate expires or the bundle changes.
  struct CachedPeer {
    std::shared_ptr<const x509::X509Bundle> bundle;
    spiffe::SpiffeId id;
    std::vector<crypto::X509Shared> chain;
    api::TimePoint not_after;
  };
  struct CachedEntries {
    bool admin = false;
    bool downstream = false;
    SteadyTime fetched;
  };

  // callerFromPeer, with verified TLS chains remembered by their exact PEM bytes: an agent's
  // every call presents the same chain, and verifying it is the costly part of identification.
  Result<api::Caller> identify(const PeerInfo& peer) const;
  Result<api::Caller> decide(const PeerInfo& peer, std::string_view full_method,
                             DenialReason* reason) const;
  Status checkAgent(const spiffe::SpiffeId& id, const X509& svid, DenialReason* reason) const;
  Result<CachedEntries> callerEntries(const spiffe::SpiffeId& id) const;
  std::optional<plugin_host::AttestedNode> cachedNode(const std::string& id) const;
  void storeNode(std::uint64_t generation, std::uint64_t node_revision,
                 const plugin_host::AttestedNode& node) const;
  std::uint64_t nodeRevision(const std::string& id) const;
  void invalidateEntries() const;
  std::uint64_t generation() const;
  spdlog::logger& log() const;

  api::ServerState& state_;
  std::chrono::milliseconds node_ttl_;
  std::chrono::milliseconds entry_ttl_;
  std::unordered_set<std::string> admin_ids_; // canonical SPIFFE ID strings

  mutable std::atomic<bool> record_reasons_{false};
  mutable std::mutex reasons_mutex_; // guards reasons_
  mutable std::unordered_map<const grpc::ServerContextBase*, DenialReason> reasons_;

  mutable std::mutex peers_mutex_; // guards peers_
  mutable std::unordered_map<std::string, CachedPeer> peers_;

  mutable std::mutex mutex_; // guards the three members below
  mutable std::uint64_t generation_ = 0;
  mutable std::unordered_map<std::string, CachedNode> nodes_;
  mutable std::unordered_map<std::string, CachedEntries> entries_;

  // Last member: destroyed first, so no index callback runs into a dying authorizer.
  registration::AuthorizedEntriesIndex::Subscription subscription_;
};

} // namespace spire::server::endpoints
