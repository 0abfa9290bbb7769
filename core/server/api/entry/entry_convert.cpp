#include "server/api/entry/entry_convert.h"

#include <utility>

#include "spire/plugin/datastore.h"

namespace spire::server::api::entry {
namespace {

using plugin_host::Entry;
using plugin_host::Selector;

registration::EntryFieldMask validationMask(const types::EntryMask& mask) {
  registration::EntryFieldMask out;
  out.parent_id = mask.parent_id();
  out.spiffe_id = mask.spiffe_id();
  out.dns_names = mask.dns_names();
  out.federates_with = mask.federates_with();
  out.selectors = mask.selectors();
  out.hint = mask.hint();
  out.x509_svid_ttl = mask.x509_svid_ttl();
  out.jwt_svid_ttl = mask.jwt_svid_ttl();
  return out;
}

types::EntryMask allFields() {
  types::EntryMask mask;
  mask.set_spiffe_id(true);
  mask.set_parent_id(true);
  mask.set_selectors(true);
  mask.set_x509_svid_ttl(true);
  mask.set_federates_with(true);
  mask.set_admin(true);
  mask.set_downstream(true);
  mask.set_expires_at(true);
  mask.set_dns_names(true);
  mask.set_revision_number(true);
  mask.set_store_svid(true);
  mask.set_jwt_svid_ttl(true);
  mask.set_hint(true);
  mask.set_created_at(true);
  mask.set_additional_attributes(true);
  return mask;
}

} // namespace

Result<spiffe::SpiffeId> idFromProto(const types::SPIFFEID* id) {
  if (id == nullptr) {
    return invalidArgument("request must specify SPIFFE ID");
  }
  return registration::idFromProtoParts(id->trust_domain(), id->path());
}

Result<spiffe::SpiffeId> memberIdFromProto(const spiffe::TrustDomain& td,
                                           const types::SPIFFEID* id) {
  Result<spiffe::SpiffeId> parsed = idFromProto(id);
  if (!parsed) {
    return parsed;
  }
  if (Status st = registration::verifyTrustDomainMemberId(td, *parsed); !st.isOk()) {
    return st;
  }
  return parsed;
}

Result<spiffe::SpiffeId> workloadIdFromProto(const spiffe::TrustDomain& td,
                                             const types::SPIFFEID* id) {
  Result<spiffe::SpiffeId> parsed = idFromProto(id);
  if (!parsed) {
    return parsed;
  }
  if (Status st = registration::verifyTrustDomainWorkloadId(td, *parsed); !st.isOk()) {
    return st;
  }
  return parsed;
}

void idToProto(const spiffe::SpiffeId& id, types::SPIFFEID* out) {
  out->set_trust_domain(id.trustDomain().name());
  out->set_path(id.path());
}

Result<std::vector<Selector>>
selectorsFromProto(const google::protobuf::RepeatedPtrField<types::Selector>& selectors) {
  std::vector<Selector> out;
  out.reserve(static_cast<std::size_t>(selectors.size()));
  for (const types::Selector& s : selectors) {
    Selector selector{s.type(), s.value()};
    if (Status st = registration::validateSelector(selector); !st.isOk()) {
      return st;
    }
    out.push_back(std::move(selector));
  }
  return out;
}

Result<Entry> entryFromProto(const spiffe::TrustDomain& td, const types::Entry& in,
                             const types::EntryMask* mask_in) {
  const types::EntryMask mask = mask_in != nullptr ? *mask_in : allFields();
  Entry entry;
  entry.entry_id = in.id();
  // The two IDs arrive as {trust_domain, path} pairs, which validateEntry cannot see; they are
  // parsed here in SPIRE's order (parent first, including its membership check, then the SPIFFE
  // ID) so that the first failure is the one SPIRE reports.
  if (mask.parent_id()) {
    Result<spiffe::SpiffeId> parent =
        memberIdFromProto(td, in.has_parent_id() ? &in.parent_id() : nullptr);
    if (!parent) {
      return parent.status().withPrefix("invalid parent ID");
    }
    entry.parent_id = parent->toString();
  }
  if (mask.spiffe_id()) {
    Result<spiffe::SpiffeId> id = idFromProto(in.has_spiffe_id() ? &in.spiffe_id() : nullptr);
    if (!id) {
      return id.status().withPrefix("invalid spiffe ID");
    }
    entry.spiffe_id = id->toString();
  }
  if (mask.admin()) {
    entry.admin = in.admin();
  }
  if (mask.dns_names()) {
    entry.dns_names.assign(in.dns_names().begin(), in.dns_names().end());
  }
  if (mask.downstream()) {
    entry.downstream = in.downstream();
  }
  if (mask.expires_at()) {
    entry.expires_at = in.expires_at();
  }
  if (mask.federates_with()) {
    entry.federates_with.assign(in.federates_with().begin(), in.federates_with().end());
  }
  if (mask.selectors()) {
    for (const types::Selector& s : in.selectors()) {
      entry.selectors.push_back(Selector{s.type(), s.value()});
    }
  }
  if (mask.store_svid()) {
    entry.store_svid = in.store_svid();
  }
  if (mask.x509_svid_ttl()) {
    entry.x509_svid_ttl = in.x509_svid_ttl();
  }
  if (mask.jwt_svid_ttl()) {
    entry.jwt_svid_ttl = in.jwt_svid_ttl();
  }
  if (mask.hint()) {
    entry.hint = in.hint();
  }
  if (mask.additional_attributes() && in.has_additional_attributes()) {
    entry.jwt_svid_include_jti = in.additional_attributes().jwt_svid_include_jti();
    entry.disable_x509_svid_prefetch = in.additional_attributes().disable_x509_svid_prefetch();
  }
  Result<Entry> valid = registration::validateEntry(td, entry, validationMask(mask));
  if (!valid) {
    return valid;
  }
  // validateEntry normalises federates_with to trust domain IDs (SPIRE's storage form); the
  // datastore ABI keys bundles by name, so store names.
  for (std::string& federated : valid->federates_with) {
    Result<spiffe::TrustDomain> parsed = spiffe::TrustDomain::parse(federated);
    if (!parsed) {
      return parsed.status().withPrefix("invalid federated trust domain");
    }
    federated = parsed->name();
  }
  return valid;
}

Result<types::Entry> entryToProto(const Entry& in, const types::EntryMask* mask_in) {
  const types::EntryMask mask = mask_in != nullptr ? *mask_in : allFields();
  types::Entry out;
  out.set_id(in.entry_id);
  if (mask.spiffe_id()) {
    Result<spiffe::SpiffeId> id = spiffe::SpiffeId::parse(in.spiffe_id);
    if (!id) {
      return Status(StatusCode::kInternal, "invalid SPIFFE ID: " + id.status().message());
    }
    idToProto(*id, out.mutable_spiffe_id());
  }
  if (mask.parent_id()) {
    Result<spiffe::SpiffeId> id = spiffe::SpiffeId::parse(in.parent_id);
    if (!id) {
      return Status(StatusCode::kInternal, "invalid parent ID: " + id.status().message());
    }
    idToProto(*id, out.mutable_parent_id());
  }
  if (mask.selectors()) {
    for (const Selector& s : in.selectors) {
      types::Selector* selector = out.add_selectors();
      selector->set_type(s.type);
      selector->set_value(s.value);
    }
  }
  if (mask.x509_svid_ttl()) {
    out.set_x509_svid_ttl(in.x509_svid_ttl);
  }
  if (mask.federates_with()) {
    for (const std::string& federated : in.federates_with) {
      Result<spiffe::TrustDomain> td = spiffe::TrustDomain::parse(federated);
      if (!td) {
        return Status(StatusCode::kInternal,
                      "invalid federated trust domain: " + td.status().message());
      }
      out.add_federates_with(td->name());
    }
  }
  if (mask.admin()) {
    out.set_admin(in.admin);
  }
  if (mask.downstream()) {
    out.set_downstream(in.downstream);
  }
  if (mask.expires_at()) {
    out.set_expires_at(in.expires_at);
  }
  if (mask.dns_names()) {
    for (const std::string& name : in.dns_names) {
      out.add_dns_names(name);
    }
  }
  if (mask.revision_number()) {
    out.set_revision_number(in.revision_number);
  }
  if (mask.store_svid()) {
    out.set_store_svid(in.store_svid);
  }
  if (mask.jwt_svid_ttl()) {
    out.set_jwt_svid_ttl(in.jwt_svid_ttl);
  }
  if (mask.hint()) {
    out.set_hint(in.hint);
  }
  if (mask.created_at()) {
    out.set_created_at(in.created_at);
  }
  if (mask.additional_attributes()) {
    auto* attributes = out.mutable_additional_attributes();
    attributes->set_jwt_svid_include_jti(in.jwt_svid_include_jti);
    attributes->set_disable_x509_svid_prefetch(in.disable_x509_svid_prefetch);
  }
  return out;
}

std::uint32_t datastoreEntryMask(const types::EntryMask* mask) {
  if (mask == nullptr) {
    return SPIRE_ENTRY_MASK_SPIFFE_ID | SPIRE_ENTRY_MASK_PARENT_ID | SPIRE_ENTRY_MASK_SELECTORS |
           SPIRE_ENTRY_MASK_X509_SVID_TTL | SPIRE_ENTRY_MASK_JWT_SVID_TTL |
           SPIRE_ENTRY_MASK_FEDERATES_WITH | SPIRE_ENTRY_MASK_ADMIN | SPIRE_ENTRY_MASK_DOWNSTREAM |
           SPIRE_ENTRY_MASK_EXPIRES_AT | SPIRE_ENTRY_MASK_DNS_NAMES | SPIRE_ENTRY_MASK_STORE_SVID |
           SPIRE_ENTRY_MASK_HINT | SPIRE_ENTRY_MASK_ADDITIONAL_ATTRIBUTES;
  }
  std::uint32_t out = 0;
  auto add = [&out](bool selected, std::uint32_t bit) {
    if (selected) {
      out |= bit;
    }
  };
  add(mask->spiffe_id(), SPIRE_ENTRY_MASK_SPIFFE_ID);
  add(mask->parent_id(), SPIRE_ENTRY_MASK_PARENT_ID);
  add(mask->selectors(), SPIRE_ENTRY_MASK_SELECTORS);
  add(mask->x509_svid_ttl(), SPIRE_ENTRY_MASK_X509_SVID_TTL);
  add(mask->jwt_svid_ttl(), SPIRE_ENTRY_MASK_JWT_SVID_TTL);
  add(mask->federates_with(), SPIRE_ENTRY_MASK_FEDERATES_WITH);
  add(mask->admin(), SPIRE_ENTRY_MASK_ADMIN);
  add(mask->downstream(), SPIRE_ENTRY_MASK_DOWNSTREAM);
  add(mask->expires_at(), SPIRE_ENTRY_MASK_EXPIRES_AT);
  add(mask->dns_names(), SPIRE_ENTRY_MASK_DNS_NAMES);
  add(mask->store_svid(), SPIRE_ENTRY_MASK_STORE_SVID);
  add(mask->hint(), SPIRE_ENTRY_MASK_HINT);
  add(mask->additional_attributes(), SPIRE_ENTRY_MASK_ADDITIONAL_ATTRIBUTES);
  return out;
}

} // namespace spire::server::api::entry
