#pragma once

// The x509pop wire format, byte-compatible with SPIRE's (pkg/common/plugin/x509pop): JSON whose
// byte fields are base64, as Go's encoding/json writes []byte.
//   payload   {"certificates": [leaf DER, intermediate DER...]}
//   challenge {"rsa_signature": {"nonce"}} or {"ecdsa_signature": {"nonce"}}
//   response  {"rsa_signature": {"nonce", "signature"}} or {"ecdsa_signature": {"nonce", "r", "s"}}
// The agent signs SHA-256(challenge nonce || its own nonce), both 32 bytes: RSA-PSS/SHA-256 or
// ECDSA over that digest.

#include <string>
#include <string_view>
#include <vector>

#include "shared/ossl.h"
#include "shared/status.h"

namespace spire::builtin::x509pop {

inline constexpr const char* kPluginName = "x509pop";
inline constexpr size_t kNonceLen = 32;

enum class SignatureKind { kRsa, kEcdsa };

struct Challenge {
  SignatureKind kind = SignatureKind::kEcdsa;
  std::string nonce;
};

struct Response {
  SignatureKind kind = SignatureKind::kEcdsa;
  std::string nonce;
  std::string signature; // RSA
  std::string r, s;      // ECDSA, big-endian
};

std::string encodeAttestationData(const std::vector<std::string>& certificates_der);
Result<std::vector<std::string>> decodeAttestationData(std::string_view json);

std::string encodeChallenge(const Challenge& challenge);
Result<Challenge> decodeChallenge(std::string_view json);
std::string encodeResponse(const Response& response);
Result<Response> decodeResponse(std::string_view json);

// A fresh challenge for the leaf's key; the leaf must allow digitalSignature.
Result<Challenge> generateChallenge(X509* leaf);
Result<Response> calculateResponse(EVP_PKEY* private_key, const Challenge& challenge);
Status verifyChallengeResponse(EVP_PKEY* public_key, const Challenge& challenge,
                               const Response& response);

// Hex SHA-1 of the certificate DER: the agent ID suffix and ca:fingerprint selector value.
std::string fingerprint(X509* cert);

} // namespace spire::builtin::x509pop
