#pragma once

// X.509 certificates: DER/PEM parsing and serialisation of chains, and read access to the fields
// SPIFFE cares about. Building certificates is in certificate_builder.h, CSRs in csr.h.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crypto/openssl_ptr.h"

namespace spire::crypto {

using TimePoint = std::chrono::system_clock::time_point;

// The parse error texts (code InvalidArgument).
inline constexpr std::string_view kMalformedCertificate = "malformed certificate";
inline constexpr std::string_view kTrailingCertificateData = "trailing data after certificate";

// Exactly one DER certificate; trailing bytes are an error.
Result<X509Ptr> parseCertificateDer(std::string_view der);
// Concatenated DER certificates (the Workload API and SPIRE API form). Empty input gives an
// empty chain, as Go's x509.ParseCertificates does; callers decide whether that is an error.
Result<std::vector<X509Shared>> parseCertificatesDer(std::string_view der);
// Every "CERTIFICATE" block, other block types skipped (go-spiffe pemutil). No PEM block at all
// is an error ("no PEM blocks found"); blocks of other types only give an empty chain.
Result<std::vector<X509Shared>> parseCertificatesPem(std::string_view pem);

std::string certificateToDer(const X509& cert);
std::string certificateToPem(const X509& cert);
// Concatenated DER / one PEM block after the other, in order.
std::string certificatesToDer(const std::vector<X509Shared>& certs);
std::string certificatesToPem(const std::vector<X509Shared>& certs);

// True when both certificates have identical DER encodings.
bool certificatesEqual(const X509& a, const X509& b);

// Subject alternative names of type URI / DNS, in certificate order.
std::vector<std::string> uriSans(const X509& cert);
std::vector<std::string> dnsSans(const X509& cert);

// Serial number as decimal (Go's big.Int String(), which SPIRE stores and prints) and hex.
std::string serialNumberDecimal(const X509& cert);
std::string serialNumberHex(const X509& cert);

TimePoint notBefore(const X509& cert);
TimePoint notAfter(const X509& cert);

// Go's IsCA: a basicConstraints extension is present and has cA=true.
bool isCa(const X509& cert);
// The basicConstraints pathLenConstraint, or -1 when absent.
long maxPathLen(const X509& cert);

// Key usage bits (RFC 5280 §4.2.1.3), valued as OpenSSL's KU_* flags.
namespace key_usage {
inline constexpr uint32_t kDigitalSignature = 0x0080;
inline constexpr uint32_t kNonRepudiation = 0x0040;
inline constexpr uint32_t kKeyEncipherment = 0x0020;
inline constexpr uint32_t kDataEncipherment = 0x0010;
inline constexpr uint32_t kKeyAgreement = 0x0008;
inline constexpr uint32_t kKeyCertSign = 0x0004;
inline constexpr uint32_t kCrlSign = 0x0002;
inline constexpr uint32_t kEncipherOnly = 0x0001;
inline constexpr uint32_t kDecipherOnly = 0x8000;
} // namespace key_usage

// The keyUsage bits; 0 when the extension is absent (as Go's KeyUsage).
uint32_t keyUsage(const X509& cert);
bool hasKeyUsageExtension(const X509& cert);
bool isKeyUsageCritical(const X509& cert);

enum class ExtKeyUsage {
  kAny,
  kServerAuth,
  kClientAuth,
  kCodeSigning,
  kEmailProtection,
  kTimeStamping,
  kOcspSigning
};
// The extKeyUsage purposes this enum knows, in certificate order (others are left out); empty
// when the extension is absent.
std::vector<ExtKeyUsage> extKeyUsages(const X509& cert);

// RFC 2253 form, e.g. "O=SPIRE,C=US" (the order Go's pkix.Name.String() prints).
std::string subjectName(const X509& cert);
std::string issuerName(const X509& cert);

// Raw key identifier bytes; "" when the extension (or the AKI keyIdentifier field) is absent.
std::string subjectKeyId(const X509& cert);
std::string authorityKeyId(const X509& cert);

// The certificate's public key (a new reference).
EvpPkeyPtr publicKeyOf(const X509& cert);

// True when `cert`'s signature verifies with `issuer_key`.
bool isSignedBy(const X509& cert, const EVP_PKEY& issuer_key);

} // namespace spire::crypto
