#pragma once

// The X.509-SVID standard's certificate profiles (spiffe-standards.md §2.1), stricter than what
// go-spiffe's Parse/Verify enforce. For certificates we issue (self-checks in the server CA) and
// CA certificates we accept from an upstream authority. Texts are ours where go-spiffe has none,
// go-spiffe's where it has one.

#include <string_view>

#include "common/status.h"
#include "crypto/openssl_ptr.h"

namespace spire::x509 {

// Signing (CA) certificate: basicConstraints cA=true; keyUsage present, critical, with
// keyCertSign; at most one URI SAN, and if there is one it is a valid SPIFFE ID without a path.
// InvalidArgument with one of profile_errors' texts.
Status checkSigningCertificateProfile(const X509& cert);

// Leaf SVID: exactly one URI SAN holding a valid SPIFFE ID with a non-root path; not a CA;
// keyUsage present and critical, with digitalSignature and without keyCertSign / cRLSign;
// extKeyUsage, when present, includes both serverAuth and clientAuth; an empty subject requires a
// critical subjectAltName extension. InvalidArgument.
Status checkLeafSvidProfile(const X509& cert);

namespace profile_errors {
inline constexpr std::string_view kNotCa = "signing certificate must have CA flag set to true";
inline constexpr std::string_view kNoKeyUsage =
    "signing certificate must have the keyUsage extension";
inline constexpr std::string_view kKeyUsageNotCritical =
    "signing certificate keyUsage extension must be critical";
inline constexpr std::string_view kNoKeyCertSign =
    "signing certificate must have 'keyCertSign' set as key usage";
inline constexpr std::string_view kMoreThanOneUriSan =
    "signing certificate must not have more than one URI SAN";
inline constexpr std::string_view kBadIdPrefix = "signing certificate SPIFFE ID is invalid: ";
inline constexpr std::string_view kIdHasPath = "signing certificate SPIFFE ID must not have a path";

// Leaf texts beyond svid_errors' (x509_svid.h), which the leaf check also uses.
inline constexpr std::string_view kLeafNoKeyUsage =
    "leaf certificate must have the keyUsage extension";
inline constexpr std::string_view kLeafKeyUsageNotCritical =
    "leaf certificate keyUsage extension must be critical";
inline constexpr std::string_view kLeafExtKeyUsage =
    "leaf certificate extKeyUsage must include serverAuth and clientAuth";
inline constexpr std::string_view kLeafSanNotCritical =
    "leaf certificate with an empty subject must have a critical subjectAltName extension";
} // namespace profile_errors

} // namespace spire::x509
