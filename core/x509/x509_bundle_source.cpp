#include "x509/x509_bundle_source.h"

namespace spire::x509 {

std::string noBundleFoundMessage(const spiffe::TrustDomain& td) {
  // Go's %q quoting; trust domain names never contain characters it would escape.
  return "no X.509 bundle found for trust domain: \"" + td.name() + "\"";
}

Result<X509Bundle> X509BundleSet::getX509BundleForTrustDomain(const spiffe::TrustDomain& td) const {
  auto it = bundles_.find(td);
  if (it == bundles_.end()) {
    return notFound("x509bundle: " + noBundleFoundMessage(td));
  }
  return it->second;
}

} // namespace spire::x509
