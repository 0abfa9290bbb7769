#pragma once

// SPIRE's credential templates (pkg/server/credtemplate/builder.go, spiffe-standards.md §2.4):
// what goes into the CA certificate, the upstream CSR, workload / agent / server X509-SVIDs and
// JWT-SVID claims. Pure functions of the configuration and the time passed in.

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "crypto/certificate_builder.h"
#include "crypto/csr.h"
#include "spiffe/spiffe_id.h"
#include "spiffe/trust_domain.h"

namespace spire::server::ca {

using TimePoint = std::chrono::system_clock::time_point;

// Certificates start this long before issuance so peers with slightly slow clocks accept them.
inline constexpr std::chrono::seconds kNotBeforeCushion{10};
inline constexpr std::chrono::seconds kDefaultCaTtl{24 * 3600};
inline constexpr std::chrono::seconds kDefaultX509SvidTtl{3600};
inline constexpr std::chrono::seconds kDefaultJwtSvidTtl{300};

// The server configuration keys the templates use (inventory §1.2).
struct CredentialConfig {
  spiffe::TrustDomain trust_domain;
  std::vector<crypto::NameAttribute> ca_subject = {{"C", "US"}, {"O", "SPIFFE"}};
  std::chrono::seconds ca_ttl = kDefaultCaTtl;
  std::chrono::seconds x509_svid_ttl = kDefaultX509SvidTtl; // default_x509_svid_ttl
  std::chrono::seconds jwt_svid_ttl = kDefaultJwtSvidTtl;   // default_jwt_svid_ttl
  std::chrono::seconds agent_ttl{0};                        // 0 = x509_svid_ttl
  std::string jwt_issuer;                                   // "" = no "iss" claim
};

// min(ca_ttl / 6, 7 days): the longest SVID TTL a CA rotation still honours in full.
std::chrono::seconds maxSvidTtlForCaTtl(std::chrono::seconds ca_ttl);

// Error texts (InvalidArgument).
inline constexpr std::string_view kErrNoAudience = "at least one audience is required";

class CredentialBuilder {
public:
  explicit CredentialBuilder(CredentialConfig config) : config_(std::move(config)) {}
  const CredentialConfig& config() const { return config_; }

  // A self-signed CA: subject ca_subject + serialNumber = the certificate's serial (decimal),
  // certSign|cRLSign, isCA, URI SAN spiffe://<td>, NotBefore = now - 10s, NotAfter = now + ca_ttl.
  crypto::CertificateTemplate selfSignedCa(TimePoint now) const;
  // The CSR an UpstreamAuthority signs: subject ca_subject, URI SAN spiffe://<td>.
  crypto::CsrTemplate upstreamCaCsr() const;

  // A workload X509-SVID: subject C=US,O=SPIRE (+ CN = first DNS name), every DNS name in the
  // SANs, URI SAN = id, digitalSignature|keyEncipherment|keyAgreement, serverAuth+clientAuth,
  // not a CA. ttl 0 = x509_svid_ttl; NotAfter capped to `ca_not_after`. The ID must belong to
  // the trust domain.
  Result<crypto::CertificateTemplate> workloadX509Svid(const spiffe::SpiffeId& id,
                                                       const std::vector<std::string>& dns_names,
                                                       std::chrono::seconds ttl, TimePoint now,
                                                       TimePoint ca_not_after) const;
  // An agent SVID (TTL agent_ttl), same profile without DNS names.
  Result<crypto::CertificateTemplate> agentX509Svid(const spiffe::SpiffeId& agent_id, TimePoint now,
                                                    TimePoint ca_not_after) const;
  // The server's own SVID spiffe://<td>/spire/server (TTL x509_svid_ttl).
  crypto::CertificateTemplate serverX509Svid(TimePoint now, TimePoint ca_not_after) const;

  // JWT-SVID claims: sub, aud (array), exp = now + ttl (ttl 0 = jwt_svid_ttl) capped to
  // `key_not_after`, iat = now, iss when jwt_issuer is set; registered claims win over
  // same-named `extra_claims` (which must be an object).
  Result<nlohmann::json> jwtSvidClaims(const spiffe::SpiffeId& id,
                                       const std::vector<std::string>& audience,
                                       std::chrono::seconds ttl, TimePoint now,
                                       TimePoint key_not_after,
                                       const nlohmann::json& extra_claims) const;

  spiffe::SpiffeId serverId() const;

private:
  Result<crypto::CertificateTemplate> leaf(const spiffe::SpiffeId& id,
                                           const std::vector<std::string>& dns_names,
                                           std::chrono::seconds ttl, TimePoint now,
                                           TimePoint ca_not_after) const;

  CredentialConfig config_;
};

} // namespace spire::server::ca
