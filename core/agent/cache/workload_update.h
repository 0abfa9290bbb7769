#pragma once

// What a workload sees: its identities and the bundles to verify peers with. Immutable once
// built and shared between the cache and every subscriber, so readers take no lock.

#include <memory>
#include <vector>

#include "agent/cache/entry.h"
#include "bundle/spiffe_bundle.h"
#include "x509/x509_svid.h"

namespace spire::agent::cache {

struct Identity {
  std::shared_ptr<const AgentEntry> entry;
  std::shared_ptr<const x509::X509Svid> svid;
};

struct WorkloadUpdate {
  // Sorted by entry ID (SPIRE's sortIdentities).
  std::vector<Identity> identities;
  // The agent's own trust domain bundle; null until the first sync brought one.
  std::shared_ptr<const bundle::SpiffeBundle> bundle;
  // Bundles of the trust domains the identities federate with, sorted by trust domain name;
  // a trust domain without a known bundle is skipped.
  std::vector<std::shared_ptr<const bundle::SpiffeBundle>> federated_bundles;

  // Same entries, SVIDs and bundles by identity: the cache replaces a shared object whenever
  // its content changes, so pointer equality is content equality here.
  bool sameAs(const WorkloadUpdate& other) const;
};

using WorkloadUpdatePtr = std::shared_ptr<const WorkloadUpdate>;

} // namespace spire::agent::cache
