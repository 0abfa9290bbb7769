#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <string>
#include <string_view>

#include "common/status.h"
#include "spiffe/trust_domain.h"

namespace spire::spiffe {

// A validated SPIFFE ID ("spiffe://<trust domain><path>"). Parsing follows go-spiffe's
// spiffeid.FromString byte for byte, with go-spiffe's error texts (spiffe-standards.md §1.2),
// plus the length limits of trust_domain.h. No normalisation: toString() of a parsed ID is the
// input. The default value is the "zero" ID.
class SpiffeId {
public:
  SpiffeId() = default;

  static Result<SpiffeId> parse(std::string_view text);
  // Builds "spiffe://<td><path>"; path must be "" or pass validatePath().
  static Result<SpiffeId> fromPath(const TrustDomain& td, std::string_view path);
  // Builds "spiffe://<td>/<seg1>/<seg2>..."; each segment must pass validatePathSegment().
  static Result<SpiffeId> fromSegments(const TrustDomain& td,
                                       std::initializer_list<std::string_view> segments);

  const TrustDomain& trustDomain() const { return td_; }
  // "" for the trust domain's own ID, otherwise starting with '/'.
  const std::string& path() const { return path_; }
  // The full ID string; "" for the zero ID.
  std::string toString() const;
  bool isZero() const { return td_.isZero(); }
  bool memberOf(const TrustDomain& td) const { return !isZero() && td_ == td; }

  // go-spiffe's AppendPath / ReplacePath / AppendSegments / ReplaceSegments. On a zero ID they
  // fail with go-spiffe's "cannot ... on a zero ID value" messages.
  Result<SpiffeId> appendPath(std::string_view path) const;
  Result<SpiffeId> replacePath(std::string_view path) const;
  Result<SpiffeId> appendSegments(std::initializer_list<std::string_view> segments) const;
  Result<SpiffeId> replaceSegments(std::initializer_list<std::string_view> segments) const;

  // Orders by trust domain name, then by path (byte-wise). Note this is not always the byte-wise
  // order of the full strings ("spiffe://a/x" < "spiffe://a.b" here).
  auto operator<=>(const SpiffeId&) const = default;

private:
  SpiffeId(TrustDomain td, std::string path) : td_(std::move(td)), path_(std::move(path)) {}
  // go-spiffe's makeID: refuses the zero trust domain, then (our addition) the length limit.
  static Result<SpiffeId> make(const TrustDomain& td, std::string path);

  TrustDomain td_;
  std::string path_;
};

// go-spiffe's ValidatePath / ValidatePathSegment, returning an InvalidArgument Status with
// go-spiffe's message on failure.
Status validatePath(std::string_view path);
Status validatePathSegment(std::string_view segment);
// go-spiffe's JoinPathSegments: "/seg1/seg2..." ("" for no segments), each segment validated.
Result<std::string> joinPathSegments(std::initializer_list<std::string_view> segments);

// Prints toString() (gtest and logs); the zero ID prints as "".
std::ostream& operator<<(std::ostream& os, const SpiffeId& id);

} // namespace spire::spiffe

template <> struct std::hash<spire::spiffe::SpiffeId> {
  std::size_t operator()(const spire::spiffe::SpiffeId& id) const noexcept {
    std::size_t h = std::hash<spire::spiffe::TrustDomain>{}(id.trustDomain());
    // boost::hash_combine's mixing step, so that (td, path) pairs spread well.
    h ^= std::hash<std::string>{}(id.path()) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
  }
};
