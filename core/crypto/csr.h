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

// A CSR read for issuance: what signing needs (the SubjectPublicKeyInfo and the self-signature),
// without an X509_REQ where that is possible. OpenSSL 3's d2i_X509_REQ sets up a key decoder
// per call and X509_set_pubkey an encoder, each costing several ECDSA signatures; for EC P-256 /
// P-384 requests (uncompressed point, ecdsa-with-SHA256/384/512) the DER is walked here instead,
// the subject and attributes still parsed by OpenSSL, and the signature checked with a per-thread
// key object whose point is set for each request. Any other request (RSA, Ed25519, unusual
// encodings) takes the X509_REQ path, so the results equal parseCsrDer + checkCsrSignature for
// every input. THREADS: any; one object per thread at a time.
class IssuanceCsr {
public:
  // kMalformedCsr exactly when parseCsrDer fails.
  static Result<IssuanceCsr> parse(std::string_view der);

  // kCsrSignatureInvalid exactly when checkCsrSignature would fail.
  Status checkSignature() const;
  // The request's SubjectPublicKeyInfo DER as it came (use it once checkSignature succeeded; an
  // undecodable key may leave it empty).
  const std::string& subjectPublicKeyInfo() const { return spki_der_; }
  // True when the request took the cheap path (for tests and benchmarks).
  bool fastPath() const { return !req_; }

private:
  IssuanceCsr() = default;

  X509ReqPtr req_;        // set on the general path only
  std::string spki_der_;  // both paths
  std::string signed_;    // fast path: certificationRequestInfo DER
  std::string signature_; // fast path: DER ECDSA-Sig-Value
  std::string point_;     // fast path: the uncompressed EC point
  bool p384_ = false;
  const char* digest_ = nullptr;
};

} // namespace spire::crypto
