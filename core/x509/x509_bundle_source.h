#pragma once

#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "common/status.h"
#include "spiffe/trust_domain.h"
#include "x509/x509_bundle.h"

namespace spire::x509 {

// Where verification finds the X.509 authorities of a trust domain (go-spiffe's
// x509bundle.Source). THREADS: implementations must be safe to call from any thread.
class X509BundleSource {
public:
  virtual ~X509BundleSource() = default;
  // NotFound when the source has no bundle for `td`.
  virtual Result<X509Bundle> getX509BundleForTrustDomain(const spiffe::TrustDomain& td) const = 0;
};

// go-spiffe's text for a missing bundle, without the "x509bundle: " prefix the sources add.
std::string noBundleFoundMessage(const spiffe::TrustDomain& td);

// A fixed set of bundles, one per trust domain (go-spiffe's x509bundle.Set). Not synchronised:
// build it, then share it read-only.
class X509BundleSet : public X509BundleSource {
public:
  X509BundleSet() = default;
  explicit X509BundleSet(std::vector<X509Bundle> bundles) {
    for (X509Bundle& bundle : bundles) {
      add(std::move(bundle));
    }
  }

  // Replaces any bundle of the same trust domain.
  void add(X509Bundle bundle) { bundles_[bundle.trustDomain()] = std::move(bundle); }
  void remove(const spiffe::TrustDomain& td) { bundles_.erase(td); }
  bool has(const spiffe::TrustDomain& td) const { return bundles_.count(td) != 0; }
  std::size_t size() const { return bundles_.size(); }

  Result<X509Bundle> getX509BundleForTrustDomain(const spiffe::TrustDomain& td) const override;

private:
  std::map<spiffe::TrustDomain, X509Bundle> bundles_;
};

// Adapts a function (e.g. a lambda over a bundle cache) to the interface.
class FunctionX509BundleSource : public X509BundleSource {
public:
  using Fn = std::function<Result<X509Bundle>(const spiffe::TrustDomain&)>;
  explicit FunctionX509BundleSource(Fn fn) : fn_(std::move(fn)) {}
  Result<X509Bundle> getX509BundleForTrustDomain(const spiffe::TrustDomain& td) const override {
    return fn_(td);
  }

private:
  Fn fn_;
};

} // namespace spire::x509
