#pragma once

// The agent's calls to the SPIRE server API over one channel: AttestAgent (with the node
// attestor's challenge/response loop), RenewAgent, SyncAuthorizedEntries (paged, falling back to
// GetAuthorizedEntries on UNIMPLEMENTED), GetBundle / GetFederatedBundle, BatchNewX509SVID and
// NewJWTSVID. gRPC errors come back as Status with the same code and message. THREADS: any
// thread; each call is independent.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/channel.h>

#include "agent/cache/entry.h"
#include "bundle/spiffe_bundle.h"
#include "common/status.h"
#include "crypto/openssl_ptr.h"
#include "plugin_host/node_attestor.h"
#include "spire/api/server/agent/v1/agent.grpc.pb.h"
#include "spire/api/server/bundle/v1/bundle.grpc.pb.h"
#include "spire/api/server/entry/v1/entry.grpc.pb.h"
#include "spire/api/server/svid/v1/svid.grpc.pb.h"
#include "spirecpp/server/changes/v1/changes.grpc.pb.h"
#include "x509/x509_svid.h"

namespace spire::agent::manager {

struct AttestResult {
  x509::X509Svid svid;
  bool reattestable = false;
};

struct SvidRequest {
  std::string entry_id;
  std::string csr_der;
};

// One BatchNewX509SVID result: the chain (DER, leaf first) or the per-entry error.
struct SvidResult {
  Status status;
  std::vector<std::string> chain_der;
  std::string hint;
};

struct JwtSvidResult {
  std::string token;
  int64_t issued_at = 0;
  int64_t expires_at = 0;
};

// How the entries of one sync were obtained (for tests and logs).
struct EntrySyncResult {
  std::vector<cache::AgentEntry> entries;
  bool used_fallback = false; // GetAuthorizedEntries
  size_t fetched_in_full = 0; // entries whose full body came over the wire
};

class ServerClient {
public:
  ServerClient(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout);

  // Runs the attestation: sends the plugin's payload (type = plugin name) and the CSR, relays
  // every challenge to the plugin, and parses the resulting SVID with `key`. Errors keep the
  // server's code; the message is prefixed "failed to attest: ".
  Result<AttestResult> attestAgent(const plugin_host::AgentNodeAttestorPlugin& attestor,
                                   const std::string& csr_der, const crypto::EvpPkeyPtr& key);

  // RenewAgent: the new agent SVID for `key`.
  Result<x509::X509Svid> renewAgent(const std::string& csr_der, const crypto::EvpPkeyPtr& key);

  // The agent's authorized entries. `known` holds the entries of the last sync by ID; with
  // SyncAuthorizedEntries only new or changed entries are fetched in full when the server pages
  // by revision. `use_sync` false goes straight to GetAuthorizedEntries.
  Result<EntrySyncResult> syncEntries(const std::map<std::string, cache::AgentEntry>& known,
                                      bool use_sync);

  Result<bundle::SpiffeBundle> getBundle();
  // nullopt when the server has no bundle for that trust domain (NotFound).
  Result<std::optional<bundle::SpiffeBundle>> getFederatedBundle(const std::string& td);

  Result<std::vector<SvidResult>> batchNewX509Svid(const std::vector<SvidRequest>& requests);
  Result<JwtSvidResult> newJwtSvid(const std::string& entry_id,
                                   const std::vector<std::string>& audience);

  // The EntryChanges stub, for the watch thread (which holds a long-lived stream).
  spirecpp::server::changes::v1::EntryChanges::Stub& changes() { return *changes_; }
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

private:
  void setDeadline(grpc::ClientContext& context) const;
  Result<EntrySyncResult> syncEntriesStream(const std::map<std::string, cache::AgentEntry>& known);
  Result<EntrySyncResult> getAuthorizedEntries();

  std::shared_ptr<grpc::Channel> channel_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<spire::api::server::agent::v1::Agent::Stub> agent_;
  std::unique_ptr<spire::api::server::entry::v1::Entry::Stub> entry_;
  std::unique_ptr<spire::api::server::svid::v1::SVID::Stub> svid_;
  std::unique_ptr<spire::api::server::bundle::v1::Bundle::Stub> bundle_;
  std::unique_ptr<spirecpp::server::changes::v1::EntryChanges::Stub> changes_;
};

// grpc::Status -> Status, same code and message.
Status fromGrpc(const grpc::Status& status);

} // namespace spire::agent::manager
