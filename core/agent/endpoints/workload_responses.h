#pragma once

// Snapshot -> Workload API messages, with the SPIRE agent's rules and error texts
// (spiffe-standards.md §6.4). Pure functions: no I/O, no locks.

#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/struct.pb.h>
#include <nlohmann/json.hpp>

#include "agent/endpoints/workload_identity_source.h"
#include "common/status.h"
#include "spiffe/workload/workload.pb.h"

namespace spire::agent::endpoints {

inline constexpr std::string_view kNoIdentityIssued = "no identity issued";

// SPIRE's filterIdentities: of SVIDs sharing a non-empty hint only the first (oldest entry) stays.
std::vector<std::shared_ptr<const x509::X509Svid>>
filterByHint(const std::vector<std::shared_ptr<const x509::X509Svid>>& svids);

// PermissionDenied "no identity issued" without SVIDs; Unavailable
// "could not serialize response: bundle not available" without the own bundle;
// Unavailable "could not serialize response: marshal key for <id>: <err>".
Result<X509SVIDResponse> composeX509SvidResponse(const IdentitySnapshot& snapshot);

// The own trust domain always; federated ones only when the caller has an identity. A caller
// without identity gets PermissionDenied "no identity issued" unless unauthenticated verifiers
// are allowed. No own bundle: Unavailable "could not serialize response: bundle not available".
Result<X509BundlesResponse> composeX509BundlesResponse(const IdentitySnapshot& snapshot,
                                                       bool allow_unauthenticated_verifiers);
// The same rules; values are JWKS documents in SPIRE's indented form.
Result<JWTBundlesResponse> composeJwtBundlesResponse(const IdentitySnapshot& snapshot,
                                                     bool allow_unauthenticated_verifiers);

// SPIRE's ValidateJWTSVID claim handling: for a token of a foreign trust domain every claim but
// sub, exp, aud and the allowed ones is dropped; a string "aud" becomes a one-element list; the
// result goes to Struct through JSON (numbers become doubles). Errors are Internal.
Result<google::protobuf::Struct> claimsToStruct(nlohmann::json claims, bool foreign,
                                                const std::vector<std::string>& allowed_foreign);

} // namespace spire::agent::endpoints
