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

  // Every CERTIFICATE block of a PEM text; other block types are skipped. No block at all is an
  // error ("no PEM blocks found"), as in go-spiffe.
  static Result<X509Bundle> parsePem(const spiffe::TrustDomain& td, std::string_view pem);
  // Concatenated DER certificates, as the Workload API carries bundles.
  static Result<X509Bundle> parseDer(const spiffe::TrustDomain& td, std::string_view der);

  const spiffe::TrustDomain& trustDomain() const { return td_; }
  const std::vector<crypto::X509Shared>& authorities() const { return authorities_; }

  // Adds a certificate unless an identical (DER-equal) one is present.
  void addAuthority(crypto::X509Shared cert);
  bool hasAuthority(const X509& cert) const;

  std::string toPem() const;
  std::string toDer() const; // concatenated DER

private:
  spiffe::TrustDomain td_;
  std::vector<crypto::X509Shared> authorities_;
};

} // namespace spire::x509
