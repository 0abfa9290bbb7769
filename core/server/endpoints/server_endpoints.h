#pragma once
// spire-server's listeners (SPIRE's pkg/server/endpoints): ONE gRPC server with the same services
// on two ports,
//   * TCP bind_address:bind_port, TLS 1.2+ with the server's own X.509-SVID
//     (spiffe://<td>/spire/server, see server_svid.h), client certificates requested but not
//     required and verified against the trust domain's current bundle (rotating_tls_credentials.h);
//   * the UDS socket_path, without transport security: its callers are "local", trusted by file
//     permission. The parent directory is created 0750 when missing, a stale socket file is
//     replaced (a live socket, or anything else at the path, is refused), the socket is chmod 0770,
//     and it is removed on stop().
// Which caller may call which method is decided per handler by the Authorizer
// (policy_authorizer.h); e.g. the admin services (Debug, Logger, Health) are local-only.
//
// THREADS: start/stop from one controlling thread; gRPC runs the handlers on its own threads.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/server.h>

#include "common/status.h"
#include "server/api/server_state.h"
#include "server/endpoints/policy_authorizer.h"
#include "server/endpoints/rotating_tls_credentials.h"
#include "server/endpoints/server_svid.h"

namespace spire::server::endpoints {

struct EndpointsConfig {
  std::string bind_address = "0.0.0.0";
  int bind_port = 8081;    // 0 = an ephemeral port, see ServerEndpoints::tcpPort()
  std::string socket_path; // empty = no UDS listener
  std::chrono::milliseconds shutdown_grace{500}; // open calls are cancelled after this
  // When set, denials carry SPIRE's PermissionDeniedDetails (denial_details.h); the endpoints
  // turn the authorizer's reason recording on. It must outlive the endpoints.
  const PolicyAuthorizer* denial_details = nullptr;

  // server.bind_address / bind_port / socket_path.
  static EndpointsConfig fromServerConfig(const config::ServerConfig& config);
};

class ServerEndpoints {
public:
  // Binds both listeners and starts serving `services` (not owned; they must outlive the
  // endpoints). Errors (Unavailable unless noted):
  //   "unable to get the server SVID: <reason>"            (the CA's code)
  //   "unable to create socket directory <dir>: <reason>"
  //   "unable to remove stale socket <path>: <reason>"
  //   "refusing to replace <path>: not a socket"           (FailedPrecondition)
  //   "unable to listen on unix:<path>: a server is listening there"
  //   "unable to listen on <address>"                      (bind failed, e.g. port in use)
  //   "unable to set permissions on <path>: <reason>"
  // LIFETIME: `state` outlives the endpoints.
  static Result<std::unique_ptr<ServerEndpoints>>
  start(EndpointsConfig config, api::ServerState& state, std::vector<grpc::Service*> services);
  ~ServerEndpoints();
  ServerEndpoints(const ServerEndpoints&) = delete;
  ServerEndpoints& operator=(const ServerEndpoints&) = delete;

  // Graceful: no new calls, open ones get `shutdown_grace` to finish, then are cancelled; the
  // socket file is removed. Idempotent.
  void stop();

  // The bound TCP port (the ephemeral one when bind_port was 0).
  int tcpPort() const { return tcp_port_; }
  // "<bind_address>:<port>" as a client dials it (0.0.0.0 and :: become loopback).
  std::string tcpTarget() const;
  const std::string& socketPath() const { return config_.socket_path; }

  // The server's current X.509-SVID chain (renewed first if due); empty if none can be had.
  std::vector<crypto::X509Shared> svidChain();
  ServerSvid& svid() { return *svid_; }
  const RotatingTlsCredentials& tlsCredentials() const { return *tls_; }

private:
  ServerEndpoints(EndpointsConfig config, api::ServerState& state);

  EndpointsConfig config_;
  api::ServerState& state_;
  // Declaration order matters: the server (which holds raw pointers into tls_ and svid_) is
  // destroyed first.
  std::unique_ptr<ServerSvid> svid_;
  std::unique_ptr<RotatingTlsCredentials> tls_;
  std::unique_ptr<grpc::Server> server_;
  int tcp_port_ = 0;
  bool socket_created_ = false;
};

} // namespace spire::server::endpoints
