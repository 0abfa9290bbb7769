#pragma once

// Bundles are stored as what the ABI passes (the flat spire_bundle fields), encoded as one CBOR
// document in bundles.data; and the few X.509 facts the store needs from an authority's DER.

#include <cstdint>
#include <optional>
#include <string>

#include "datastore/sql/records.h"

namespace spire::datastore::sql {

Bytes encodeBundle(const Bundle& bundle);
// Throws spire::plugin::Error(SPIRE_DATA_LOSS) when the stored document is unreadable.
Bundle decodeBundle(const std::string& trust_domain, const Bytes& data);

// Lower-case hex Subject Key Identifier of a DER certificate; nullopt when absent/unparsable.
std::optional<std::string> subjectKeyIdHex(const Bytes& der);
// NotAfter of a DER certificate in Unix seconds; nullopt when unparsable.
std::optional<std::int64_t> certNotAfter(const Bytes& der);

// A random (version 4) UUID, lower-case with dashes.
std::string newUuid();

} // namespace spire::datastore::sql
