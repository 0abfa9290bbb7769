#pragma once

// What the Workload API endpoint needs from the rest of the agent: attest a caller, and the
// identities and bundles its selectors entitle it to, now and on every change. The agent's cache
// implements it later; tests use a fake. The endpoint never sees registration entries.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/endpoints/caller_credentials.h"
#include "common/status.h"
#include "jwt/jwt_bundle.h"
#include "spiffe/spiffe_id.h"
#include "x509/x509_bundle.h"
#include "x509/x509_svid.h"

namespace spire::agent::endpoints {

struct Selector {
  std::string type;
  std::string value;
  bool operator==(const Selector&) const = default;
};
using Selectors = std::vector<Selector>;

// Everything one caller may see at one moment. Immutable once published, shared by every stream
// that shows it, so the hot path copies pointers and takes no lock.
struct IdentitySnapshot {
  // In registration-entry order (oldest first); X509Svid::hint carries the entry's hint.
  std::vector<std::shared_ptr<const x509::X509Svid>> svids;
  // The agent's own trust domain; null while not yet known ("bundle not available").
  std::shared_ptr<const x509::X509Bundle> bundle;
  std::shared_ptr<const jwt::JwtBundle> jwt_bundle;
  // Bundles of the trust domains the caller's entries federate with.
  std::vector<std::shared_ptr<const x509::X509Bundle>> federated_bundles;
  std::vector<std::shared_ptr<const jwt::JwtBundle>> federated_jwt_bundles;
};
using IdentitySnapshotPtr = std::shared_ptr<const IdentitySnapshot>;

// Unsubscribes when destroyed; after the destructor returns the callback is never called again.
class Subscription {
public:
  virtual ~Subscription() = default;
};
using SubscriptionPtr = std::unique_ptr<Subscription>;

// THREADS: every method is called from gRPC handler threads, concurrently; implementations are
// thread-safe. Subscription callbacks may run on any thread, must not block, and must not call
// back into the source.
class WorkloadIdentitySource {
public:
  virtual ~WorkloadIdentitySource() = default;

  // Workload attestation of a caller: its selectors. An error means attestation failed.
  virtual Result<Selectors> attest(const CallerCredentials& caller) = 0;

  // The current snapshot for these selectors (never null).
  virtual IdentitySnapshotPtr identitiesFor(const Selectors& selectors) = 0;

  // `on_update` receives a new snapshot on every change that concerns these selectors.
  virtual Result<SubscriptionPtr> subscribe(const Selectors& selectors,
                                            std::function<void(IdentitySnapshotPtr)> on_update) = 0;

  // A JWT-SVID (compact token) for `id`, which is one of the caller's identities.
  virtual Result<std::string> fetchJwtSvid(const Selectors& selectors, const spiffe::SpiffeId& id,
                                           const std::vector<std::string>& audience) = 0;
};

} // namespace spire::agent::endpoints
