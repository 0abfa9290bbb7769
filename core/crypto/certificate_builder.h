#pragma once

// Builds and signs X.509 v3 certificates from a template, like Go's x509.CreateCertificate does
// for the fields SPIRE uses. Used by the server CA and by tests.

#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "crypto/certificate.h"
#include "crypto/openssl_ptr.h"

namespace spire::crypto {

// One attribute of a distinguished name, e.g. {"C", "US"}, {"O", "SPIRE"}, {"CN", "x"},
// {"serialNumber", "1234"}: short names or dotted OIDs that OpenSSL knows.
using NameAttribute = std::pair<std::string, std::string>;

struct CertificateTemplate {
  // In RDN order (the first attribute is printed last in RFC 2253 form).
  std::vector<NameAttribute> subject;
  // Big-endian serial number bytes; empty means a random positive 128-bit serial.
  std::string serial;
  TimePoint not_before;
  TimePoint not_after;
  std::vector<std::string> uri_sans;
  std::vector<std::string> dns_sans;
  // The SAN extension is critical when this is set or when the subject is empty (RFC 5280
  // §4.1.2.6, X.509-SVID §2).
  bool san_critical = false;
  // basicConstraints (always critical, as Go writes it). Off means no extension at all.
  bool basic_constraints_valid = true;
  bool is_ca = false;
  // pathLenConstraint; negative means absent. Only written for CAs.
  int max_path_len = -1;
  // key_usage:: bits; 0 means no keyUsage extension.
  uint32_t key_usage = 0;
  bool key_usage_critical = true;
  // Empty means no extKeyUsage extension.
  std::vector<ExtKeyUsage> ext_key_usage;
  // Raw SKI bytes; empty means SHA-1 of the subject public key (RFC 5280 §4.2.1.2 method 1,
  // as Go computes it). Set include_subject_key_id to false to leave the extension out.
  std::string subject_key_id;
  bool include_subject_key_id = true;
};

// The digest SPIRE signs with for a signer key: SHA-384 for P-384, SHA-256 otherwise.
const EVP_MD* signatureDigestFor(const EVP_PKEY& signer_key);

// Signs a certificate for `subject_key` (its public half is used). With `issuer` null the
// certificate is self-signed: the issuer name is the subject, and the AKI is the own SKI. With an
// issuer, the issuer name and AKI come from it (no AKI if it has no SKI). `signer_key` must be the
// issuer's private key (or the subject's own for self-signed).
Result<X509Ptr> createCertificate(const CertificateTemplate& tmpl, const EVP_PKEY& subject_key,
                                  const X509* issuer, const EVP_PKEY& signer_key);

// Sets the certificate's subjectPublicKeyInfo to `spki_der` (one DER SubjectPublicKeyInfo) as is.
// Unlike X509_set_pubkey it needs no EVP_PKEY and so no OpenSSL 3 encoder/decoder round trip
// (which costs more than the signature); in exchange X509_get0_pubkey on `cert` returns null
// until the certificate is re-parsed, so use it for certificates that are serialised, not used
// in-process. InvalidArgument "malformed subject public key info" for bad DER.
Status setSubjectPublicKeyInfo(X509* cert, std::string_view spki_der);

// Builds an X509_NAME from attributes; InvalidArgument for an unknown attribute name.
Result<X509NamePtr> makeName(const std::vector<NameAttribute>& attributes);

// A subjectAltName value with the given URI and DNS names (shared with csr.cpp).
Result<GeneralNamesPtr> makeSubjectAltNames(const std::vector<std::string>& uris,
                                            const std::vector<std::string>& dns_names);

// A random positive serial of `bytes` bytes (SPIRE uses 128-bit serials).
std::string randomSerial(std::size_t bytes = 16);

} // namespace spire::crypto
