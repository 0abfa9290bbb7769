#include "plugin_host/datastore_convert.h"

#include <string>

namespace spire::plugin_host {
namespace {

std::string str(spire_str s) {
  return s.ptr == nullptr ? std::string() : std::string(s.ptr, s.len);
}
Bytes bytes(spire_bytes b) {
  return b.ptr == nullptr ? Bytes() : Bytes(b.ptr, b.ptr + b.len);
}
std::vector<std::string> strs(const spire_str* items, size_t count) {
  std::vector<std::string> out;
  for (size_t i = 0; items != nullptr && i < count; ++i) {
    out.push_back(str(items[i]));
  }
  return out;
}
spire_bytes view(const Bytes& b) {
  return spire_bytes{b.data(), b.size()};
}

} // namespace

std::vector<Selector> selectorsFrom(const spire_selector* items, size_t count) {
  std::vector<Selector> out;
  for (size_t i = 0; items != nullptr && i < count; ++i) {
    out.push_back(Selector{str(items[i].type), str(items[i].value)});
  }
  return out;
}

Entry entryFrom(const spire_entry& e) {
  Entry out;
  out.entry_id = str(e.entry_id);
  out.spiffe_id = str(e.spiffe_id);
  out.parent_id = str(e.parent_id);
  out.selectors = selectorsFrom(e.selectors, e.selectors_len);
  out.x509_svid_ttl = e.x509_svid_ttl;
  out.jwt_svid_ttl = e.jwt_svid_ttl;
  out.federates_with = strs(e.federates_with, e.federates_with_len);
  out.admin = e.admin;
  out.downstream = e.downstream;
  out.store_svid = e.store_svid;
  out.expires_at = e.expires_at;
  out.dns_names = strs(e.dns_names, e.dns_names_len);
  out.revision_number = e.revision_number;
  out.hint = str(e.hint);
  out.created_at = e.created_at;
  out.jwt_svid_include_jti = e.jwt_svid_include_jti;
  out.disable_x509_svid_prefetch = e.disable_x509_svid_prefetch;
  return out;
}

AttestedNode nodeFrom(const spire_attested_node& n) {
  AttestedNode out;
  out.spiffe_id = str(n.spiffe_id);
  out.attestation_data_type = str(n.attestation_data_type);
  out.cert_serial_number = str(n.cert_serial_number);
  out.cert_not_after = n.cert_not_after;
  out.new_cert_serial_number = str(n.new_cert_serial_number);
  out.new_cert_not_after = n.new_cert_not_after;
  out.can_reattest = n.can_reattest;
  out.agent_version = str(n.agent_version);
  out.selectors = selectorsFrom(n.selectors, n.selectors_len);
  return out;
}

JoinToken joinTokenFrom(const spire_join_token& t) {
  return JoinToken{str(t.token), t.expires_at};
}

Bundle bundleFrom(const spire_bundle& b) {
  Bundle out;
  out.trust_domain = str(b.trust_domain);
  for (size_t i = 0; b.x509_authorities != nullptr && i < b.x509_authorities_len; ++i) {
    out.x509_authorities.push_back(
        X509Authority{bytes(b.x509_authorities[i].der), b.x509_authorities[i].tainted});
  }
  for (size_t i = 0; b.jwt_authorities != nullptr && i < b.jwt_authorities_len; ++i) {
    const spire_jwt_key& k = b.jwt_authorities[i];
    out.jwt_authorities.push_back(
        JwtKey{bytes(k.public_key_der), str(k.key_id), k.expires_at, k.tainted});
  }
  out.refresh_hint = b.refresh_hint;
  out.sequence_number = b.sequence_number;
  return out;
}

FederationRelationship relationshipFrom(const spire_federation_relationship& r) {
  FederationRelationship out;
  out.trust_domain = str(r.trust_domain);
  out.bundle_endpoint_url = str(r.bundle_endpoint_url);
  out.bundle_endpoint_profile = str(r.bundle_endpoint_profile);
  out.endpoint_spiffe_id = str(r.endpoint_spiffe_id);
  if (r.trust_domain_bundle != nullptr) {
    out.trust_domain_bundle = bundleFrom(*r.trust_domain_bundle);
  }
  return out;
}

CaJournal journalFrom(const spire_ca_journal& j) {
  return CaJournal{j.id, bytes(j.data), str(j.active_x509_authority_id),
                   str(j.active_jwt_authority_id)};
}

DatastoreEvent eventFrom(const spire_datastore_event& e) {
  return DatastoreEvent{e.event_id, str(e.key), e.created_at};
}

spire_str ViewArena::str(const std::string& s) {
  return spire_str{s.c_str(), s.size()}; // c_str: host strings are NUL-terminated
}

const spire_selector* ViewArena::selectors(const std::vector<Selector>& items) {
  std::vector<spire_selector>& out = selector_arrays_.emplace_back();
  for (const Selector& s : items) {
    out.push_back(spire_selector{str(s.type), str(s.value)});
  }
  return out.empty() ? nullptr : out.data();
}

const spire_str* ViewArena::strs(const std::vector<std::string>& items) {
  std::vector<spire_str>& out = str_arrays_.emplace_back();
  for (const std::string& s : items) {
    out.push_back(str(s));
  }
  return out.empty() ? nullptr : out.data();
}

spire_entry ViewArena::entry(const Entry& e) {
  spire_entry out{};
  out.struct_size = sizeof(out);
  out.entry_id = str(e.entry_id);
  out.spiffe_id = str(e.spiffe_id);
  out.parent_id = str(e.parent_id);
  out.selectors = selectors(e.selectors);
  out.selectors_len = e.selectors.size();
  out.x509_svid_ttl = e.x509_svid_ttl;
  out.jwt_svid_ttl = e.jwt_svid_ttl;
  out.federates_with = strs(e.federates_with);
  out.federates_with_len = e.federates_with.size();
  out.admin = e.admin;
  out.downstream = e.downstream;
  out.store_svid = e.store_svid;
  out.expires_at = e.expires_at;
  out.dns_names = strs(e.dns_names);
  out.dns_names_len = e.dns_names.size();
  out.revision_number = e.revision_number;
  out.hint = str(e.hint);
  out.created_at = e.created_at;
  out.jwt_svid_include_jti = e.jwt_svid_include_jti;
  out.disable_x509_svid_prefetch = e.disable_x509_svid_prefetch;
  return out;
}

spire_attested_node ViewArena::node(const AttestedNode& n) {
  spire_attested_node out{};
  out.struct_size = sizeof(out);
  out.spiffe_id = str(n.spiffe_id);
  out.attestation_data_type = str(n.attestation_data_type);
  out.cert_serial_number = str(n.cert_serial_number);
  out.cert_not_after = n.cert_not_after;
  out.new_cert_serial_number = str(n.new_cert_serial_number);
  out.new_cert_not_after = n.new_cert_not_after;
  out.can_reattest = n.can_reattest;
  out.agent_version = str(n.agent_version);
  out.selectors = selectors(n.selectors);
  out.selectors_len = n.selectors.size();
  return out;
}

spire_join_token ViewArena::joinToken(const JoinToken& t) {
  spire_join_token out{};
  out.struct_size = sizeof(out);
  out.token = str(t.token);
  out.expires_at = t.expires_at;
  return out;
}

spire_jwt_key ViewArena::jwtKey(const JwtKey& k) {
  spire_jwt_key out{};
  out.struct_size = sizeof(out);
  out.public_key_der = view(k.public_key_der);
  out.key_id = str(k.key_id);
  out.expires_at = k.expires_at;
  out.tainted = k.tainted;
  return out;
}

const spire_bundle* ViewArena::bundle(const Bundle& b) {
  std::vector<spire_x509_authority>& x509 = authority_arrays_.emplace_back();
  for (const X509Authority& a : b.x509_authorities) {
    spire_x509_authority v{};
    v.struct_size = sizeof(v);
    v.der = view(a.der);
    v.tainted = a.tainted;
    x509.push_back(v);
  }
  std::vector<spire_jwt_key>& jwt = jwt_arrays_.emplace_back();
  for (const JwtKey& k : b.jwt_authorities) {
    jwt.push_back(jwtKey(k));
  }
  spire_bundle& out = bundles_.emplace_back();
  out = spire_bundle{};
  out.struct_size = sizeof(out);
  out.trust_domain = str(b.trust_domain);
  out.x509_authorities = x509.empty() ? nullptr : x509.data();
  out.x509_authorities_len = x509.size();
  out.jwt_authorities = jwt.empty() ? nullptr : jwt.data();
  out.jwt_authorities_len = jwt.size();
  out.refresh_hint = b.refresh_hint;
  out.sequence_number = b.sequence_number;
  return &out;
}

spire_federation_relationship ViewArena::relationship(const FederationRelationship& r) {
  spire_federation_relationship out{};
  out.struct_size = sizeof(out);
  out.trust_domain = str(r.trust_domain);
  out.bundle_endpoint_url = str(r.bundle_endpoint_url);
  out.bundle_endpoint_profile = str(r.bundle_endpoint_profile);
  out.endpoint_spiffe_id = str(r.endpoint_spiffe_id);
  out.trust_domain_bundle = r.trust_domain_bundle ? bundle(*r.trust_domain_bundle) : nullptr;
  return out;
}

spire_ca_journal ViewArena::journal(const CaJournal& j) {
  spire_ca_journal out{};
  out.struct_size = sizeof(out);
  out.id = j.id;
  out.data = view(j.data);
  out.active_x509_authority_id = str(j.active_x509_authority_id);
  out.active_jwt_authority_id = str(j.active_jwt_authority_id);
  return out;
}

} // namespace spire::plugin_host
