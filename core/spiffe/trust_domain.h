#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

#include "common/status.h"

namespace spire::spiffe {

class SpiffeId;

// Length limits. The SPIFFE spec says implementations MUST support IDs of up to 2048 bytes and
// that a trust domain name is an RFC 3986 host (at most 255 bytes); go-spiffe enforces neither.
// We reject longer input, so that nothing we accept can be refused by a conforming peer and so
// that untrusted input has a bound. The limits are checked only after go-spiffe's own checks have
// passed: any input go-spiffe rejects gets go-spiffe's error, not ours.
inline constexpr std::size_t kMaxTrustDomainLength = 255;
inline constexpr std::size_t kMaxSpiffeIdLength = 2048;

// A SPIFFE trust domain name, e.g. "example.org". Validated exactly as go-spiffe's
// spiffeid.TrustDomainFromString does (../shared/spec/spiffe-standards.md §1), plus the
// kMaxTrustDomainLength limit. The default value is the "zero" trust domain, which is never the
// result of a successful parse.
class TrustDomain {
public:
  TrustDomain() = default;

  // Accepts a bare name ("example.org") or a SPIFFE ID string ("spiffe://example.org/x"), in
  // which case the ID is fully validated and its trust domain returned. Any text containing ":/"
  // is taken as an ID, as go-spiffe does.
  static Result<TrustDomain> parse(std::string_view text);

  const std::string& name() const { return name_; }
  bool isZero() const { return name_.empty(); }

  // "spiffe://<name>"; "" for the zero trust domain (go-spiffe's IDString does the same).
  std::string idString() const;
  // The SPIFFE ID of the trust domain itself (no path); a zero ID for the zero trust domain.
  SpiffeId id() const;

  // Byte-wise comparison of the names, as go-spiffe's TrustDomain.Compare.
  auto operator<=>(const TrustDomain&) const = default;

private:
  friend class SpiffeId;
  explicit TrustDomain(std::string name) : name_(std::move(name)) {}

  std::string name_;
};

// The byte classes of the grammar: a-z 0-9 . - _ for trust domains; those plus A-Z for path
// segments. Public so that other parsers (selectors, config) can share the exact definition.
constexpr bool isTrustDomainChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}
constexpr bool isPathSegmentChar(char c) {
  return isTrustDomainChar(c) || (c >= 'A' && c <= 'Z');
}

// Prints the name (gtest and logs); the zero value prints as "".
std::ostream& operator<<(std::ostream& os, const TrustDomain& td);

} // namespace spire::spiffe

template <> struct std::hash<spire::spiffe::TrustDomain> {
  std::size_t operator()(const spire::spiffe::TrustDomain& td) const noexcept {
    return std::hash<std::string>{}(td.name());
  }
};
