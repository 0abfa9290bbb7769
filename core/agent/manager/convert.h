#pragma once

// Conversions between the SPIRE server API messages the agent receives and the agent's own
// values (cache entries, bundles, SVIDs). Everything here is untrusted input from the network:
// malformed fields give InvalidArgument, never a crash.

#include <string>
#include <vector>

#include "agent/cache/entry.h"
#include "bundle/spiffe_bundle.h"
#include "common/status.h"
#include "crypto/openssl_ptr.h"
#include "spire/api/types/bundle.pb.h"
#include "spire/api/types/entry.pb.h"
#include "spire/api/types/spiffeid.pb.h"
#include "spire/api/types/x509svid.pb.h"
#include "x509/x509_svid.h"

namespace spire::agent::manager {

// "spiffe://<trust_domain><path>"; InvalidArgument when it is not a valid SPIFFE ID.
Result<std::string> spiffeIdString(const spire::api::types::SPIFFEID& id);

// An entry as the cache keeps it. The SPIFFE ID and parent ID must be valid.
Result<cache::AgentEntry> entryFromProto(const spire::api::types::Entry& entry);

// A bundle: X.509 authorities (DER), JWT authorities (PKIX DER + key ID), refresh hint and
// sequence number.
Result<bundle::SpiffeBundle> bundleFromProto(const spire::api::types::Bundle& bundle);

// The signed chain (leaf first, DER each) plus the key the CSR was made with, checked as an
// X509-SVID: the key must match the leaf.
Result<x509::X509Svid> svidFromProto(const spire::api::types::X509SVID& svid,
                                     const crypto::EvpPkeyPtr& key);

// Parses a chain of DER certificates given one per element.
Result<std::vector<crypto::X509Shared>> chainFromDer(const std::vector<std::string>& ders);

// A PKCS#10 CSR (DER) for `key` with no subject and no SAN: the server takes the identity from
// the entry (workloads) or the attestation (the agent), as SPIRE's agent does.
Result<std::string> makeCsrDer(const EVP_PKEY& key);

} // namespace spire::agent::manager
