#pragma once

// C++ values of the DataStore records (spire/plugin/datastore.h), copied out of plugin memory or
// lent to the plugin as flat C views.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "plugin_host/plugin_results.h"

struct spire_datastore_host_api;

namespace spire::plugin_host {

struct Entry {
  std::string entry_id;
  std::string spiffe_id;
  std::string parent_id;
  std::vector<Selector> selectors;
  std::int32_t x509_svid_ttl = 0;
  std::int32_t jwt_svid_ttl = 0;
  std::vector<std::string> federates_with;
  bool admin = false;
  bool downstream = false;
  bool store_svid = false;
  std::int64_t expires_at = 0;
  std::vector<std::string> dns_names;
  std::int64_t revision_number = 0;
  std::string hint;
  std::int64_t created_at = 0;
  bool jwt_svid_include_jti = false;
  bool disable_x509_svid_prefetch = false;
};

struct AttestedNode {
  std::string spiffe_id;
  std::string attestation_data_type;
  std::string cert_serial_number;
  std::int64_t cert_not_after = 0;
  std::string new_cert_serial_number;
  std::int64_t new_cert_not_after = 0;
  bool can_reattest = false;
  std::string agent_version;
  std::vector<Selector> selectors;
};

struct JoinToken {
  std::string token;
  std::int64_t expires_at = 0;
};

struct X509Authority {
  Bytes der;
  bool tainted = false;
};

struct Bundle {
  std::string trust_domain;
  std::vector<X509Authority> x509_authorities;
  std::vector<JwtKey> jwt_authorities;
  std::int64_t refresh_hint = 0;
  std::uint64_t sequence_number = 0;
};

struct FederationRelationship {
  std::string trust_domain;
  std::string bundle_endpoint_url;
  std::string bundle_endpoint_profile;
  std::string endpoint_spiffe_id;
  std::optional<Bundle> trust_domain_bundle;
};

struct CaJournal {
  std::int64_t id = 0;
  Bytes data;
  std::string active_x509_authority_id;
  std::string active_jwt_authority_id;
};

struct DatastoreEvent {
  std::uint64_t event_id = 0;
  std::string key;
  std::int64_t created_at = 0;
};

struct NodeSelectors {
  std::string spiffe_id;
  std::vector<Selector> selectors;
};

// Everything a DataStore call may emit.
struct DatastoreResults {
  std::vector<Entry> entries;
  std::vector<AttestedNode> nodes;
  std::vector<NodeSelectors> node_selectors;
  std::vector<JoinToken> join_tokens;
  std::vector<Bundle> bundles;
  std::vector<FederationRelationship> relationships;
  std::vector<CaJournal> journals;
  std::vector<DatastoreEvent> events;
  std::vector<std::int64_t> ints;
  std::optional<std::string> page_token;
  std::vector<JwtKey> jwt_keys; // taint/revoke of a JWT authority (spire_host_api.emit_jwt_keys)
};

// The emitters table reached through spire_host_api.datastore (static, never freed).
const spire_datastore_host_api* datastoreHostApi();

} // namespace spire::plugin_host
