#pragma once

// The agent's admin socket (agent.admin_socket_path): Debug GetInfo and Logger (get, set, reset
// the level) as SPIRE's agent serves them. The socket is created with its parent directories and
// mode 0770, reachable by the agent's user and group only: unlike the public socket, nothing
// here attests callers.
//
// THREADS: handlers run on gRPC threads, concurrently; the status callback must be thread-safe.
// start()/stop() from the owning thread.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <grpcpp/server.h>
#include <spdlog/logger.h>

#include "agent/manager/agent_manager.h"
#include "common/status.h"
#include "spire/api/agent/debug/v1/debug.grpc.pb.h"
#include "spire/api/agent/logger/v1/logger.grpc.pb.h"

namespace spire::agent::run {

using StatusSource = std::function<manager::ManagerStatus()>;

class DebugService final : public spire::agent::debug::v1::Debug::Service {
public:
  DebugService(StatusSource status, std::chrono::steady_clock::time_point started)
      : status_(std::move(status)), started_(started) {}

  grpc::Status GetInfo(grpc::ServerContext* context,
                       const spire::agent::debug::v1::GetInfoRequest* request,
                       spire::agent::debug::v1::GetInfoResponse* response) override;

private:
  StatusSource status_;
  std::chrono::steady_clock::time_point started_;
};

spire::api::types::LogLevel toApiLevel(spdlog::level::level_enum level);

class LoggerService final : public spire::api::agent::logger::v1::Logger::Service {
public:
  LoggerService(std::shared_ptr<spdlog::logger> logger, spdlog::level::level_enum launch_level)
      : logger_(std::move(logger)), launch_level_(launch_level) {}

  grpc::Status GetLogger(grpc::ServerContext* context,
                         const spire::api::agent::logger::v1::GetLoggerRequest* request,
                         spire::api::types::Logger* response) override;
  // UNSPECIFIED: InvalidArgument "newLevel value cannot be LogLevel_UNSPECIFIED".
  grpc::Status SetLogLevel(grpc::ServerContext* context,
                           const spire::api::agent::logger::v1::SetLogLevelRequest* request,
                           spire::api::types::Logger* response) override;
  grpc::Status ResetLogLevel(grpc::ServerContext* context,
                             const spire::api::agent::logger::v1::ResetLogLevelRequest* request,
                             spire::api::types::Logger* response) override;

private:
  void describe(spire::api::types::Logger& out) const;

  std::shared_ptr<spdlog::logger> logger_;
  spdlog::level::level_enum launch_level_;
};

class AdminServer {
public:
  AdminServer(StatusSource status, std::shared_ptr<spdlog::logger> logger,
              spdlog::level::level_enum launch_level);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Errors (Unavailable): "unable to create admin socket directory <dir>: <why>", "unable to
  // remove stale admin socket <path>: <why>", "unable to listen on admin socket <path>".
  Status start(const std::string& socket_path);
  void stop();

private:
  DebugService debug_;
  LoggerService logger_;
  std::unique_ptr<grpc::Server> server_;
};

} // namespace spire::agent::run
