#pragma once

// X.509-SVIDs (spiffe-standards.md §2): parsing with go-spiffe's checks and error texts
// (x509svid.Parse / ParseRaw), and serialisation back to PEM/DER.

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crypto/certificate.h"
#include "crypto/openssl_ptr.h"
#include "spiffe/spiffe_id.h"

namespace spire::x509 {

// go-spiffe's x509svid.IDFromCert: the SPIFFE ID of the single URI SAN. Errors (InvalidArgument,
// no prefix): "certificate contains no URI SAN", "certificate contains more than one URI SAN", or
// the spiffeid parse error.
Result<spiffe::SpiffeId> idFromCert(const X509& cert);

// Concatenated DER certificates and a PKCS#8 DER key, or PEM equivalents.
struct EncodedX509Svid {
  std::string certificates;
  std::string private_key;
};

// An X.509-SVID: the leaf first, then the intermediates towards the trust domain's root (the
// root itself usually not included), and the leaf's private key. Move-only because of the key;
// clone() makes a copy sharing the same OpenSSL objects.
struct X509Svid {
  spiffe::SpiffeId id;
  std::vector<crypto::X509Shared> certificates;
  crypto::EvpPkeyPtr private_key;
  // Workload API `hint` (operator-chosen label); empty when not set.
  std::string hint;

  // go-spiffe x509svid.Parse: certificates are every CERTIFICATE block of `certs_pem`, the key
  // the first PRIVATE KEY (PKCS#8) block of `key_pem` (the two may be the same text). Runs the
  // checks of validate(). All errors are InvalidArgument with go-spiffe's texts, e.g.
  // "x509svid: cannot parse PEM encoded certificate: no PEM blocks found".
  static Result<X509Svid> parsePem(std::string_view certs_pem, std::string_view key_pem);
  // go-spiffe x509svid.Load: reads both files (they may be the same), then parsePem. A file that
  // cannot be read gives "x509svid: cannot read certificate file: <reason>" / "x509svid: cannot
  // read key file: <reason>", NotFound when it does not exist, Internal otherwise.
  static Result<X509Svid> loadPem(const std::string& cert_path, const std::string& key_path);
  // go-spiffe x509svid.ParseRaw: concatenated DER certificates and a PKCS#8 DER key.
  static Result<X509Svid> parseDer(std::string_view certs_der, std::string_view pkcs8_key_der);
  // The checks Parse runs, on already decoded parts (key may be null, which is an error):
  // leaf has one valid URI SAN with a non-root path, is not a CA, has digitalSignature and
  // neither keyCertSign nor cRLSign; every further certificate is a CA with keyCertSign; the key
  // matches the leaf. Returns the SVID with the leaf's ID.
  static Result<X509Svid> fromParts(std::vector<crypto::X509Shared> certificates,
                                    crypto::EvpPkeyPtr private_key);

  // go-spiffe Marshal / MarshalRaw. Errors: "x509svid: no certificates to marshal",
  // "x509svid: cannot encode private key: ..." (InvalidArgument).
  Result<EncodedX509Svid> toPem() const;
  Result<EncodedX509Svid> toDer() const;

  const X509& leaf() const { return *certificates.front(); }
  // The leaf's NotAfter.
  crypto::TimePoint expiresAt() const;

  X509Svid clone() const;
};

// The parse error texts of go-spiffe's x509svid package, without the "x509svid: " and
// "certificate validation failed: " / "private key validation failed: " prefixes.
namespace svid_errors {
inline constexpr std::string_view kNoUriSan = "certificate contains no URI SAN";
inline constexpr std::string_view kMoreThanOneUriSan = "certificate contains more than one URI SAN";
inline constexpr std::string_view kNoCertificates = "no certificates found";
inline constexpr std::string_view kLeafIdPrefix = "cannot get leaf certificate SPIFFE ID: ";
// Ours: go-spiffe has no text for this check (spiffe-standards.md §2.3 lists the check).
inline constexpr std::string_view kLeafRootPath =
    "leaf certificate SPIFFE ID must have a non-root path";
inline constexpr std::string_view kLeafIsCa = "leaf certificate must not have CA flag set to true";
inline constexpr std::string_view kLeafNoDigitalSignature =
    "leaf certificate must have 'digitalSignature' set as key usage";
inline constexpr std::string_view kLeafKeyCertSign =
    "leaf certificate must not have 'keyCertSign' set as key usage";
inline constexpr std::string_view kLeafCrlSign =
    "leaf certificate must not have 'cRLSign' set as key usage";
inline constexpr std::string_view kSigningNotCa =
    "signing certificate must have CA flag set to true";
inline constexpr std::string_view kSigningNoKeyCertSign =
    "signing certificate must have 'keyCertSign' set as key usage";
inline constexpr std::string_view kNoPrivateKey = "no private key found";
inline constexpr std::string_view kKeyMismatch = "leaf certificate does not match private key";
} // namespace svid_errors

} // namespace spire::x509
