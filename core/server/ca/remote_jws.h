#pragma once

// Compact JWS signed through a RemoteSigner. core/jwt's signCompactJws needs the private key
// (EVP_PKEY), which the KeyManager never hands out, so the signing input is built here, signed as
// a digest, and ECDSA's DER signature converted to JOSE's fixed-size r||s (RFC 7518 §3.4).

#include <string>
#include <string_view>

#include "common/status.h"
#include "server/ca/remote_signer.h"

namespace spire::server::ca {

// "ES256" / "ES384" / "RS256" for the signer's key (SPIRE's choice per key type).
std::string_view jwsAlgorithmFor(const RemoteSigner& signer);

// BASE64URL(header_json) "." BASE64URL(payload) "." BASE64URL(signature). `header_json` is
// written verbatim; its "alg" must be jwsAlgorithmFor(signer).
Result<std::string> signCompactJwsRemote(std::string_view header_json, std::string_view payload,
                                         const RemoteSigner& signer);

// DER ECDSA-Sig-Value -> r||s, each left-padded to `coordinate_size` bytes. InvalidArgument
// "malformed ECDSA signature" for bad DER or oversized values.
Result<std::string> ecdsaDerToJose(std::string_view der, std::size_t coordinate_size);

} // namespace spire::server::ca
