#pragma once
// The server's own X.509-SVID (spiffe://<td>/spire/server) for the TCP listener, and the bundle
// client certificates are checked against. The key is generated in memory and never written out;
// a new key and SVID are made when the SVID reaches half of its lifetime (SPIRE's server SVID
// rotator) or as soon as the CA's active X.509 authority is no longer the one that signed it, so
// that a CA rotation never leaves the listener presenting an SVID from an authority that will be
// pruned. The trust bundle is followed as the CA publishes it (a prepared CA joins at once).
//
// current() is cheap when nothing changed (an atomic snapshot read of the CA, a comparison); it
// is called on every TLS handshake, so the listener never hands out a stale SVID.
//
// THREADS: any thread; one mutex serialises renewal.
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/openssl_ptr.h"
#include "server/api/server_state.h"

namespace spire::server::endpoints {

struct ServerSvidSnapshot {
  ServerSvidSnapshot() = default;
  ServerSvidSnapshot(const ServerSvidSnapshot&) = default;
  ServerSvidSnapshot& operator=(const ServerSvidSnapshot&) = delete;
  // The private key text does not outlive its snapshot in freed memory.
  ~ServerSvidSnapshot();

  std::vector<crypto::X509Shared> chain; // leaf first, then the CA's chain (if upstream)
  std::string chain_pem;
  std::string key_pem;    // PKCS#8; only ever handed to gRPC's TLS stack in memory
  std::string bundle_pem; // trust anchors for client certificates
  // What it was made from, to tell when it is out of date.
  std::string authority_id; // hex SKI of the CA that signed the SVID
  std::shared_ptr<const x509::X509Bundle> bundle;
  api::TimePoint renew_at; // half-life
  // Bumped on every change of SVID or bundle.
  std::uint64_t generation = 0;
};

class ServerSvid {
public:
  // LIFETIME: `state` outlives this object.
  explicit ServerSvid(const api::ServerState& state) : state_(state) {}

  // The current SVID and bundle, renewed first when due. Errors: the CA cannot sign
  // (FailedPrecondition / the CA's status), with the last good snapshot kept for the next try.
  Result<std::shared_ptr<const ServerSvidSnapshot>> current();
  // What current() last returned, without renewing (null before the first success).
  std::shared_ptr<const ServerSvidSnapshot> last() const;

private:
  Result<std::shared_ptr<const ServerSvidSnapshot>> renew(const ca::CaSnapshot& ca,
                                                          std::uint64_t generation);

  const api::ServerState& state_;
  mutable std::mutex mutex_;
  std::shared_ptr<const ServerSvidSnapshot> current_; // guarded by mutex_
};

} // namespace spire::server::endpoints
