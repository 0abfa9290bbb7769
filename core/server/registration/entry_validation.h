#pragma once

// Validation of registration entries as SPIRE's entry API does it, with SPIRE's messages, so that
// `spire-server entry create` scripts see the same errors from us as from SPIRE.
//
// Sources of the rules and texts (spiffe/spire):
//   pkg/server/api/entry.go        ProtoToRegistrationEntryWithMask (field order, "invalid spiffe
//                                  ID: ", "invalid parent ID: ", "invalid DNS name: ",
//                                  "invalid federated trust domain: ", "selector list is empty",
//                                  "hint is too long, max length is 1024 characters")
//   pkg/server/api/id.go           VerifyTrustDomainMemberID / VerifyTrustDomainWorkloadID
//   pkg/server/api/selector.go     SelectorsFromProto
//   pkg/common/x509util/dns.go     ValidateLabel (DNS names, wildcard rules)
//   pkg/server/datastore/sqlstore  validateRegistrationEntry ("datastore-validation: ..." texts
//                                  for the entry ID and negative TTLs)
//   cmd/spire-server/util          ParseSelector (the CLI "type:value" form)
//
// SPIRE's entry service wraps a conversion error as "failed to convert entry: <message>"; the API
// layer adds that prefix (kConvertEntryPrefix), these functions return the bare message.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "plugin_host/datastore_results.h"
#include "spiffe/spiffe_id.h"
#include "spiffe/trust_domain.h"

namespace spire::server::registration {

using plugin_host::Entry;
using plugin_host::Selector;

inline constexpr std::size_t kHintMaximumLength = 1024; // pkg/server/api/entry.go
inline constexpr std::size_t kMaxEntryIdLength = 255;   // sqlstore validateRegistrationEntry
inline constexpr std::string_view kConvertEntryPrefix = "failed to convert entry";
inline constexpr std::string_view kSimilarEntryExists = "similar entry already exists";

// Which fields an update touches (SPIRE's types.EntryMask). Fields whose bit is false are neither
// validated nor required, as in ProtoToRegistrationEntryWithMask. The default checks everything
// (a create).
struct EntryFieldMask {
  bool parent_id = true;
  bool spiffe_id = true;
  bool dns_names = true;
  bool federates_with = true;
  bool selectors = true;
  bool hint = true;
  bool x509_svid_ttl = true;
  bool jwt_svid_ttl = true;
};

// Validates `entry` for the server's trust domain `td` and returns it normalised the way SPIRE
// stores it: federates_with as trust domain ID strings ("spiffe://<name>"). Rules, in SPIRE's
// order (the first failure wins, code InvalidArgument):
//   parent_id   parses, member of td, non-empty path (an agent ID, a workload ID or
//               spiffe://<td>/spire/server are all members)
//   spiffe_id   parses, member of td, non-empty path, not under the reserved /spire namespace
//   dns_names   each passes validateDnsName()
//   federates_with  each is a trust domain name (or trust domain ID)
//   selectors   non-empty list; each has a type without ':' and a non-empty value
//   hint        at most kHintMaximumLength bytes
//   entry_id    (if set) at most 255 bytes of [A-Za-z0-9._-]
//   ttls        x509_svid_ttl and jwt_svid_ttl not negative
Result<Entry> validateEntry(const spiffe::TrustDomain& td, const Entry& entry,
                            const EntryFieldMask& mask = {});

// SPIRE's x509util.ValidateLabel for one DNS name; the message is the bare reason (validateEntry
// prefixes "invalid DNS name: "). The IDNA step is Go's golang.org/x/net/idna registration
// profile restricted to what ASCII input can hit: disallowed runes (anything but lowercase
// letters, digits and '-'), leading/trailing hyphens, "--" in positions 3-4 of a non-"xn--" label,
// and label/name lengths.
Status validateDnsName(std::string_view name);

// The two SPIFFE ID checks of pkg/server/api/id.go, returning InvalidArgument with SPIRE's text.
Status verifyTrustDomainMemberId(const spiffe::TrustDomain& td, const spiffe::SpiffeId& id);
Status verifyTrustDomainWorkloadId(const spiffe::TrustDomain& td, const spiffe::SpiffeId& id);

// SPIRE's idutil.IDFromProto: a SPIFFE ID from the API's {trust_domain, path} pair.
Result<spiffe::SpiffeId> idFromProtoParts(std::string_view trust_domain, std::string_view path);

// SPIRE's SelectorsFromProto checks for one selector ("missing selector type", "selector type
// contains ':'", "missing selector value").
Status validateSelector(const Selector& selector);

// The CLI form "type:value": split at the first ':' (the value may contain more). Fails with
// `selector "<text>" must be formatted as type:value` when there is no ':'. The parts themselves
// are checked later by validateSelector, as SPIRE does.
Result<Selector> parseSelector(std::string_view text);

// SPIRE's uniqueness rule: two entries are "similar" when parent ID, SPIFFE ID and the selector
// set are equal. The key is the same for similar entries and differs otherwise.
std::string similarEntryKey(const Entry& entry);
bool isSimilarEntry(const Entry& a, const Entry& b);
// AlreadyExists "similar entry already exists".
Status similarEntryExists();

} // namespace spire::server::registration
