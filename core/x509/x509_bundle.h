#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/encoding.h"
#include "common/status.h"
#include "crypto/openssl_ptr.h"
#include "spiffe/trust_domain.h"

namespace spire::x509 {

// The X.509 authorities (CA certificates) of one trust domain (X.509-SVID standard §6).
class X509Bundle {
public:
  X509Bundle() = default;
  X509Bundle(spiffe::TrustDomain td, std::vector<crypto::X509Shared> authorities)
      : td_(std::move(td)), authorities_(std::move(authorities)) {}

  // Every CERTIFICATE block of a PEM text; other block types are skipped. Non-empty text with no
  // block at all is an error ("no PEM blocks found"), as in go-spiffe; so is a malformed
  // certificate. As go-spiffe's x509bundle.Parse, empty input gives an empty bundle and errors
  // read "x509bundle: cannot parse certificate: <reason>" (InvalidArgument). Duplicates are
  // dropped.
  static Result<X509Bundle> parsePem(const spiffe::TrustDomain& td, std::string_view pem);
  // Concatenated DER certificates, as the Workload API carries bundles (go-spiffe ParseRaw).
  static Result<X509Bundle> parseDer(const spiffe::TrustDomain& td, std::string_view der);

  // go-spiffe x509bundle.Load: parsePem of a file's content. An unreadable file gives
  // "x509bundle: unable to load X.509 bundle file: <reason>" (NotFound when it does not exist).
  static Result<X509Bundle> load(const spiffe::TrustDomain& td, const std::string& path);

  const spiffe::TrustDomain& trustDomain() const { return td_; }
  const std::vector<crypto::X509Shared>& authorities() const { return authorities_; }

  // Adds a certificate unless an identical (DER-equal) one is present.
  void addAuthority(crypto::X509Shared cert);
  bool hasAuthority(const X509& cert) const;

  // Removes the DER-equal certificate if present.
  void removeAuthority(const X509& cert);
  bool empty() const { return authorities_.empty(); }

  std::string toPem() const;
  std::string toDer() const; // concatenated DER

  // Same trust domain and the same certificates in the same order.
  bool equals(const X509Bundle& other) const;

private:
  spiffe::TrustDomain td_;
  std::vector<crypto::X509Shared> authorities_;
};

} // namespace spire::x509
