#include "server/endpoints/peer_identity.h"

#include <grpc/grpc_security_constants.h>

#include "common/go_quote.h"
#include "x509/x509_verify.h"

namespace spire::server::endpoints {

namespace {

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string firstProperty(const grpc::AuthContext& auth, const char* name) {
  std::vector<grpc::string_ref> values = auth.FindPropertyValues(name);
  if (values.empty()) {
    return {};
  }
  return std::string(values.front().data(), values.front().size());
}

Status unauthenticated(std::string message) {
  return {StatusCode::kUnauthenticated, std::move(message)};
}

} // namespace

PeerInfo peerInfoFromContext(const grpc::ServerContext& context) {
  PeerInfo info;
  info.address = context.peer();
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) {
    return info;
  }
  info.tls = firstProperty(*auth, GRPC_TRANSPORT_SECURITY_TYPE_PROPERTY_NAME) ==
             GRPC_SSL_TRANSPORT_SECURITY_TYPE;
  if (info.tls) {
    info.leaf_pem = firstProperty(*auth, GRPC_X509_PEM_CERT_PROPERTY_NAME);
    info.chain_pem = firstProperty(*auth, GRPC_X509_PEM_CERT_CHAIN_PROPERTY_NAME);
  }
  return info;
}

Result<api::Caller> callerFromPeer(const PeerInfo& peer, const x509::X509BundleSource& bundles,
                                   crypto::TimePoint now) {
  api::Caller caller;
  caller.address = peer.address;
  if (startsWith(peer.address, "unix:") || startsWith(peer.address, "unix-abstract:")) {
    // The UDS listener has no transport security; a TLS session here would mean the address
    // lies, so it is not trusted as local.
    if (peer.tls) {
      return internalError("unsupported network " + goQuote(peer.address));
    }
    caller.local = true;
    return caller;
  }
  if (!startsWith(peer.address, "ipv4:") && !startsWith(peer.address, "ipv6:")) {
    return internalError("unsupported network " + goQuote(peer.address));
  }
  if (!peer.tls || peer.leaf_pem.empty()) {
    return caller; // an anonymous TCP caller (e.g. an agent's first AttestAgent)
  }

  Result<std::vector<crypto::X509Shared>> leaf = crypto::parseCertificatesPem(peer.leaf_pem);
  if (!leaf.isOk() || leaf->size() != 1) {
    return unauthenticated("client certificate is malformed");
  }
  std::vector<crypto::X509Shared> chain = std::move(*leaf);

  const std::vector<std::string> uris = crypto::uriSans(*chain.front());
  if (uris.empty()) {
    return unauthenticated("client certificate has no URI SAN");
  }
  if (uris.size() > 1) {
    return unauthenticated("client certificate has more than one URI SAN");
  }
  Result<spiffe::SpiffeId> id = spiffe::SpiffeId::parse(uris.front());
  if (!id.isOk()) {
    return unauthenticated("client certificate has a malformed URI SAN: " + id.status().message());
  }

  if (!peer.chain_pem.empty()) {
    Result<std::vector<crypto::X509Shared>> rest = crypto::parseCertificatesPem(peer.chain_pem);
    if (!rest.isOk()) {
      return unauthenticated("client certificate chain is malformed");
    }
    // Depending on the TLS library the property holds the presented chain with or without the
    // leaf, or the verified chain up to the trust anchor. Keep the untrusted intermediates only.
    Result<x509::X509Bundle> anchors = bundles.getX509BundleForTrustDomain(id->trustDomain());
    for (crypto::X509Shared& cert : *rest) {
      const bool is_leaf = crypto::certificatesEqual(*cert, *chain.front());
      const bool is_anchor = anchors.isOk() && anchors->hasAuthority(*cert);
      if (!is_leaf && !is_anchor) {
        chain.push_back(std::move(cert));
      }
    }
  }
  Result<x509::VerifiedX509Svid> verified = x509::verifyX509Svid(chain, &bundles, now);
  if (!verified.isOk()) {
    return unauthenticated(verified.status().message());
  }
  caller.id = verified->id;
  caller.chain = std::move(chain);
  return caller;
}

} // namespace spire::server::endpoints
