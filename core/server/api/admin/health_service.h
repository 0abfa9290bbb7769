#pragma once
// grpc.health.v1.Health on the server's admin (UDS) socket, local callers only (SPIRE's policy).
// Check answers SERVING for "" (the server as a whole) and for every service the server registers;
// an unknown name is NotFound "unknown service", as grpc-go's health server answers. Watch sends
// the current status and then every change, until the caller leaves or shutdown() is called.
//
// THREADS: handlers on gRPC threads; setStatus/shutdown from any thread.
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>

#include "grpc/health/v1/health.grpc.pb.h"
#include "server/api/authorizer.h"
#include "server/api/server_state.h"

namespace spire::server::api {

namespace healthv1 = ::grpc::health::v1;

class HealthService final : public healthv1::Health::Service {
public:
  using ServingStatus = healthv1::HealthCheckResponse::ServingStatus;

  // LIFETIME: `state` and `authorizer` outlive the service.
  HealthService(ServerState& state, const Authorizer& authorizer);

  grpc::Status Check(grpc::ServerContext* context, const healthv1::HealthCheckRequest* request,
                     healthv1::HealthCheckResponse* response) override;
  grpc::Status List(grpc::ServerContext* context, const healthv1::HealthListRequest* request,
                    healthv1::HealthListResponse* response) override;
  grpc::Status Watch(grpc::ServerContext* context, const healthv1::HealthCheckRequest* request,
                     grpc::ServerWriter<healthv1::HealthCheckResponse>* writer) override;

  // Sets (or adds) the status of one service name.
  void setStatus(const std::string& service, ServingStatus status);
  // Marks everything NOT_SERVING and ends open Watch streams (before the server stops).
  void shutdown();

private:
  ServingStatus statusOf(const std::string& service) const; // SERVICE_UNKNOWN when unknown

  ServerState& state_;
  const Authorizer& authorizer_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, ServingStatus> statuses_; // guarded by mutex_
  std::uint64_t version_ = 0;                     // guarded by mutex_; bumped on every change
  bool shut_down_ = false;                        // guarded by mutex_
};

} // namespace spire::server::api
