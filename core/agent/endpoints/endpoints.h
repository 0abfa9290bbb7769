#pragma once

// spire-agent's public endpoint: one gRPC server on the Workload API Unix socket serving
// SpiffeWorkloadAPI, grpc.health.v1.Health and server reflection (more services, e.g. Envoy SDS,
// via addService before start). Connections are accepted by UdsListener, which records each
// caller's kernel credentials in the PeerTracker before handing the descriptor to gRPC.
//
// THREADS: start() and stop() from one owning thread. stop() order: stop accepting, end the open
// streams, shut the gRPC server down (cancelling whatever still runs after kShutdownGrace), so it
// returns promptly with no handler left behind.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/server.h>

#include "agent/endpoints/health_service.h"
#include "agent/endpoints/peer_tracker.h"
#include "agent/endpoints/uds_listener.h"
#include "agent/endpoints/workload_api_service.h"
#include "agent/endpoints/workload_identity_source.h"

namespace spire::agent::endpoints {

// agent.socket_path's default (spire-inventory.md §2.1).
inline constexpr char kDefaultSocketPath[] = "/tmp/spire-agent/public/api.sock";

struct EndpointsConfig {
  std::string socket_path = kDefaultSocketPath;
  WorkloadApiConfig workload_api;
};

class Endpoints {
public:
  Endpoints(EndpointsConfig config, WorkloadIdentitySource& source);
  ~Endpoints();
  Endpoints(const Endpoints&) = delete;
  Endpoints& operator=(const Endpoints&) = delete;

  // Another service on the same socket; only before start(). Not owned.
  void addService(grpc::Service& service) { extra_services_.push_back(&service); }

  // Creates the socket and starts serving. Errors: the UdsListener ones, or Internal
  // "unable to start gRPC server".
  Status start();
  void stop();

  // The callers' credentials by connection, for services added with addService() that attest
  // callers themselves (Envoy SDS).
  const PeerTracker& peers() const { return peers_; }

  static constexpr std::chrono::seconds kShutdownGrace{1};

private:
  EndpointsConfig config_;
  PeerTracker peers_;
  WorkloadApiService workload_api_;
  HealthService health_;
  std::vector<grpc::Service*> extra_services_;
  UdsListener listener_;
  std::unique_ptr<grpc::Server> server_;
};

} // namespace spire::agent::endpoints
