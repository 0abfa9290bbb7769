#include "x509/x509_bundle.h"

#include <algorithm>

#include "crypto/certificate.h"
#include "x509/read_file.h"

namespace spire::x509 {
namespace {

Result<X509Bundle> fromCertificates(const spiffe::TrustDomain& td,
                                    Result<std::vector<crypto::X509Shared>> certs) {
  if (!certs) {
    return invalidArgument("x509bundle: cannot parse certificate: " + certs.status().message());
  }
  X509Bundle bundle(td, {});
  for (crypto::X509Shared& cert : *certs) {
    bundle.addAuthority(std::move(cert));
  }
  return bundle;
}

} // namespace

Result<X509Bundle> X509Bundle::parsePem(const spiffe::TrustDomain& td, std::string_view pem) {
  if (pem.empty()) {
    return X509Bundle(td, {});
  }
  return fromCertificates(td, crypto::parseCertificatesPem(pem));
}

Result<X509Bundle> X509Bundle::parseDer(const spiffe::TrustDomain& td, std::string_view der) {
  return fromCertificates(td, crypto::parseCertificatesDer(der));
}

Result<X509Bundle> X509Bundle::load(const spiffe::TrustDomain& td, const std::string& path) {
  Result<std::string> pem = readWholeFile(path);
  if (!pem) {
    return Status(pem.status().code(),
                  "x509bundle: unable to load X.509 bundle file: " + pem.status().message());
  }
  return parsePem(td, *pem);
}

void X509Bundle::addAuthority(crypto::X509Shared cert) {
  if (cert && !hasAuthority(*cert)) {
    authorities_.push_back(std::move(cert));
  }
}

bool X509Bundle::hasAuthority(const X509& cert) const {
  std::string der = crypto::certificateToDer(cert);
  return std::any_of(authorities_.begin(), authorities_.end(), [&](const crypto::X509Shared& a) {
    return crypto::certificateToDer(*a) == der;
  });
}

void X509Bundle::removeAuthority(const X509& cert) {
  std::string der = crypto::certificateToDer(cert);
  std::erase_if(authorities_,
                [&](const crypto::X509Shared& a) { return crypto::certificateToDer(*a) == der; });
}

std::string X509Bundle::toPem() const {
  return crypto::certificatesToPem(authorities_);
}

std::string X509Bundle::toDer() const {
  return crypto::certificatesToDer(authorities_);
}

bool X509Bundle::equals(const X509Bundle& other) const {
  return td_ == other.td_ && toDer() == other.toDer();
}

} // namespace spire::x509
