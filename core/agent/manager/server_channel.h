#pragma once

// The gRPC channel from the agent to the server. TLS always; the server must present an X509-SVID
// for spiffe://<td>/spire/server that chains to the agent's current bundle (SPIRE's agent pins
// exactly that ID), checked by our own verifier instead of gRPC's hostname check because a SPIRE
// server certificate carries no DNS name. Before attestation with insecure_bootstrap the server is
// not authenticated. The agent's SVID is the client certificate once it has one; a renewed SVID
// means a new channel.

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <grpcpp/channel.h>

#include "common/status.h"
#include "spiffe/trust_domain.h"
#include "x509/x509_bundle.h"
#include "x509/x509_svid.h"

namespace spire::agent::manager {

// The bundle the verifier checks the server against; updated by the sync without rebuilding
// channels. THREADS: any thread (gRPC calls verify on its own threads).
class ServerTrust {
public:
  explicit ServerTrust(spiffe::TrustDomain td) : td_(std::move(td)) {}

  // nullopt: accept any server (insecure bootstrap only).
  void setBundle(std::optional<x509::X509Bundle> bundle);
  bool insecure() const;

  // OK when `chain_pem` (leaf first) is an SVID for spiffe://<td>/spire/server valid against the
  // bundle now. Unauthenticated otherwise: "server certificate verification failed: <reason>",
  // "unexpected server ID \"<id>\"".
  Status verify(const std::string& chain_pem) const;

  const spiffe::TrustDomain& trustDomain() const { return td_; }

private:
  const spiffe::TrustDomain td_;
  mutable std::mutex mu_;
  std::optional<x509::X509Bundle> bundle_;
};

// A TLS channel to `target` ("host:port"). `client` (chain + key) is presented when set.
Result<std::shared_ptr<grpc::Channel>> makeServerChannel(const std::string& target,
                                                         std::shared_ptr<ServerTrust> trust,
                                                         const x509::X509Svid* client);

} // namespace spire::agent::manager
