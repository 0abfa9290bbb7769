#include "server/endpoints/policy_authorizer.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/go_quote.h"
#include "crypto/certificate.h"
#include "server/endpoints/method_policy.h"

namespace spire::server::endpoints {

namespace {

// Caches larger than this are dropped whole rather than grown (a flood of distinct IDs).
constexpr std::size_t kMaxCacheSize = 100000;
constexpr std::size_t kMaxPeerCacheSize = 10000;

Status permissionDenied(std::string message) {
  return {StatusCode::kPermissionDenied, std::move(message)};
}

// The trust domain's own bundle, as the CA holds it now. Only our trust domain: SPIRE's server
// accepts no client SVID from a federated trust domain.
class CaBundleSource final : public x509::X509BundleSource {
public:
  explicit CaBundleSource(const api::ServerState& state) : state_(state) {}
  Result<x509::X509Bundle>
  getX509BundleForTrustDomain(const spiffe::TrustDomain& td) const override {
    if (td == state_.trust_domain && state_.ca != nullptr) {
      std::shared_ptr<const ca::CaSnapshot> snapshot = state_.ca->snapshot();
      if (snapshot != nullptr && snapshot->bundle != nullptr) {
        return *snapshot->bundle;
      }
    }
    return notFound("x509bundle: " + x509::noBundleFoundMessage(td));
  }

private:
  const api::ServerState& state_;
};

std::chrono::milliseconds nodeTtl(const api::ServerState& state,
                                  const PolicyAuthorizerOptions& options) {
  if (options.node_cache_ttl.has_value()) {
    return *options.node_cache_ttl;
  }
  auto staleness = std::chrono::duration_cast<std::chrono::milliseconds>(
      state.config.max_attested_node_info_staleness);
  return staleness.count() > 0 ? staleness : kDefaultNodeCacheTtl;
}

} // namespace

PolicyAuthorizer::PolicyAuthorizer(api::ServerState& state, PolicyAuthorizerOptions options)
    : state_(state), node_ttl_(nodeTtl(state, options)), entry_ttl_(options.entry_cache_ttl) {
  for (const std::string& text : state.config.admin_ids) {
    Result<spiffe::SpiffeId> id = spiffe::SpiffeId::parse(text);
    if (id.isOk()) {
      admin_ids_.insert(id->toString());
    } else {
      log().warn("Ignoring invalid admin ID {}: {}", text, id.status().message());
    }
  }
  if (state.index != nullptr) {
    subscription_ = state.index->subscribe([this](std::uint64_t) { invalidateEntries(); });
  }
}

PolicyAuthorizer::~PolicyAuthorizer() {
  subscription_.reset();
}

spdlog::logger& PolicyAuthorizer::log() const {
  return state_.logger != nullptr ? *state_.logger : *spdlog::default_logger();
}

Result<api::Caller> PolicyAuthorizer::authorize(const grpc::ServerContext& context,
                                                std::string_view full_method) const {
  DenialReason reason = DenialReason::kNone;
  Result<api::Caller> caller = decide(peerInfoFromContext(context), full_method, &reason);
  if (!caller.isOk() && reason != DenialReason::kNone && record_reasons_) {
    std::lock_guard lock(reasons_mutex_);
    reasons_[&context] = reason;
  }
  return caller;
}

Result<api::Caller> PolicyAuthorizer::authorizePeer(const PeerInfo& peer,
                                                    std::string_view full_method) const {
  DenialReason ignored = DenialReason::kNone;
  return decide(peer, full_method, &ignored);
}

PolicyAuthorizer::DenialReason
PolicyAuthorizer::takeDenialReason(const grpc::ServerContextBase* call) const {
  std::lock_guard lock(reasons_mutex_);
  auto it = reasons_.find(call);
  if (it == reasons_.end()) {
    return DenialReason::kNone;
  }
  DenialReason reason = it->second;
  reasons_.erase(it);
  return reason;
}

void PolicyAuthorizer::forgetDenialReason(const grpc::ServerContextBase* call) const {
  std::lock_guard lock(reasons_mutex_);
  reasons_.erase(call);
}

Result<api::Caller> PolicyAuthorizer::decide(const PeerInfo& peer, std::string_view full_method,
                                             DenialReason* reason) const {
  Result<api::Caller> identified = identify(peer);
  if (!identified.isOk()) {
    log().error("Failed to authenticate caller: method={} caller-addr={}: {}", full_method,
                peer.address, identified.status().message());
    return identified.status();
  }
  api::Caller caller = std::move(*identified);
  const std::string caller_id = caller.id ? caller.id->toString() : std::string();
  const bool config_admin = caller.id && admin_ids_.count(caller_id) != 0;

  const MethodPolicy* policy = findMethodPolicy(full_method);
  Status denial_detail; // a PermissionDenied from the agent check, logged with the denial
  if (policy != nullptr) {
    if (policy->allow_any) {
      caller.admin = config_admin;
      return caller;
    }
    if (policy->allow_local && caller.local) {
      return caller;
    }
    if (policy->allow_admin && config_admin) {
      caller.admin = true;
      return caller;
    }
    if ((policy->allow_admin || policy->allow_downstream) && caller.id) {
      Result<CachedEntries> entries = callerEntries(*caller.id);
      if (!entries.isOk()) {
        return entries.status();
      }
      if (policy->allow_admin && entries->admin) {
        caller.admin = true;
        return caller;
      }
      if (policy->allow_downstream && entries->downstream) {
        caller.downstream = true;
        return caller;
      }
    }
    if (policy->allow_agent && !caller.local) {
      if (caller.chain.empty()) {
        denial_detail = permissionDenied("caller does not have an X509-SVID");
      } else {
        Status agent = checkAgent(*caller.id, *caller.chain.front(), reason);
        if (agent.isOk()) {
          caller.agent = true;
          return caller;
        }
        if (agent.code() != StatusCode::kPermissionDenied) {
          log().error("Authorization failure: method={} caller-id={}: {}", full_method, caller_id,
                      agent.message());
          return agent;
        }
        denial_detail = std::move(agent);
      }
    }
  }
  Status denied = permissionDenied("authorization denied for method " + std::string(full_method));
  log().error("Failed to authenticate caller: method={} caller-addr={} caller-id={}: {}{}{}",
              full_method, caller.address, caller_id, denied.message(),
              denial_detail.isOk() ? "" : ": ", denial_detail.message());
  return denied;
}

Result<api::Caller> PolicyAuthorizer::identify(const PeerInfo& peer) const {
  CaBundleSource bundles(state_);
  if (!peer.tls || peer.leaf_pem.empty() || state_.ca == nullptr) {
    return callerFromPeer(peer, bundles, state_.now());
  }
  std::shared_ptr<const ca::CaSnapshot> snapshot = state_.ca->snapshot();
  std::shared_ptr<const x509::X509Bundle> bundle = snapshot != nullptr ? snapshot->bundle : nullptr;
  const api::TimePoint now = state_.now();
  std::string key = peer.leaf_pem;
  key.append(1, '\0').append(peer.chain_pem);
  if (bundle != nullptr) {
    std::lock_guard lock(peers_mutex_);
    auto it = peers_.find(key);
    if (it != peers_.end() && it->second.bundle == bundle && now <= it->second.not_after) {
      api::Caller caller;
      caller.address = peer.address;
      caller.id = it->second.id;
      caller.chain = it->second.chain;
      return caller;
    }
  }
  Result<api::Caller> caller = callerFromPeer(peer, bundles, now);
  if (caller.isOk() && caller->id.has_value() && bundle != nullptr) {
    CachedPeer entry{bundle, *caller->id, caller->chain, api::TimePoint::max()};
    for (const crypto::X509Shared& cert : caller->chain) {
      entry.not_after = std::min(entry.not_after, crypto::notAfter(*cert));
    }
    std::lock_guard lock(peers_mutex_);
    if (peers_.size() >= kMaxPeerCacheSize) {
      peers_.clear();
    }
    peers_[std::move(key)] = std::move(entry);
  }
  return caller;
}

Status PolicyAuthorizer::authorizeAgent(const spiffe::SpiffeId& id, const X509& svid) const {
  DenialReason ignored = DenialReason::kNone;
  return checkAgent(id, svid, &ignored);
}

Status PolicyAuthorizer::checkAgent(const spiffe::SpiffeId& id, const X509& svid,
                                    DenialReason* reason) const {
  const std::string agent_id = id.toString();
  const std::string quoted = goQuote(agent_id);
  if (state_.now() > crypto::notAfter(svid)) {
    log().error("Agent SVID is expired: caller-id={}", agent_id);
    *reason = DenialReason::kAgentExpired;
    return permissionDenied("agent " + quoted + " SVID is expired");
  }
  const std::string serial = crypto::serialNumberDecimal(svid);

  if (std::optional<plugin_host::AttestedNode> cached = cachedNode(agent_id);
      cached.has_value() && !cached->cert_serial_number.empty() &&
      cached->cert_serial_number == serial) {
    return {};
  }

  const std::uint64_t generation_before = generation();
  const std::uint64_t node_revision_before = nodeRevision(agent_id);
  if (state_.datastore == nullptr) {
    return internalError("unable to look up agent information: no datastore");
  }
  Result<std::optional<plugin_host::AttestedNode>> fetched =
      state_.datastore->fetchAttestedNode(agent_id);
  if (!fetched.isOk()) {
    log().error("Unable to look up agent information: caller-id={}: {}", agent_id,
                fetched.status().message());
    return internalError("unable to look up agent information: " + fetched.status().message());
  }
  if (!fetched->has_value()) {
    log().error("Agent is not attested: caller-id={}", agent_id);
    *reason = DenialReason::kAgentNotAttested;
    return permissionDenied("agent " + quoted + " is not attested");
  }
  plugin_host::AttestedNode node = std::move(**fetched);
  if (node.cert_serial_number.empty()) {
    log().error("Agent is banned: caller-id={}", agent_id);
    *reason = DenialReason::kAgentBanned;
    return permissionDenied("agent " + quoted + " is banned");
  }
  if (node.cert_serial_number == serial) {
    storeNode(generation_before, node_revision_before, node);
    return {};
  }
  if (!node.new_cert_serial_number.empty() && node.new_cert_serial_number == serial) {
    // The agent renewed and now uses its new SVID: from here on only that one is current.
    plugin_host::AttestedNode promoted = node;
    promoted.cert_serial_number = node.new_cert_serial_number;
    promoted.cert_not_after = node.new_cert_not_after;
    promoted.new_cert_serial_number.clear();
    promoted.new_cert_not_after = 0;
    const std::uint32_t mask = SPIRE_NODE_MASK_CERT_SERIAL_NUMBER | SPIRE_NODE_MASK_CERT_NOT_AFTER |
                               SPIRE_NODE_MASK_NEW_CERT_SERIAL_NUMBER |
                               SPIRE_NODE_MASK_NEW_CERT_NOT_AFTER;
    Result<plugin_host::AttestedNode> updated =
        state_.datastore->updateAttestedNode(promoted, mask);
    if (!updated.isOk()) {
      log().warn("Unable to activate the new agent SVID: caller-id={} svid-serial={} serial={} "
                 "new-serial={}: {}",
                 agent_id, serial, node.cert_serial_number, node.new_cert_serial_number,
                 updated.status().message());
      return internalError("unable to activate the new agent SVID: " + updated.status().message());
    }
    storeNode(generation_before, node_revision_before, promoted);
    return {};
  }
  log().error("Agent SVID is not active: caller-id={} svid-serial={} serial={}", agent_id, serial,
              node.cert_serial_number);
  *reason = DenialReason::kAgentNotActive;
  return permissionDenied("agent " + quoted + " expected to have serial number " +
                          goQuote(node.cert_serial_number) + "; has " + goQuote(serial));
}

Result<PolicyAuthorizer::CachedEntries>
PolicyAuthorizer::callerEntries(const spiffe::SpiffeId& id) const {
  const std::string key = id.toString();
  const SteadyTime now = std::chrono::steady_clock::now();
  std::uint64_t generation_before = 0;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end() && now - it->second.fetched < entry_ttl_) {
      return it->second;
    }
    generation_before = generation_;
  }
  if (state_.datastore == nullptr) {
    return internalError("failed to fetch caller entries: no datastore");
  }
  plugin_host::EntryFilter filter;
  filter.spiffe_id = key;
  Result<plugin_host::Page<plugin_host::Entry>> page =
      state_.datastore->listEntries(&filter, plugin_host::Pagination{});
  if (!page.isOk()) {
    log().error("Failed to fetch caller entries: caller-id={}: {}", key, page.status().message());
    return internalError("failed to fetch caller entries: " + page.status().message());
  }
  CachedEntries result;
  result.fetched = now;
  for (const plugin_host::Entry& entry : page->items) {
    result.admin = result.admin || entry.admin;
    result.downstream = result.downstream || entry.downstream;
  }
  if (entry_ttl_.count() > 0) {
    std::lock_guard lock(mutex_);
    if (generation_ == generation_before) {
      if (entries_.size() >= kMaxCacheSize) {
        entries_.clear();
      }
      entries_[key] = result;
    }
  }
  return result;
}

std::optional<plugin_host::AttestedNode> PolicyAuthorizer::cachedNode(const std::string& id) const {
  if (node_ttl_.count() <= 0) {
    return std::nullopt;
  }
  const std::uint64_t current = nodeRevision(id);
  std::lock_guard lock(mutex_);
  auto it = nodes_.find(id);
  if (it == nodes_.end() || std::chrono::steady_clock::now() - it->second.fetched >= node_ttl_ ||
      it->second.node_revision != current) {
    return std::nullopt;
  }
  return it->second.node;
}

std::uint64_t PolicyAuthorizer::nodeRevision(const std::string& id) const {
  return state_.index != nullptr ? state_.index->nodeChangedRevision(id) : 0;
}

void PolicyAuthorizer::storeNode(std::uint64_t generation_before, std::uint64_t node_revision,
                                 const plugin_host::AttestedNode& node) const {
  if (node_ttl_.count() <= 0) {
    return;
  }
  std::lock_guard lock(mutex_);
  if (generation_ != generation_before) {
    return; // invalidated while we read: what we read may already be stale
  }
  if (nodes_.size() >= kMaxCacheSize) {
    nodes_.clear();
  }
  nodes_[node.spiffe_id] = CachedNode{node, std::chrono::steady_clock::now(), node_revision};
}

std::uint64_t PolicyAuthorizer::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

void PolicyAuthorizer::invalidateAgent(std::string_view agent_id) const {
  std::lock_guard lock(mutex_);
  ++generation_;
  nodes_.erase(std::string(agent_id));
  entries_.erase(std::string(agent_id));
}

void PolicyAuthorizer::invalidateEntries() const {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

void PolicyAuthorizer::invalidateAll() const {
  std::lock_guard lock(mutex_);
  ++generation_;
  nodes_.clear();
  entries_.clear();
}

} // namespace spire::server::endpoints
