#include "datastore/sql/records.h"

#include "spire/plugin/cpp/error.hpp"

namespace spire::datastore::sql {
namespace {

using spire::plugin::Error;

template <class T> void checkSize(const T* p, const char* what) {
  if (p == nullptr) {
    throw Error(SPIRE_INVALID_ARGUMENT, std::string("missing ") + what);
  }
  // Every field this plugin reads exists since ABI v1; a smaller struct is a broken host.
  if (p->struct_size < sizeof(T)) {
    throw Error(SPIRE_INVALID_ARGUMENT, std::string(what) + ": struct_size too small");
  }
}

spire_str view(const std::string& s) {
  return spire_str{s.data(), s.size()};
}
spire_bytes view(const Bytes& b) {
  return spire_bytes{b.data(), b.size()};
}

void check(spire_status st) {
  if (st != SPIRE_OK) {
    throw Error(st, "host refused an emitted result");
  }
}

std::vector<spire_selector> selectorViews(const std::vector<Selector>& s) {
  std::vector<spire_selector> out;
  out.reserve(s.size());
  for (const auto& sel : s) {
    out.push_back(spire_selector{view(sel.type), view(sel.value)});
  }
  return out;
}

std::vector<spire_str> strViews(const std::vector<std::string>& s) {
  std::vector<spire_str> out;
  out.reserve(s.size());
  for (const auto& v : s) {
    out.push_back(view(v));
  }
  return out;
}

// Flat views of a bundle, kept alive while the bundle view is in use.
struct BundleView {
  std::vector<spire_x509_authority> x509;
  std::vector<spire_jwt_key> jwt;
  spire_bundle bundle{};

  explicit BundleView(const Bundle& b) {
    for (const auto& a : b.x509_authorities) {
      spire_x509_authority v{};
      v.struct_size = sizeof(v);
      v.der = view(a.der);
      v.tainted = a.tainted;
      x509.push_back(v);
    }
    for (const auto& k : b.jwt_authorities) {
      spire_jwt_key v{};
      v.struct_size = sizeof(v);
      v.public_key_der = view(k.public_key_der);
      v.key_id = view(k.key_id);
      v.expires_at = k.expires_at;
      v.tainted = k.tainted;
      jwt.push_back(v);
    }
    bundle.struct_size = sizeof(bundle);
    bundle.trust_domain = view(b.trust_domain);
    bundle.x509_authorities = x509.data();
    bundle.x509_authorities_len = x509.size();
    bundle.jwt_authorities = jwt.data();
    bundle.jwt_authorities_len = jwt.size();
    bundle.refresh_hint = b.refresh_hint;
    bundle.sequence_number = b.sequence_number;
  }
};

} // namespace

std::string str(spire_str s) {
  return s.ptr == nullptr ? std::string() : std::string(s.ptr, s.len);
}

std::vector<Selector> selectorsOf(const spire_selector* s, size_t n) {
  std::vector<Selector> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(Selector{str(s[i].type), str(s[i].value)});
  }
  return out;
}

std::vector<std::string> stringsOf(const spire_str* s, size_t n) {
  std::vector<std::string> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(str(s[i]));
  }
  return out;
}

Entry entryOf(const spire_entry* e) {
  checkSize(e, "entry");
  Entry out;
  out.entry_id = str(e->entry_id);
  out.spiffe_id = str(e->spiffe_id);
  out.parent_id = str(e->parent_id);
  out.selectors = selectorsOf(e->selectors, e->selectors_len);
  out.x509_svid_ttl = e->x509_svid_ttl;
  out.jwt_svid_ttl = e->jwt_svid_ttl;
  out.federates_with = stringsOf(e->federates_with, e->federates_with_len);
  out.admin = e->admin;
  out.downstream = e->downstream;
  out.store_svid = e->store_svid;
  out.expires_at = e->expires_at;
  out.dns_names = stringsOf(e->dns_names, e->dns_names_len);
  out.revision_number = e->revision_number;
  out.hint = str(e->hint);
  out.created_at = e->created_at;
  out.jwt_svid_include_jti = e->jwt_svid_include_jti;
  out.disable_x509_svid_prefetch = e->disable_x509_svid_prefetch;
  return out;
}

Node nodeOf(const spire_attested_node* n) {
  checkSize(n, "attested node");
  Node out;
  out.spiffe_id = str(n->spiffe_id);
  out.attestation_data_type = str(n->attestation_data_type);
  out.cert_serial_number = str(n->cert_serial_number);
  out.cert_not_after = n->cert_not_after;
  out.new_cert_serial_number = str(n->new_cert_serial_number);
  out.new_cert_not_after = n->new_cert_not_after;
  out.can_reattest = n->can_reattest;
  out.agent_version = str(n->agent_version);
  out.selectors = selectorsOf(n->selectors, n->selectors_len);
  return out;
}

Bundle bundleOf(const spire_bundle* b) {
  checkSize(b, "bundle");
  Bundle out;
  out.trust_domain = str(b->trust_domain);
  for (size_t i = 0; i < b->x509_authorities_len; ++i) {
    const auto& a = b->x509_authorities[i];
    out.x509_authorities.push_back(
        X509Authority{Bytes(a.der.ptr, a.der.ptr + a.der.len), a.tainted});
  }
  for (size_t i = 0; i < b->jwt_authorities_len; ++i) {
    const auto& k = b->jwt_authorities[i];
    out.jwt_authorities.push_back(
        JwtKey{Bytes(k.public_key_der.ptr, k.public_key_der.ptr + k.public_key_der.len),
               str(k.key_id), k.expires_at, k.tainted});
  }
  out.refresh_hint = b->refresh_hint;
  out.sequence_number = b->sequence_number;
  return out;
}

FederationRelationship relationshipOf(const spire_federation_relationship* r) {
  checkSize(r, "federation relationship");
  FederationRelationship out;
  out.trust_domain = str(r->trust_domain);
  out.bundle_endpoint_url = str(r->bundle_endpoint_url);
  out.bundle_endpoint_profile = str(r->bundle_endpoint_profile);
  out.endpoint_spiffe_id = str(r->endpoint_spiffe_id);
  if (r->trust_domain_bundle != nullptr) {
    out.trust_domain_bundle = bundleOf(r->trust_domain_bundle);
  }
  return out;
}

Page pageOf(const spire_pagination* p) {
  if (p == nullptr) {
    return {};
  }
  checkSize(p, "pagination");
  if (p->page_size < 0) {
    throw Error(SPIRE_INVALID_ARGUMENT, "page size must not be negative");
  }
  return Page{str(p->token), p->page_size};
}

void Emitter::entry(const Entry& e) const {
  auto selectors = selectorViews(e.selectors);
  auto federates = strViews(e.federates_with);
  auto dns = strViews(e.dns_names);
  spire_entry v{};
  v.struct_size = sizeof(v);
  v.entry_id = view(e.entry_id);
  v.spiffe_id = view(e.spiffe_id);
  v.parent_id = view(e.parent_id);
  v.selectors = selectors.data();
  v.selectors_len = selectors.size();
  v.x509_svid_ttl = e.x509_svid_ttl;
  v.jwt_svid_ttl = e.jwt_svid_ttl;
  v.federates_with = federates.data();
  v.federates_with_len = federates.size();
  v.admin = e.admin;
  v.downstream = e.downstream;
  v.store_svid = e.store_svid;
  v.expires_at = e.expires_at;
  v.dns_names = dns.data();
  v.dns_names_len = dns.size();
  v.revision_number = e.revision_number;
  v.hint = view(e.hint);
  v.created_at = e.created_at;
  v.jwt_svid_include_jti = e.jwt_svid_include_jti;
  v.disable_x509_svid_prefetch = e.disable_x509_svid_prefetch;
  check(api->datastore->emit_entry(call, &v));
}

void Emitter::node(const Node& n, bool with_selectors) const {
  std::vector<spire_selector> selectors;
  if (with_selectors) {
    selectors = selectorViews(n.selectors);
  }
  spire_attested_node v{};
  v.struct_size = sizeof(v);
  v.spiffe_id = view(n.spiffe_id);
  v.attestation_data_type = view(n.attestation_data_type);
  v.cert_serial_number = view(n.cert_serial_number);
  v.cert_not_after = n.cert_not_after;
  v.new_cert_serial_number = view(n.new_cert_serial_number);
  v.new_cert_not_after = n.new_cert_not_after;
  v.can_reattest = n.can_reattest;
  v.agent_version = view(n.agent_version);
  v.selectors = selectors.data();
  v.selectors_len = selectors.size();
  check(api->datastore->emit_attested_node(call, &v));
}

void Emitter::nodeSelectors(const std::string& spiffe_id, const std::vector<Selector>& s) const {
  auto selectors = selectorViews(s);
  check(api->datastore->emit_node_selectors(call, view(spiffe_id), selectors.data(),
                                            selectors.size()));
}

void Emitter::joinToken(const JoinToken& t) const {
  spire_join_token v{};
  v.struct_size = sizeof(v);
  v.token = view(t.token);
  v.expires_at = t.expires_at;
  check(api->datastore->emit_join_token(call, &v));
}

void Emitter::bundle(const Bundle& b) const {
  BundleView v(b);
  check(api->datastore->emit_bundle(call, &v.bundle));
}

void Emitter::relationship(const FederationRelationship& r) const {
  std::optional<BundleView> bundle;
  if (r.trust_domain_bundle) {
    bundle.emplace(*r.trust_domain_bundle);
  }
  spire_federation_relationship v{};
  v.struct_size = sizeof(v);
  v.trust_domain = view(r.trust_domain);
  v.bundle_endpoint_url = view(r.bundle_endpoint_url);
  v.bundle_endpoint_profile = view(r.bundle_endpoint_profile);
  v.endpoint_spiffe_id = view(r.endpoint_spiffe_id);
  v.trust_domain_bundle = bundle ? &bundle->bundle : nullptr;
  check(api->datastore->emit_federation_relationship(call, &v));
}

void Emitter::journal(const CaJournal& j) const {
  spire_ca_journal v{};
  v.struct_size = sizeof(v);
  v.id = j.id;
  v.data = view(j.data);
  v.active_x509_authority_id = view(j.active_x509_authority_id);
  v.active_jwt_authority_id = view(j.active_jwt_authority_id);
  check(api->datastore->emit_ca_journal(call, &v));
}

void Emitter::event(const Event& e) const {
  spire_datastore_event v{};
  v.struct_size = sizeof(v);
  v.event_id = e.event_id;
  v.key = view(e.key);
  v.created_at = e.created_at;
  check(api->datastore->emit_event(call, &v));
}

void Emitter::integer(std::int64_t value) const {
  check(api->datastore->emit_int(call, value));
}

void Emitter::pageToken(const std::string& token) const {
  check(api->datastore->emit_page_token(call, view(token)));
}

void Emitter::jwtKey(const JwtKey& k) const {
  spire_jwt_key v{};
  v.struct_size = sizeof(v);
  v.public_key_der = view(k.public_key_der);
  v.key_id = view(k.key_id);
  v.expires_at = k.expires_at;
  v.tainted = k.tainted;
  check(api->emit_jwt_keys(call, &v, 1));
}

} // namespace spire::datastore::sql
