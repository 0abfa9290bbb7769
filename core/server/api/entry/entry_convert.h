#pragma once
// Registration entries between the API's spire.api.types.Entry and the datastore's record
// (SPIRE's pkg/server/api/entry.go, id.go and selector.go), with SPIRE's messages.
//
// Trust domains: the API carries federates_with as trust domain names ("example.org", SPIRE also
// accepts "spiffe://example.org"); the datastore ABI stores names too (spire/plugin/datastore.h),
// so names are what the records hold here.
#include <cstdint>
#include <vector>

#include "common/status.h"
#include "plugin_host/datastore_results.h"
#include "server/registration/entry_validation.h"
#include "spiffe/spiffe_id.h"
#include "spiffe/trust_domain.h"
#include "spire/api/types/entry.pb.h"
#include "spire/api/types/selector.pb.h"
#include "spire/api/types/spiffeid.pb.h"

namespace spire::server::api::entry {

namespace types = ::spire::api::types;

// SPIRE's IDFromProto: "request must specify SPIFFE ID" when absent, else the parse error.
Result<spiffe::SpiffeId> idFromProto(const types::SPIFFEID* id);
// TrustDomainMemberIDFromProto / TrustDomainWorkloadIDFromProto.
Result<spiffe::SpiffeId> memberIdFromProto(const spiffe::TrustDomain& td,
                                           const types::SPIFFEID* id);
Result<spiffe::SpiffeId> workloadIdFromProto(const spiffe::TrustDomain& td,
                                             const types::SPIFFEID* id);
void idToProto(const spiffe::SpiffeId& id, types::SPIFFEID* out);

// SPIRE's SelectorsFromProto (each selector checked, none required).
Result<std::vector<plugin_host::Selector>>
selectorsFromProto(const google::protobuf::RepeatedPtrField<types::Selector>& selectors);

// SPIRE's ProtoToRegistrationEntryWithMask: validates the fields the mask selects (null mask =
// all, a create) and returns the record to store. The message is the bare reason; the service
// prefixes "failed to convert entry". Revision number and created_at are never taken from input.
Result<plugin_host::Entry> entryFromProto(const spiffe::TrustDomain& td, const types::Entry& in,
                                          const types::EntryMask* mask = nullptr);

// SPIRE's RegistrationEntryToProto followed by applyMask: a null mask gives every field, a mask
// only the selected ones (the ID always). Fails only on a record holding an invalid ID.
Result<types::Entry> entryToProto(const plugin_host::Entry& in,
                                  const types::EntryMask* mask = nullptr);

// The datastore update mask (SPIRE_ENTRY_MASK_*) of an API input mask; null = every field.
std::uint32_t datastoreEntryMask(const types::EntryMask* mask);

} // namespace spire::server::api::entry
