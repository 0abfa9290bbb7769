#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "spire/api/types/entry.pb.h"
#include "spire/api/types/federateswith.pb.h"
#include "spire/api/types/selector.pb.h"
#include "spire/api/types/spiffeid.pb.h"

namespace spire::server::commands {

namespace types = ::spire::api::types;

// SPIRE's idStringToProto: go-spiffe's parse (its error text unchanged) split into the proto.
Result<types::SPIFFEID> idStringToProto(std::string_view id);
// "spiffe://<td><path>", "" for a missing ID (protoToIDString).
std::string protoToIdString(const types::SPIFFEID* id);

// util.ParseSelector on each -selector value.
Result<types::Selector> parseSelector(std::string_view text);

// The -matchSelectorsOn / -matchFederatesWithOn values (exact, any, superset, subset).
// The error is the caller's: entry commands say `match behavior "x" unknown`, agent commands
// "unsupported match behavior".
Result<types::SelectorMatch::MatchBehavior> parseSelectorMatch(std::string_view match);
Result<types::FederatesWithMatch::MatchBehavior> parseFederatesWithMatch(std::string_view match);

// entry/util.go printEntry through cli::printEntry.
void printEntry(std::ostream& out, const types::Entry& entry);

// commonutil.SortTypesEntries: each entry's selectors by (type, value), then entries by SPIFFE ID,
// parent ID, X509-SVID TTL, JWT-SVID TTL and selectors (fewer first, then pairwise).
void sortEntries(std::vector<types::Entry>& entries);

// The -data file of entry create/update: SPIRE's common.RegistrationEntries JSON
// ({"entries":[{"spiffe_id":"spiffe://...","parent_id":...,"selectors":[{"type","value"}],...}]},
// keys matched case-insensitively as Go's encoding/json does), converted as
// api.RegistrationEntriesToProto converts it. "-" reads `in`.
Result<std::vector<types::Entry>> parseEntryFile(const std::string& path, std::istream& in);

// Reads a whole file, or `in` for "-"; errors as Go's os.Open ("open <path>: <why>").
Result<std::string> readInput(const std::string& path, std::istream& in);

} // namespace spire::server::commands
