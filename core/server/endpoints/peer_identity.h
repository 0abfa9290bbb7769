#pragma once
// Who is on the other end of a connection, before any policy (SPIRE's
// pkg/server/api/middleware/caller.go): a local caller on the UDS socket, or a TCP caller that is
// anonymous or identified by the X.509-SVID it presented.
//
// The TLS layer already refused any client certificate that does not chain to the trust domain's
// bundle as it stood at handshake time. The chain is verified again here, with the SPIFFE rules
// (one URI SAN, leaf not a CA, ...) and against the bundle as it is NOW, so that a connection
// opened before a CA was pruned or revoked cannot keep an identity the bundle no longer vouches
// for. An unverified chain is never turned into an identity: the call fails instead.
#include <string>

#include <grpcpp/server_context.h>

#include "common/status.h"
#include "crypto/certificate.h"
#include "server/api/caller.h"
#include "x509/x509_bundle_source.h"

namespace spire::server::endpoints {

// The connection facts gRPC gives a handler.
struct PeerInfo {
  std::string address;   // ServerContext::peer(): "unix:...", "ipv4:1.2.3.4:5", "ipv6:[::1]:5"
  bool tls = false;      // transport_security_type == "ssl"
  std::string leaf_pem;  // x509_pem_cert: the client's leaf, empty when it presented none
  std::string chain_pem; // x509_pem_cert_chain: what OpenSSL kept of the presented chain (on a
                         // server, the intermediates without the leaf; maybe empty on resumption)
};

PeerInfo peerInfoFromContext(const grpc::ServerContext& context);

// The caller before classification: `local`, `address`, and for a TCP caller with a verified
// X.509-SVID its `id` and `chain` (leaf first). Errors, as SPIRE's (code Unauthenticated unless
// noted):
//   "unsupported network \"<address>\""              (Internal) neither UDS nor TCP
//   "client certificate has no URI SAN"
//   "client certificate has more than one URI SAN"
//   "client certificate has a malformed URI SAN: <reason>"
//   "<x509svid verification error>"                  chain does not verify against `bundles` now
Result<api::Caller> callerFromPeer(const PeerInfo& peer, const x509::X509BundleSource& bundles,
                                   crypto::TimePoint now);

} // namespace spire::server::endpoints
