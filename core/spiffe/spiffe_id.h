#pragma once

#include <compare>
#include <initializer_list>
#include <string>
#include <string_view>

#include "common/status.h"
#include "spiffe/trust_domain.h"

namespace spire::spiffe {

// A validated SPIFFE ID ("spiffe://<trust domain><path>"). Parsing follows go-spiffe's
// spiffeid.FromString byte for byte, with go-spiffe's error texts (spiffe-standards.md §1.2).
// The default value is the "zero" ID.
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

  Result<SpiffeId> appendPath(std::string_view path) const;
  Result<SpiffeId> replacePath(std::string_view path) const;

  auto operator<=>(const SpiffeId&) const = default;

private:
  SpiffeId(TrustDomain td, std::string path) : td_(std::move(td)), path_(std::move(path)) {}

  TrustDomain td_;
  std::string path_;
};

// go-spiffe's ValidatePath / ValidatePathSegment, returning an InvalidArgument Status with
// go-spiffe's message on failure.
Status validatePath(std::string_view path);
Status validatePathSegment(std::string_view segment);

} // namespace spire::spiffe
