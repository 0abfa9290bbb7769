#include "agent/endpoints/endpoints.h"

#include <unistd.h>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/server_posix.h>

namespace spire::agent::endpoints {

Endpoints::Endpoints(EndpointsConfig config, WorkloadIdentitySource& source)
    : config_(std::move(config)), workload_api_(config_.workload_api, source, peers_),
      health_(source) {}

Endpoints::~Endpoints() {
  stop();
}

Status Endpoints::start() {
  if (Status listening = listener_.listen(config_.socket_path); !listening.isOk()) {
    return listening;
  }
  // Server reflection, as SPIRE registers and the Workload Endpoint spec recommends (SHOULD).
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.RegisterService(&workload_api_);
  builder.RegisterService(&health_);
  for (grpc::Service* service : extra_services_) {
    builder.RegisterService(service);
  }
  server_ = builder.BuildAndStart();
  if (server_ == nullptr) {
    listener_.stop();
    return internalError("unable to start gRPC server");
  }
  return listener_.start([this](int fd, const CallerCredentials& caller) {
    // Tracked before gRPC sees the descriptor, so no call can arrive on it untracked.
    if (!peers_.add(fd, caller).isOk()) {
      ::close(fd);
      return;
    }
    grpc::AddInsecureChannelFromFd(server_.get(), fd);
  });
}

void Endpoints::stop() {
  listener_.stop();
  workload_api_.shutdown();
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
    server_->Wait();
    server_.reset();
  }
}

} // namespace spire::agent::endpoints
