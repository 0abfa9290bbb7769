#include "server/api/entry/entry_filter.h"

#include <string>
#include <vector>

#include "server/api/entry/entry_convert.h"

namespace spire::server::api::entry {
namespace {

// The two request filters are distinct generated types with the same fields.
template <class Filter>
Result<plugin_host::EntryFilter> buildFilter(const spiffe::TrustDomain& td, const Filter& in) {
  plugin_host::EntryFilter out;
  if (in.has_by_hint()) {
    out.hint = in.by_hint().value();
  }
  if (in.has_by_parent_id()) {
    Result<spiffe::SpiffeId> id = memberIdFromProto(td, &in.by_parent_id());
    if (!id) {
      return id.status().withPrefix("malformed parent ID filter");
    }
    out.parent_id = id->toString();
  }
  if (in.has_by_spiffe_id()) {
    Result<spiffe::SpiffeId> id = workloadIdFromProto(td, &in.by_spiffe_id());
    if (!id) {
      return id.status().withPrefix("malformed SPIFFE ID filter");
    }
    out.spiffe_id = id->toString();
  }
  if (in.has_by_selectors()) {
    auto selectors = selectorsFromProto(in.by_selectors().selectors());
    if (!selectors) {
      return selectors.status().withPrefix("malformed selectors filter");
    }
    if (selectors->empty()) {
      return invalidArgument("malformed selectors filter: empty selector set");
    }
    out.selectors = std::move(*selectors);
    out.selectors_match = static_cast<spire_match>(in.by_selectors().match());
  }
  if (in.has_by_federates_with()) {
    std::vector<std::string> names;
    for (const std::string& text : in.by_federates_with().trust_domains()) {
      Result<spiffe::TrustDomain> parsed = spiffe::TrustDomain::parse(text);
      if (!parsed) {
        return parsed.status().withPrefix("malformed federates with filter");
      }
      names.push_back(parsed->name());
    }
    if (names.empty()) {
      return invalidArgument("malformed federates with filter: empty trust domain set");
    }
    out.federates_with = std::move(names);
    out.federates_with_match = static_cast<spire_match>(in.by_federates_with().match());
  }
  if (in.has_by_downstream()) {
    out.downstream = in.by_downstream().value();
  }
  return out;
}

} // namespace

Result<plugin_host::EntryFilter>
entryFilterFromProto(const spiffe::TrustDomain& td,
                     const ::spire::api::server::entry::v1::ListEntriesRequest::Filter& filter) {
  return buildFilter(td, filter);
}

Result<plugin_host::EntryFilter>
entryFilterFromProto(const spiffe::TrustDomain& td,
                     const ::spire::api::server::entry::v1::CountEntriesRequest::Filter& filter) {
  return buildFilter(td, filter);
}

} // namespace spire::server::api::entry
