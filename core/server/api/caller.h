#pragma once
// Who is calling a server API, as the endpoint established it (SPIRE's pkg/server/api/rpccontext):
// a local caller on the UDS admin socket, or a TCP caller identified by the X.509-SVID it
// presented, classified as agent, admin or downstream.
#include <optional>
#include <string>
#include <vector>

#include "crypto/openssl_ptr.h"
#include "spiffe/spiffe_id.h"

namespace spire::server::api {

struct Caller {
  // Came over the UDS `socket_path` (SPIRE: "local" callers are trusted as admins).
  bool local = false;
  // The SPIFFE ID of a verified client X.509-SVID (TCP); nullopt for local or anonymous callers.
  std::optional<spiffe::SpiffeId> id;
  // The client's verified chain, leaf first; empty when none was presented.
  std::vector<crypto::X509Shared> chain;
  // Classification by the endpoint; more than one may hold.
  bool admin = false;      // an entry with admin=true, or listed in admin_ids
  bool downstream = false; // an entry with downstream=true
  bool agent = false;      // an attested, unbanned agent whose SVID serial is current
  // gRPC peer string ("ipv4:127.0.0.1:5555", "unix:..."), for logs.
  std::string address;
};

} // namespace spire::server::api
