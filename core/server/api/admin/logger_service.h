#pragma once
// spire.api.server.logger.v1.Logger over the server's spdlog logger (SPIRE's
// pkg/server/api/logger/v1), local callers only. SPIRE's levels map onto spdlog's as
//   PANIC, FATAL -> critical   ERROR -> err   WARN -> warn   INFO -> info   DEBUG -> debug
//   TRACE -> trace
// and back (critical reads as FATAL, off as PANIC), except that a level set through this
// service reads back as set (PANIC stays PANIC). The launch level is the logger's level when the
// service is made. Errors (InvalidArgument): "newLevel value cannot be LogLevel_UNSPECIFIED",
// "unsupported log level".
//
// THREADS: handlers on gRPC threads; a mutex orders level changes.
#include <mutex>

#include <spdlog/common.h>

#include "server/api/authorizer.h"
#include "server/api/server_state.h"
#include "spire/api/server/logger/v1/logger.grpc.pb.h"

namespace spire::server::api {

namespace loggerv1 = ::spire::api::server::logger::v1;

class LoggerService final : public loggerv1::Logger::Service {
public:
  // LIFETIME: `state` (and its logger) and `authorizer` outlive the service.
  LoggerService(ServerState& state, const Authorizer& authorizer);

  grpc::Status GetLogger(grpc::ServerContext* context, const loggerv1::GetLoggerRequest* request,
                         ::spire::api::types::Logger* response) override;
  grpc::Status SetLogLevel(grpc::ServerContext* context,
                           const loggerv1::SetLogLevelRequest* request,
                           ::spire::api::types::Logger* response) override;
  grpc::Status ResetLogLevel(grpc::ServerContext* context,
                             const loggerv1::ResetLogLevelRequest* request,
                             ::spire::api::types::Logger* response) override;

private:
  spdlog::logger& log() const;
  ::spire::api::types::LogLevel currentLevel() const; // caller holds mutex_
  void fill(::spire::api::types::Logger* out) const;  // caller holds mutex_

  ServerState& state_;
  const Authorizer& authorizer_;
  mutable std::mutex mutex_;
  spdlog::level::level_enum launch_spdlog_level_;
  ::spire::api::types::LogLevel launch_level_;
  // The API level last set, so that PANIC (which spdlog cannot tell from FATAL) reads back.
  ::spire::api::types::LogLevel set_level_ = ::spire::api::types::UNSPECIFIED;
};

} // namespace spire::server::api
