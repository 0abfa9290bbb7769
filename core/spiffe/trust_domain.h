#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "common/status.h"

namespace spire::spiffe {

class SpiffeId;

// A SPIFFE trust domain name, e.g. "example.org". Validated exactly as go-spiffe's
// spiffeid.TrustDomainFromString does (../shared/spec/spiffe-standards.md §1). The default value
// is the "zero" trust domain, which is never the result of a successful parse.
class TrustDomain {
public:
  TrustDomain() = default;

  // Accepts a bare name ("example.org") or a SPIFFE ID string ("spiffe://example.org/x"), in
  // which case the ID is fully validated and its trust domain returned.
  static Result<TrustDomain> parse(std::string_view text);

  const std::string& name() const { return name_; }
  bool isZero() const { return name_.empty(); }

  // "spiffe://<name>"
  std::string idString() const;
  // The SPIFFE ID of the trust domain itself (no path); a zero ID for the zero trust domain.
  SpiffeId id() const;

  auto operator<=>(const TrustDomain&) const = default;

private:
  friend class SpiffeId;
  explicit TrustDomain(std::string name) : name_(std::move(name)) {}

  std::string name_;
};

} // namespace spire::spiffe
