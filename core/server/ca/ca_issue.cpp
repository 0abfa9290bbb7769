// CaManager's issuance methods: the hot path. Each reads one immutable snapshot, builds the
// template, and signs through the KeyManager; no lock, no DataStore call, no verification beyond
// the CSR's own signature.

#include "crypto/csr.h"
#include "server/ca/ca_manager.h"
#include "server/ca/remote_certificate.h"
#include "server/ca/remote_jws.h"

namespace spire::server::ca {

Result<std::vector<crypto::X509Shared>>
CaManager::issue(const Result<crypto::CertificateTemplate>& tmpl, const X509Authority& ca,
                 const EVP_PKEY* public_key) const {
  if (!tmpl) {
    return tmpl.status();
  }
  Result<crypto::X509Shared> leaf =
      createRemoteCertificate(*tmpl, *public_key, ca.certificate.get(), ca.signer, false);
  if (!leaf) {
    return leaf.status();
  }
  std::vector<crypto::X509Shared> chain;
  chain.reserve(1 + ca.chain.size());
  chain.push_back(std::move(*leaf));
  chain.insert(chain.end(), ca.chain.begin(), ca.chain.end());
  return chain;
}

Result<std::vector<crypto::X509Shared>>
CaManager::signWorkloadX509Svid(const spiffe::SpiffeId& id, const EVP_PKEY* public_key,
                                std::chrono::seconds ttl,
                                const std::vector<std::string>& dns_names) const {
  std::shared_ptr<const CaSnapshot> snap = snapshot();
  if (!snap->x509) {
    return Status(StatusCode::kUnavailable, std::string(kErrNoX509Ca));
  }
  if (public_key == nullptr) {
    return invalidArgument(std::string(kErrNoPublicKey));
  }
  return issue(builder_.workloadX509Svid(id, dns_names, ttl, now(), snap->x509->not_after),
               *snap->x509, public_key);
}

Result<std::vector<crypto::X509Shared>>
CaManager::signWorkloadX509SvidFromCsr(const spiffe::SpiffeId& id, std::string_view csr_der,
                                       std::chrono::seconds ttl,
                                       const std::vector<std::string>& dns_names) const {
  Result<crypto::X509ReqPtr> csr = crypto::parseCsrDer(csr_der);
  if (!csr) {
    return csr.status();
  }
  if (Status st = crypto::checkCsrSignature(**csr); !st.isOk()) {
    return st;
  }
  crypto::EvpPkeyPtr key = crypto::csrPublicKey(**csr);
  return signWorkloadX509Svid(id, key.get(), ttl, dns_names);
}

Result<std::vector<crypto::X509Shared>>
CaManager::signAgentX509Svid(const spiffe::SpiffeId& agent_id, const EVP_PKEY* public_key) const {
  std::shared_ptr<const CaSnapshot> snap = snapshot();
  if (!snap->x509) {
    return Status(StatusCode::kUnavailable, std::string(kErrNoX509Ca));
  }
  if (public_key == nullptr) {
    return invalidArgument(std::string(kErrNoPublicKey));
  }
  return issue(builder_.agentX509Svid(agent_id, now(), snap->x509->not_after), *snap->x509,
               public_key);
}

Result<std::vector<crypto::X509Shared>>
CaManager::signServerX509Svid(const EVP_PKEY* public_key) const {
  std::shared_ptr<const CaSnapshot> snap = snapshot();
  if (!snap->x509) {
    return Status(StatusCode::kUnavailable, std::string(kErrNoX509Ca));
  }
  if (public_key == nullptr) {
    return invalidArgument(std::string(kErrNoPublicKey));
  }
  return issue(builder_.serverX509Svid(now(), snap->x509->not_after), *snap->x509, public_key);
}

Result<std::string> CaManager::signJwtSvid(const spiffe::SpiffeId& id,
                                           const std::vector<std::string>& audience,
                                           std::chrono::seconds ttl,
                                           const nlohmann::json& extra_claims) const {
  std::shared_ptr<const CaSnapshot> snap = snapshot();
  if (!snap->jwt) {
    return Status(StatusCode::kUnavailable, std::string(kErrNoJwtKey));
  }
  const JwtAuthority& key = *snap->jwt;
  Result<nlohmann::json> claims =
      builder_.jwtSvidClaims(id, audience, ttl, now(), key.not_after, extra_claims);
  if (!claims) {
    return claims.status();
  }
  // nlohmann::json keeps object keys sorted, so header and claims serialise in a stable order.
  nlohmann::json header = {
      {"alg", std::string(jwsAlgorithmFor(key.signer))}, {"kid", key.kid}, {"typ", "JWT"}};
  return signCompactJwsRemote(header.dump(), claims->dump(), key.signer);
}

} // namespace spire::server::ca
