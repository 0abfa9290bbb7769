#pragma once

// Small crypto and encoding helpers shared by the built-in plugins (OpenSSL 3 EVP only).

#include <string>
#include <string_view>
#include <vector>

#include "shared/ossl.h"
#include "shared/status.h"

namespace spire::builtin {

// Lower-case hex.
std::string hexEncode(std::string_view data);
// RFC 4648 base64 with padding (what Go's encoding/json uses for []byte).
std::string base64Encode(std::string_view data);
// Strict: padding required, no whitespace. False on malformed input.
bool base64Decode(std::string_view text, std::string& out);

std::string sha256(std::string_view data);
std::string sha1(std::string_view data);

Result<std::string> randomBytes(size_t count);

// Every CERTIFICATE block of a PEM text, in order. InvalidArgument when there is none.
Result<std::vector<CertPtr>> parsePemCertificates(std::string_view pem);
// The first private key of a PEM text: PKCS#8, or PKCS#1 RSA / SEC1 EC.
Result<PkeyPtr> parsePemPrivateKey(std::string_view pem);
Result<CertPtr> parseDerCertificate(std::string_view der);

std::string certificateDer(X509* cert);
// SubjectPublicKeyInfo DER of a key.
std::string publicKeyDer(const EVP_PKEY* key);
std::string privateKeyPkcs8Der(const EVP_PKEY* key);
Result<PkeyPtr> parsePkcs8Der(std::string_view der);

// Lower-case hex of the certificate's serial number without leading zeros (Go's "%x").
std::string serialNumberHex(X509* cert);
// The subject's first commonName, "" when absent.
std::string subjectCommonName(X509* cert);

} // namespace spire::builtin
