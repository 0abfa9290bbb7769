#include "agent/manager/convert.h"

#include <chrono>

#include "crypto/certificate.h"
#include "crypto/csr.h"
#include "crypto/key.h"
#include "jwt/jwk.h"
#include "spiffe/spiffe_id.h"

namespace spire::agent::manager {

Result<std::string> spiffeIdString(const spire::api::types::SPIFFEID& id) {
  // Trust domain and path are checked apart: concatenating first would read {"example.org",
  // "web"} as the trust domain "example.orgweb".
  Result<spiffe::TrustDomain> td = spiffe::TrustDomain::parse(id.trust_domain());
  if (!td) {
    return invalidArgument("invalid SPIFFE ID: " + td.status().message());
  }
  Result<spiffe::SpiffeId> parsed = spiffe::SpiffeId::fromPath(*td, id.path());
  if (!parsed) {
    return invalidArgument("invalid SPIFFE ID: " + parsed.status().message());
  }
  return parsed->toString();
}

Result<cache::AgentEntry> entryFromProto(const spire::api::types::Entry& entry) {
  cache::AgentEntry out;
  out.entry_id = entry.id();
  if (out.entry_id.empty()) {
    return invalidArgument("entry has no ID");
  }
  Result<std::string> spiffe_id = spiffeIdString(entry.spiffe_id());
  if (!spiffe_id) {
    return spiffe_id.status().withPrefix("entry " + out.entry_id);
  }
  out.spiffe_id = *spiffe_id;
  if (entry.has_parent_id()) {
    Result<std::string> parent_id = spiffeIdString(entry.parent_id());
    if (!parent_id) {
      return parent_id.status().withPrefix("entry " + out.entry_id);
    }
    out.parent_id = *parent_id;
  }
  for (const spire::api::types::Selector& selector : entry.selectors()) {
    out.selectors.push_back({selector.type(), selector.value()});
  }
  out.x509_svid_ttl = entry.x509_svid_ttl();
  out.jwt_svid_ttl = entry.jwt_svid_ttl();
  out.federates_with.assign(entry.federates_with().begin(), entry.federates_with().end());
  out.admin = entry.admin();
  out.downstream = entry.downstream();
  out.store_svid = entry.store_svid();
  out.expires_at = entry.expires_at();
  out.dns_names.assign(entry.dns_names().begin(), entry.dns_names().end());
  out.revision_number = entry.revision_number();
  out.hint = entry.hint();
  out.created_at = entry.created_at();
  if (entry.has_additional_attributes()) {
    out.jwt_svid_include_jti = entry.additional_attributes().jwt_svid_include_jti();
    out.disable_x509_svid_prefetch = entry.additional_attributes().disable_x509_svid_prefetch();
  }
  return out;
}

Result<bundle::SpiffeBundle> bundleFromProto(const spire::api::types::Bundle& proto) {
  Result<spiffe::TrustDomain> td = spiffe::TrustDomain::parse(proto.trust_domain());
  if (!td) {
    return invalidArgument("invalid bundle trust domain: " + td.status().message());
  }
  bundle::SpiffeBundle out(*td);
  for (const spire::api::types::X509Certificate& authority : proto.x509_authorities()) {
    Result<crypto::X509Ptr> cert = crypto::parseCertificateDer(authority.asn1());
    if (!cert) {
      return invalidArgument("invalid X.509 authority in bundle for \"" + td->name() +
                             "\": " + cert.status().message());
    }
    out.addX509Authority(crypto::X509Shared(std::move(*cert)));
  }
  for (const spire::api::types::JWTKey& authority : proto.jwt_authorities()) {
    Result<crypto::EvpPkeyPtr> key = crypto::parsePublicKeyDer(authority.public_key());
    if (!key) {
      return invalidArgument("invalid JWT authority in bundle for \"" + td->name() +
                             "\": " + key.status().message());
    }
    Status added = out.addJwtAuthority(authority.key_id(), jwt::sharePublicKey(std::move(*key)));
    if (!added.isOk()) {
      return added;
    }
  }
  if (proto.refresh_hint() != 0) {
    out.setRefreshHint(std::chrono::seconds(proto.refresh_hint()));
  }
  if (proto.sequence_number() != 0) {
    out.setSequenceNumber(proto.sequence_number());
  }
  return out;
}

Result<std::vector<crypto::X509Shared>> chainFromDer(const std::vector<std::string>& ders) {
  std::vector<crypto::X509Shared> chain;
  for (const std::string& der : ders) {
    Result<crypto::X509Ptr> cert = crypto::parseCertificateDer(der);
    if (!cert) {
      return cert.status();
    }
    chain.emplace_back(std::move(*cert));
  }
  return chain;
}

Result<x509::X509Svid> svidFromProto(const spire::api::types::X509SVID& svid,
                                     const crypto::EvpPkeyPtr& key) {
  std::vector<std::string> ders(svid.cert_chain().begin(), svid.cert_chain().end());
  Result<std::vector<crypto::X509Shared>> chain = chainFromDer(ders);
  if (!chain) {
    return invalidArgument("invalid SVID certificate chain: " + chain.status().message());
  }
  Result<std::string> key_der = crypto::marshalPkcs8PrivateKeyDer(*key);
  if (!key_der) {
    return key_der.status();
  }
  Result<crypto::EvpPkeyPtr> key_copy = crypto::parsePkcs8PrivateKeyDer(*key_der);
  if (!key_copy) {
    return key_copy.status();
  }
  Result<x509::X509Svid> out = x509::X509Svid::fromParts(std::move(*chain), std::move(*key_copy));
  if (!out) {
    return invalidArgument("invalid SVID: " + out.status().message());
  }
  out->hint = svid.hint();
  return out;
}

Result<std::string> makeCsrDer(const EVP_PKEY& key) {
  Result<crypto::X509ReqPtr> csr = crypto::createCsr({}, key);
  if (!csr) {
    return csr.status();
  }
  return crypto::csrToDer(**csr);
}

} // namespace spire::agent::manager
