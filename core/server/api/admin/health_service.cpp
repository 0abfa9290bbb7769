#include "server/api/admin/health_service.h"

#include <chrono>

#include "server/api/grpc_status.h"

namespace spire::server::api {

namespace {

constexpr std::string_view kCheck = "/grpc.health.v1.Health/Check";
constexpr std::string_view kList = "/grpc.health.v1.Health/List";
constexpr std::string_view kWatch = "/grpc.health.v1.Health/Watch";

// Every service spire-server registers (its TCP and UDS listeners serve the same set).
constexpr const char* kKnownServices[] = {
    "grpc.health.v1.Health",
    "spire.api.server.agent.v1.Agent",
    "spire.api.server.bundle.v1.Bundle",
    "spire.api.server.debug.v1.Debug",
    "spire.api.server.entry.v1.Entry",
    "spire.api.server.localauthority.v1.LocalAuthority",
    "spire.api.server.logger.v1.Logger",
    "spire.api.server.svid.v1.SVID",
    "spire.api.server.trustdomain.v1.TrustDomain",
    "spirecpp.server.changes.v1.EntryChanges",
};

// How often a Watch notices that its caller went away while nothing changes.
constexpr std::chrono::milliseconds kWatchPoll{100};

} // namespace

HealthService::HealthService(ServerState& state, const Authorizer& authorizer)
    : state_(state), authorizer_(authorizer) {
  statuses_[""] = healthv1::HealthCheckResponse::SERVING;
  for (const char* name : kKnownServices) {
    statuses_[name] = healthv1::HealthCheckResponse::SERVING;
  }
}

HealthService::ServingStatus HealthService::statusOf(const std::string& service) const {
  auto it = statuses_.find(service);
  return it == statuses_.end() ? healthv1::HealthCheckResponse::SERVICE_UNKNOWN : it->second;
}

grpc::Status HealthService::Check(grpc::ServerContext* context,
                                  const healthv1::HealthCheckRequest* request,
                                  healthv1::HealthCheckResponse* response) {
  auto caller = authorizer_.authorize(*context, kCheck);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  std::lock_guard lock(mutex_);
  ServingStatus status = statusOf(request->service());
  if (status == healthv1::HealthCheckResponse::SERVICE_UNKNOWN) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service");
  }
  response->set_status(status);
  return grpc::Status::OK;
}

grpc::Status HealthService::List(grpc::ServerContext* context, const healthv1::HealthListRequest*,
                                 healthv1::HealthListResponse* response) {
  auto caller = authorizer_.authorize(*context, kList);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  std::lock_guard lock(mutex_);
  for (const auto& [name, status] : statuses_) {
    (*response->mutable_statuses())[name].set_status(status);
  }
  return grpc::Status::OK;
}

grpc::Status HealthService::Watch(grpc::ServerContext* context,
                                  const healthv1::HealthCheckRequest* request,
                                  grpc::ServerWriter<healthv1::HealthCheckResponse>* writer) {
  auto caller = authorizer_.authorize(*context, kWatch);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  std::unique_lock lock(mutex_);
  std::uint64_t sent_version = version_;
  ServingStatus sent = statusOf(request->service());
  for (;;) {
    healthv1::HealthCheckResponse response;
    response.set_status(sent);
    lock.unlock();
    const bool written = writer->Write(response);
    lock.lock();
    if (!written) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "stream closed");
    }
    // Wait for a change of this service's status (other services' changes are not sent).
    for (;;) {
      if (version_ != sent_version) {
        sent_version = version_;
        ServingStatus now = statusOf(request->service());
        if (now != sent) {
          sent = now;
          break;
        }
      }
      // After the NOT_SERVING of a shutdown has been sent.
      if (shut_down_) {
        return grpc::Status::OK;
      }
      if (context->IsCancelled()) {
        return grpc::Status(grpc::StatusCode::CANCELLED, "context canceled");
      }
      changed_.wait_for(lock, kWatchPoll);
    }
  }
}

void HealthService::setStatus(const std::string& service, ServingStatus status) {
  {
    std::lock_guard lock(mutex_);
    statuses_[service] = status;
    ++version_;
  }
  changed_.notify_all();
}

void HealthService::shutdown() {
  {
    std::lock_guard lock(mutex_);
    for (auto& [name, status] : statuses_) {
      status = healthv1::HealthCheckResponse::NOT_SERVING;
    }
    ++version_;
    shut_down_ = true;
  }
  changed_.notify_all();
}

} // namespace spire::server::api
