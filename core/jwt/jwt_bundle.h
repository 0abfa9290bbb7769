#pragma once

// The JWT authorities (public keys by key ID) of one trust domain, as go-spiffe's jwtbundle and
// the Workload API's FetchJWTBundles carry them (spiffe-standards.md §3, §4).

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "jwt/jwk.h"
#include "spiffe/trust_domain.h"

namespace spire::jwt {

// How a JWKS is written.
enum class JwksStyle {
  // Compact JSON, like go-jose's json.Marshal of a JSONWebKeySet.
  kCompact,
  // SPIRE's bundleutil.Marshal(..., StandardJWKS()): json.MarshalIndent with four spaces. This is
  // the byte form the SPIRE agent puts in FetchJWTBundles responses.
  kSpireIndented,
};

// A value type: not synchronised. Build it on one thread, then share it as
// std::shared_ptr<const JwtBundle> (keys are immutable and shared between copies).
class JwtBundle {
public:
  JwtBundle() = default;
  explicit JwtBundle(spiffe::TrustDomain td) : td_(std::move(td)) {}

  // A JWKS document. As go-spiffe's jwtbundle.Parse: a missing "keys" gives an empty bundle;
  // every key is taken whatever its "use"; keys of unsupported types are skipped. Errors
  // (InvalidArgument): "jwtbundle: unable to parse JWKS: <detail>" and
  // "jwtbundle: error adding authority <i> of JWKS: keyID cannot be empty".
  static Result<JwtBundle> parse(const spiffe::TrustDomain& td, std::string_view jwks);

  const spiffe::TrustDomain& trustDomain() const { return td_; }
  // Sorted by key ID (serialisation order too, so output is deterministic where Go's map order
  // is random).
  const std::map<std::string, PublicKey, std::less<>>& authorities() const { return authorities_; }
  bool empty() const { return authorities_.empty(); }

  // The key, or nullptr.
  PublicKey findAuthority(std::string_view kid) const;
  bool hasAuthority(std::string_view kid) const { return findAuthority(kid) != nullptr; }
  // Adds or replaces. An empty kid fails with "jwtbundle: keyID cannot be empty".
  Status addAuthority(std::string kid, PublicKey key);
  void removeAuthority(std::string_view kid);
  void setAuthorities(std::map<std::string, PublicKey, std::less<>> authorities) {
    authorities_ = std::move(authorities);
  }

  // {"keys":[{"kty":..,"kid":..,...}]}: a plain JWKS, no "use", no spiffe_* members.
  Result<std::string> toJwks(JwksStyle style = JwksStyle::kCompact) const;

  // Same trust domain and the same public keys under the same key IDs.
  bool equals(const JwtBundle& other) const;

private:
  spiffe::TrustDomain td_;
  std::map<std::string, PublicKey, std::less<>> authorities_;
};

// Where validators find the JWT bundle of a trust domain (go-spiffe's jwtbundle.Source).
class JwtBundleSource {
public:
  virtual ~JwtBundleSource() = default;
  // The bundle, or nullptr when the source has none for `td`.
  virtual std::shared_ptr<const JwtBundle> jwtBundleFor(const spiffe::TrustDomain& td) const = 0;
};

// A fixed set of bundles, one per trust domain (go-spiffe's jwtbundle.Set).
class JwtBundleSet : public JwtBundleSource {
public:
  JwtBundleSet() = default;
  // Adds or replaces the bundle of its trust domain.
  void add(JwtBundle bundle);
  void remove(const spiffe::TrustDomain& td) { bundles_.erase(td); }
  std::size_t size() const { return bundles_.size(); }

  std::shared_ptr<const JwtBundle> jwtBundleFor(const spiffe::TrustDomain& td) const override;

private:
  std::map<spiffe::TrustDomain, std::shared_ptr<const JwtBundle>> bundles_;
};

} // namespace spire::jwt
