#pragma once

// PKCS#10 certificate signing requests: what agents and downstream servers send to the server,
// which must parse them and check their self-signature before signing anything.

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crypto/certificate_builder.h"
#include "crypto/openssl_ptr.h"

namespace spire::crypto {

struct CsrTemplate {
  std::vector<NameAttribute> subject;
  std::vector<std::string> uri_sans;
  std::vector<std::string> dns_sans;
};

// Error texts (code InvalidArgument).
inline constexpr std::string_view kMalformedCsr = "malformed certificate request";
inline constexpr std::string_view kCsrSignatureInvalid =
    "certificate request signature verification failed";

// A CSR signed by `key` (SHA-384 for P-384 keys, SHA-256 otherwise).
Result<X509ReqPtr> createCsr(const CsrTemplate& tmpl, const EVP_PKEY& key);

// Exactly one DER CSR, no trailing bytes. Parsing does not check the signature.
Result<X509ReqPtr> parseCsrDer(std::string_view der);
// The first "CERTIFICATE REQUEST" (or "NEW CERTIFICATE REQUEST") PEM block.
Result<X509ReqPtr> parseCsrPem(std::string_view pem);
std::string csrToDer(const X509_REQ& csr);
std::string csrToPem(const X509_REQ& csr);

// OK when the CSR is signed by the key it carries; InvalidArgument kCsrSignatureInvalid if not.
Status checkCsrSignature(const X509_REQ& csr);

EvpPkeyPtr csrPublicKey(const X509_REQ& csr);
std::string csrSubjectName(const X509_REQ& csr);
std::vector<std::string> csrUriSans(const X509_REQ& csr);
std::vector<std::string> csrDnsSans(const X509_REQ& csr);

} // namespace spire::crypto
