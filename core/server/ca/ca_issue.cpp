// CaManager's issuance methods: the hot path. Each reads one immutable snapshot, builds the
// template, and signs through the KeyManager; no lock, no DataStore call, no verification beyond
// the CSR's own signature.

#include "crypto/csr.h"
#include "server/ca/ca_manager.h"
#include "server/ca/remote_certificate.h"
#include "server/ca/remote_jws.h"

namespace spire::server::ca {
namespace {

Result<std::vector<crypto::X509Shared>> withChain(Result<crypto::X509Shared> leaf,
                                                  const X509Authority& ca) {
  if (!leaf) {
    return leaf.status();
  }
  std::vector<crypto::X509Shared> chain;
  chain.reserve(1 + ca.chain.size());
  chain.push_back(std::move(*leaf));
  chain.insert(chain.end(), ca.chain.begin(), ca.chain.end());
  return chain;
}

} // namespace

Result<std::vector<crypto::X509Shared>>
CaManager::issue(const Result<crypto::CertificateTemplate>& tmpl, const X509Authority& ca,
                 const EVP_PKEY* public_key) const {
  if (!tmpl) {
    return tmpl.status();
  }
  return withChain(
      createRemoteCertificate(*tmpl, *public_key, ca.certificate.get(), ca.signer, false), ca);
}

Result<std::vector<crypto::X509Shared>>
CaManager::issueForKeyInfo(const Result<crypto::CertificateTemplate>& tmpl, const X509Authority& ca,
                           std::string_view spki_der) const {
  if (!tmpl) {
    return tmpl.status();
  }
  return withChain(createRemoteCertificateForKeyInfo(*tmpl, spki_der, *ca.certificate, ca.signer),
                   ca);
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
  Result<crypto::IssuanceCsr> csr = crypto::IssuanceCsr::parse(csr_der);
  if (!csr) {
    return csr.status();
  }
  if (Status st = csr->checkSignature(); !st.isOk()) {
    return st;
  }
  return signWorkloadX509SvidForKeyInfo(id, csr->subjectPublicKeyInfo(), ttl, dns_names);
}

Result<std::vector<crypto::X509Shared>>
CaManager::signWorkloadX509SvidForKeyInfo(const spiffe::SpiffeId& id, std::string_view spki_der,
                                          std::chrono::seconds ttl,
                                          const std::vector<std::string>& dns_names) const {
  std::shared_ptr<const CaSnapshot> snap = snapshot();
  if (!snap->x509) {
    return Status(StatusCode::kUnavailable, std::string(kErrNoX509Ca));
  }
  if (spki_der.empty()) {
    return invalidArgument(std::string(kErrNoPublicKey));
  }
  return issueForKeyInfo(
      builder_.workloadX509Svid(id, dns_names, ttl, now(), snap->x509->not_after), *snap->x509,
      spki_der);
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
