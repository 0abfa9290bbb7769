#pragma once

// X.509-SVID chain verification (spiffe-standards.md §2.2/§2.3), in go-spiffe's
// x509svid.Verify order and with its texts, on OpenSSL's X509_verify_cert.

#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/certificate.h"
#include "spiffe/spiffe_id.h"
#include "x509/x509_bundle_source.h"

namespace spire::x509 {

struct VerifiedX509Svid {
  spiffe::SpiffeId id;
  // Each chain runs from the leaf to a bundle authority. OpenSSL builds one chain, so there is
  // exactly one; the shape follows go-spiffe's [][]*x509.Certificate.
  std::vector<std::vector<crypto::X509Shared>> verified_chains;
};

// Verifies `chain` (leaf first, then untrusted intermediates) against the bundle of the leaf's
// trust domain, at time `now`. Checks, in go-spiffe's order, each failure InvalidArgument unless
// noted:
//   "x509svid: empty certificates chain"
//   "x509svid: bundleSource is required"                      (source null)
//   "x509svid: could not get leaf SPIFFE ID: <idFromCert error>"
//   "x509svid: leaf certificate with CA flag set to true"
//   "x509svid: leaf certificate with KeyCertSign key usage"
//   "x509svid: leaf certificate with KeyCrlSign key usage"
//   "x509svid: could not get X509 bundle: <source error>"     (the source's code, e.g. NotFound)
//   "x509svid: could not verify leaf certificate: x509: <reason>" where reason is Go's text for
//     the common cases: "certificate signed by unknown authority", "certificate has expired or
//     is not yet valid: current time <t> is after|before <t>", and the unknown-authority hint
//     form when an intermediate is the problem; otherwise OpenSSL's description.
// Path validation is RFC 5280 (intermediates must be CAs); any bundle certificate is a trust
// anchor, self-signed or not (as Go's root pool); extended key usage is not enforced (Go's
// ExtKeyUsageAny).
Result<VerifiedX509Svid> verifyX509Svid(const std::vector<crypto::X509Shared>& chain,
                                        const X509BundleSource* source, crypto::TimePoint now);

} // namespace spire::x509
