#pragma once

// The SPIFFE bundle: a trust domain's X.509 and JWT authorities plus the federation metadata
// (sequence number, refresh hint), in the JWKS-based format of
// standards/SPIFFE_Trust_Domain_and_Bundle.md (spiffe-standards.md §4). Parsing follows
// go-spiffe's spiffebundle.Parse with its error texts; serialisation comes in go-spiffe's compact
// form and in SPIRE's bundleutil.Marshal form.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "jwt/jwt_bundle.h"
#include "spiffe/trust_domain.h"
#include "x509/x509_bundle.h"

namespace spire::bundle {

// Options of SPIRE's bundleutil.Marshal.
struct SpireMarshalOptions {
  std::optional<std::chrono::seconds> refresh_hint; // OverrideRefreshHint
  std::optional<uint64_t> sequence_number;          // OverrideSequenceNumber
  bool no_x509_svid_keys = false;                   // NoX509SVIDKeys
  bool no_jwt_svid_keys = false;                    // NoJWTSVIDKeys
  bool standard_jwks = false;                       // StandardJWKS: no "use", no spiffe_* members
};

// A value type: not synchronised; share const instances between threads. Copies share the
// (immutable) certificates and keys.
class SpiffeBundle {
public:
  SpiffeBundle() = default;
  explicit SpiffeBundle(spiffe::TrustDomain td) : td_(td), x509_(td, {}), jwt_(td), wit_(td) {}

  // go-spiffe spiffebundle.Parse. Every error is InvalidArgument, prefixed "spiffebundle: ":
  // "unable to parse JWKS: <detail>" (bad JSON, wrong member types, a malformed JWK),
  // "no authorities found" (no "keys"; an empty array is fine),
  // "expected a single certificate in x509-svid entry <i>; got <n>",
  // "error adding authority <i> of JWKS: keyID cannot be empty" (jwt-svid without kid),
  // "error adding WIT authority <i> of JWKS: keyID cannot be empty".
  // <i> counts the keys kept after skipping unsupported key types. Entries with another or no
  // "use" are ignored.
  static Result<SpiffeBundle> parse(const spiffe::TrustDomain& td, std::string_view json);

  static SpiffeBundle fromX509Bundle(const x509::X509Bundle& bundle);
  static SpiffeBundle fromJwtBundle(const jwt::JwtBundle& bundle);

  const spiffe::TrustDomain& trustDomain() const { return td_; }

  const std::vector<crypto::X509Shared>& x509Authorities() const { return x509_.authorities(); }
  // Unless a DER-equal certificate is already present.
  void addX509Authority(crypto::X509Shared cert) { x509_.addAuthority(std::move(cert)); }
  bool hasX509Authority(const X509& cert) const { return x509_.hasAuthority(cert); }
  void removeX509Authority(const X509& cert) { x509_.removeAuthority(cert); }
  void setX509Authorities(std::vector<crypto::X509Shared> certs);

  const std::map<std::string, jwt::PublicKey, std::less<>>& jwtAuthorities() const {
    return jwt_.authorities();
  }
  jwt::PublicKey findJwtAuthority(std::string_view kid) const { return jwt_.findAuthority(kid); }
  // Adds or replaces; an empty kid fails with "spiffebundle: keyID cannot be empty".
  Status addJwtAuthority(std::string kid, jwt::PublicKey key);
  void removeJwtAuthority(std::string_view kid) { jwt_.removeAuthority(kid); }

  // WIT-SVID authorities (go-spiffe's experimental "wit-svid" use), kept so bundles round-trip.
  const std::map<std::string, jwt::PublicKey, std::less<>>& witAuthorities() const {
    return wit_.authorities();
  }
  Status addWitAuthority(std::string kid, jwt::PublicKey key);

  std::optional<uint64_t> sequenceNumber() const { return sequence_; }
  void setSequenceNumber(uint64_t sequence) { sequence_ = sequence; }
  void clearSequenceNumber() { sequence_.reset(); }
  std::optional<std::chrono::seconds> refreshHint() const { return refresh_hint_; }
  void setRefreshHint(std::chrono::seconds hint) { refresh_hint_ = hint; }
  void clearRefreshHint() { refresh_hint_.reset(); }

  bool empty() const { return x509_.empty() && jwt_.empty() && wit_.empty(); }

  x509::X509Bundle toX509Bundle() const { return x509_; }
  jwt::JwtBundle toJwtBundle() const { return jwt_; }

  // go-spiffe's Bundle.Marshal: compact JSON; keys are x509-svid entries ("use","kty",key
  // members,"x5c"), then jwt-svid entries, then wit-svid entries (each set sorted by key ID);
  // spiffe_sequence and spiffe_refresh_hint are written when set, even to 0.
  Result<std::string> marshal() const;
  // The same document as JSON, for embedding (bundle maps).
  Result<nlohmann::ordered_json> toJson() const;

  // SPIRE's bundleutil.Marshal: four-space indented; "keys" always an array; spiffe_sequence and
  // spiffe_refresh_hint written only when non-zero (SPIRE's bundleDoc tags them omitempty).
  Result<std::string> marshalSpire(const SpireMarshalOptions& options = {}) const;

  // Same trust domain, authorities (X.509 in order), sequence number and refresh hint.
  bool equals(const SpiffeBundle& other) const;

private:
  spiffe::TrustDomain td_;
  x509::X509Bundle x509_;
  jwt::JwtBundle jwt_;
  jwt::JwtBundle wit_;
  std::optional<uint64_t> sequence_;
  std::optional<std::chrono::seconds> refresh_hint_;
};

} // namespace spire::bundle
