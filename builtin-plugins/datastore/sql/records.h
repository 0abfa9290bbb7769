#pragma once

// The plugin's own copies of the DataStore records (spire/plugin/datastore.h): read from the
// host's flat inputs, and emitted back as flat views built for the duration of one emit call.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "datastore/sql/db.h"
#include "spire/plugin/datastore.h"

namespace spire::datastore::sql {

struct Selector {
  std::string type;
  std::string value;
  auto operator<=>(const Selector&) const = default;
};

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

struct Node {
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

struct X509Authority {
  Bytes der;
  bool tainted = false;
};

struct JwtKey {
  Bytes public_key_der;
  std::string key_id;
  std::int64_t expires_at = 0;
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

struct JoinToken {
  std::string token;
  std::int64_t expires_at = 0;
};

struct CaJournal {
  std::int64_t id = 0;
  Bytes data;
  std::string active_x509_authority_id;
  std::string active_jwt_authority_id;
};

struct Event {
  std::uint64_t event_id = 0;
  std::string key;
  std::int64_t created_at = 0;
};

struct Page {
  std::string token; // empty = first page
  std::int32_t page_size = 0;
};

// ---- From the host's inputs (fields below struct_size only; throws INVALID_ARGUMENT) ----
std::string str(spire_str s);
std::vector<Selector> selectorsOf(const spire_selector* s, size_t n);
std::vector<std::string> stringsOf(const spire_str* s, size_t n);
Entry entryOf(const spire_entry* e);
Node nodeOf(const spire_attested_node* n);
Bundle bundleOf(const spire_bundle* b);
FederationRelationship relationshipOf(const spire_federation_relationship* r);
Page pageOf(const spire_pagination* p);

// ---- Emitters: throw spire::plugin::Error when the host refuses ----
struct Emitter {
  const spire_host_api* api;
  spire_call* call;

  void entry(const Entry& e) const;
  void node(const Node& n, bool with_selectors) const;
  void nodeSelectors(const std::string& spiffe_id, const std::vector<Selector>& s) const;
  void joinToken(const JoinToken& t) const;
  void bundle(const Bundle& b) const;
  void relationship(const FederationRelationship& r) const;
  void journal(const CaJournal& j) const;
  void event(const Event& e) const;
  void integer(std::int64_t v) const;
  void pageToken(const std::string& token) const;
  void jwtKey(const JwtKey& k) const;
};

} // namespace spire::datastore::sql
