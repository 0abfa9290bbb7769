#pragma once
// Trust bundles between the API's spire.api.types.Bundle and the datastore record (SPIRE's
// pkg/server/api/bundle.go), with SPIRE's messages. Records are keyed by trust domain name
// ("example.org"), as the datastore ABI and the CA manager store them.
#include <cstdint>
#include <vector>

#include "common/status.h"
#include "plugin_host/datastore_results.h"
#include "spire/api/types/bundle.pb.h"

namespace spire::server::api::bundle {

namespace types = ::spire::api::types;

// SPIRE's ParseX509Authorities: each authority must hold parseable DER certificates. Tainted flags
// are not taken from input (only the CA marks its own authorities tainted).
Result<std::vector<plugin_host::X509Authority>>
parseX509Authorities(const google::protobuf::RepeatedPtrField<types::X509Certificate>& in);

// SPIRE's ParseJWTAuthorities: a PKIX public key, then a non-empty key ID.
Result<std::vector<plugin_host::JwtKey>>
parseJwtAuthorities(const google::protobuf::RepeatedPtrField<types::JWTKey>& in);

// SPIRE's ProtoToBundle ("invalid trust domain: ...", "unable to parse X.509 authority: ...",
// "unable to parse JWT authority: ..."); the service prefixes "failed to convert bundle".
Result<plugin_host::Bundle> bundleFromProto(const types::Bundle& in);

// SPIRE's BundleToProto followed by applyBundleMask (null mask = every field).
Result<types::Bundle> bundleToProto(const plugin_host::Bundle& in,
                                    const types::BundleMask* mask = nullptr);

void jwtKeyToProto(const plugin_host::JwtKey& in, types::JWTKey* out);

// The datastore update mask (SPIRE_BUNDLE_MASK_*) of an API input mask; null = every field.
std::uint32_t datastoreBundleMask(const types::BundleMask* mask);

} // namespace spire::server::api::bundle
