#pragma once

// The SPIFFE bundle map ({"trust_domains": {"<td>": <bundle>, ...}}), as go-spiffe's
// spiffebundle.BundleMap reads and writes it (SPIFFE_Trust_Domain_and_Bundle.md §5).

#include <map>
#include <string>
#include <string_view>

#include "bundle/spiffe_bundle.h"
#include "common/status.h"

namespace spire::bundle {

class SpiffeBundleMap {
public:
  // Errors (InvalidArgument, prefixed "spiffebundle: "):
  // "unable to parse SPIFFE bundle map: <detail>", "no trust_domains found",
  // `invalid trust domain "<key>": <reason>`, `duplicate entry found for trust domain "<key>"`
  // and `error parsing bundle for trust domain "<key>": <reason>`. Duplicates are caught both as
  // the same key written twice (which a JSON object parser would otherwise silently collapse)
  // and as two keys naming the same trust domain ("example.org" and "spiffe://example.org").
  // Entries are checked in document order.
  static Result<SpiffeBundleMap> parse(std::string_view json);

  // Compact JSON with trust domains sorted by name; refresh hints are left out of the entries, as
  // the specification recommends.
  Result<std::string> marshal() const;

  // Adds or replaces the bundle of its trust domain.
  void add(SpiffeBundle bundle);
  const SpiffeBundle* get(const spiffe::TrustDomain& td) const;
  void remove(const spiffe::TrustDomain& td) { bundles_.erase(td); }
  std::size_t size() const { return bundles_.size(); }
  const std::map<spiffe::TrustDomain, SpiffeBundle>& bundles() const { return bundles_; }

private:
  std::map<spiffe::TrustDomain, SpiffeBundle> bundles_;
};

} // namespace spire::bundle
