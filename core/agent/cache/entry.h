#pragma once

// The agent's view of a registration entry as SyncAuthorizedEntries delivers it (inventory §7.1).
// A plain value: the agent never writes entries, it only matches and caches them. This is not
// plugin_host::Entry because the agent gets entries from the server API, never from a datastore.

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

namespace spire::agent::cache {

struct Selector {
  std::string type;
  std::string value;

  auto operator<=>(const Selector&) const = default;
  bool operator==(const Selector&) const = default;
};

struct AgentEntry {
  std::string entry_id;
  std::string spiffe_id;
  std::string parent_id;
  std::vector<Selector> selectors;
  int32_t x509_svid_ttl = 0;
  int32_t jwt_svid_ttl = 0;
  // Trust domain names whose bundles go to workloads that get this entry.
  std::vector<std::string> federates_with;
  bool admin = false;
  bool downstream = false;
  bool store_svid = false;
  int64_t expires_at = 0;
  std::vector<std::string> dns_names;
  // Bumped by the server on every change; the cache compares it to detect changed entries.
  int64_t revision_number = 0;
  std::string hint;
  int64_t created_at = 0;
  bool jwt_svid_include_jti = false;
  // Sign this entry's X509-SVID only once a workload asks for it.
  bool disable_x509_svid_prefetch = false;
};

// Sorted and without duplicates: the canonical form of a selector set (subscription key).
std::vector<Selector> normalizeSelectors(std::vector<Selector> selectors);

} // namespace spire::agent::cache
