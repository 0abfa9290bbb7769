#pragma once

// Conversions between the DataStore's flat C records and their C++ values. from*: copies out of
// plugin (or host) memory. *View: flat C views over C++ values, valid while the View lives.

#include <deque>
#include <vector>

#include "plugin_host/datastore_results.h"
#include "spire/plugin/datastore.h"

namespace spire::plugin_host {

std::vector<Selector> selectorsFrom(const spire_selector* items, size_t count);
Entry entryFrom(const spire_entry& e);
AttestedNode nodeFrom(const spire_attested_node& n);
JoinToken joinTokenFrom(const spire_join_token& t);
Bundle bundleFrom(const spire_bundle& b);
FederationRelationship relationshipFrom(const spire_federation_relationship& r);
CaJournal journalFrom(const spire_ca_journal& j);
DatastoreEvent eventFrom(const spire_datastore_event& e);

// Backing storage for C views of C++ values. Views point into the C++ values passed in and into
// arrays held here, so both must outlive the call that uses the views.
class ViewArena {
public:
  spire_str str(const std::string& s);
  const spire_selector* selectors(const std::vector<Selector>& items);
  const spire_str* strs(const std::vector<std::string>& items);
  spire_entry entry(const Entry& e);
  spire_attested_node node(const AttestedNode& n);
  spire_join_token joinToken(const JoinToken& t);
  const spire_bundle* bundle(const Bundle& b);
  spire_federation_relationship relationship(const FederationRelationship& r);
  spire_ca_journal journal(const CaJournal& j);
  spire_jwt_key jwtKey(const JwtKey& k);

private:
  std::deque<std::vector<spire_selector>> selector_arrays_;
  std::deque<std::vector<spire_str>> str_arrays_;
  std::deque<std::vector<spire_x509_authority>> authority_arrays_;
  std::deque<std::vector<spire_jwt_key>> jwt_arrays_;
  std::deque<spire_bundle> bundles_;
};

} // namespace spire::plugin_host
