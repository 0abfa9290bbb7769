#pragma once
// Conversions between the API's spire.api.types messages and our values, for the SVID and agent
// services: SPIFFE IDs ({trust_domain, path} pairs, checked as SPIRE's pkg/server/api/id.go does,
// with its texts), X509SVID from a signed chain and JWTSVID from a signed token.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crypto/openssl_ptr.h"
#include "spiffe/spiffe_id.h"
#include "spiffe/trust_domain.h"
#include "spire/api/types/jwtsvid.pb.h"
#include "spire/api/types/spiffeid.pb.h"
#include "spire/api/types/x509svid.pb.h"

namespace spire::server::api {

namespace types = ::spire::api::types;

// SPIRE's idutil.IDFromProto: "request must specify SPIFFE ID" for a missing message, otherwise
// go-spiffe's texts for a bad trust domain or path. All InvalidArgument.
Result<spiffe::SpiffeId> idFromProto(const types::SPIFFEID* id);

// TrustDomainAgentIDFromProto: a member of `td` under /spire/agent/.
Result<spiffe::SpiffeId> agentIdFromProto(const spiffe::TrustDomain& td, const types::SPIFFEID* id);
// VerifyTrustDomainAgentID's checks alone.
Status verifyTrustDomainAgentId(const spiffe::TrustDomain& td, const spiffe::SpiffeId& id);
// TrustDomainWorkloadIDFromProto: a member of `td` with a path outside /spire.
Result<spiffe::SpiffeId> workloadIdFromProto(const spiffe::TrustDomain& td,
                                             const types::SPIFFEID* id);

void fillProtoId(const spiffe::SpiffeId& id, types::SPIFFEID* out);

// X509SVID{id, cert_chain (DER, leaf first), expires_at = leaf NotAfter in Unix seconds}.
// `chain` must not be empty.
void fillX509Svid(const spiffe::SpiffeId& id, const std::vector<crypto::X509Shared>& chain,
                  types::X509SVID* out);

// The "iat" and "exp" claims of a compact JWT the server just signed (SPIRE's
// jwtsvid.GetTokenExpiry). Internal when the token cannot be read.
struct JwtTimes {
  std::int64_t issued_at = 0;
  std::int64_t expires_at = 0;
};
Result<JwtTimes> jwtTimes(std::string_view token);

// Seconds since the Unix epoch, rounded down as Go's Time.Unix does.
std::int64_t unixSeconds(std::chrono::system_clock::time_point t);

} // namespace spire::server::api
