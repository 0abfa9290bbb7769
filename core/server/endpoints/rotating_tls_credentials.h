#pragma once
// gRPC server credentials for the TCP listener whose certificate and client trust anchors change
// while the server runs.
//
// gRPC 1.51's C++ TLS options take only certificate providers whose C type is internal to gRPC
// (StaticDataCertificateProvider is immutable; FileWatcherCertificateProvider would need the
// private key on disk). The public C API has what we need instead: SSL server credentials built
// from a certificate-config fetcher, which gRPC calls before every TLS handshake and which may
// answer "unchanged" or hand over a new config. The fetcher reads ServerSvid::current(), so each
// new connection sees the current SVID and bundle; established connections keep theirs (as in
// SPIRE). Client certificates: GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY, i.e. requested
// but not required, and when presented they must chain to the bundle (or the handshake fails).
// gRPC's default minimum is TLS 1.2.
//
// THREADS: gRPC calls the fetcher from its handshake threads; a mutex guards the state.
// LIFETIME: gRPC keeps a raw pointer to this object; it must outlive the grpc::Server that uses
// its credentials. One listening port per RotatingTlsCredentials (gRPC fetches once per port
// when it is added, and the "unchanged" answer is tracked per object).
#include <cstdint>
#include <memory>
#include <mutex>

#include <grpc/grpc_security.h>
#include <grpcpp/security/server_credentials.h>

#include "server/endpoints/server_svid.h"

namespace spire::server::endpoints {

class RotatingTlsCredentials {
public:
  explicit RotatingTlsCredentials(ServerSvid& svid) : svid_(svid) {}
  RotatingTlsCredentials(const RotatingTlsCredentials&) = delete;
  RotatingTlsCredentials& operator=(const RotatingTlsCredentials&) = delete;

  // Fails when no SVID can be had yet (gRPC needs a first config when the port is added).
  Result<std::shared_ptr<grpc::ServerCredentials>> credentials();

  // How many configs were handed to gRPC (tests: a CA rotation produces a new one).
  std::uint64_t configsServed() const;

private:
  static grpc_ssl_certificate_config_reload_status fetch(void* self,
                                                         grpc_ssl_server_certificate_config** out);
  grpc_ssl_certificate_config_reload_status fetch(grpc_ssl_server_certificate_config** out);

  ServerSvid& svid_;
  mutable std::mutex mutex_;
  std::uint64_t served_generation_ = 0; // guarded by mutex_; 0 = nothing served yet
  std::uint64_t configs_served_ = 0;    // guarded by mutex_
};

} // namespace spire::server::endpoints
