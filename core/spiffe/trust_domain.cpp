#include "spiffe/trust_domain.h"

#include <ostream>

#include "spiffe/errors.h"
#include "spiffe/spiffe_id.h"

namespace spire::spiffe {

Result<TrustDomain> TrustDomain::parse(std::string_view text) {
  // go-spiffe answers "trust domain is missing" here, not "cannot be empty".
  if (text.empty()) {
    return invalidArgument(std::string(errors::kMissingTrustDomain));
  }
  // go-spiffe looks for ":/" rather than "://" so that "spiffe:/td" gets the scheme error, which
  // says more than the bad-character error would.
  if (text.find(":/") != std::string_view::npos) {
    Result<SpiffeId> id = SpiffeId::parse(text);
    if (!id) {
      return id.status();
    }
    return id->trustDomain();
  }
  for (char c : text) {
    if (!isTrustDomainChar(c)) {
      return invalidArgument(std::string(errors::kBadTrustDomainChar));
    }
  }
  if (text.size() > kMaxTrustDomainLength) {
    return invalidArgument(std::string(errors::kTrustDomainTooLong));
  }
  return TrustDomain(std::string(text));
}

std::string TrustDomain::idString() const {
  if (isZero()) {
    return {};
  }
  return "spiffe://" + name_;
}

SpiffeId TrustDomain::id() const {
  if (isZero()) {
    return {};
  }
  Result<SpiffeId> id = SpiffeId::fromPath(*this, "");
  // A non-zero trust domain always passed the length limit, so its bare ID cannot fail.
  return id ? std::move(id).value() : SpiffeId();
}

std::ostream& operator<<(std::ostream& os, const TrustDomain& td) {
  return os << td.name();
}

} // namespace spire::spiffe
