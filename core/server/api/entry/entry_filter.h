#pragma once
// The datastore filter of CountEntries / ListEntries (SPIRE's entry service), with SPIRE's
// InvalidArgument messages ("malformed parent ID filter: ...", ...).
#include "common/status.h"
#include "plugin_host/datastore.h"
#include "spiffe/trust_domain.h"
#include "spire/api/server/entry/v1/entry.pb.h"

namespace spire::server::api::entry {

Result<plugin_host::EntryFilter>
entryFilterFromProto(const spiffe::TrustDomain& td,
                     const ::spire::api::server::entry::v1::ListEntriesRequest::Filter& filter);
Result<plugin_host::EntryFilter>
entryFilterFromProto(const spiffe::TrustDomain& td,
                     const ::spire::api::server::entry::v1::CountEntriesRequest::Filter& filter);

} // namespace spire::server::api::entry
