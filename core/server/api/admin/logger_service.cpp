#include "server/api/admin/logger_service.h"

#include <optional>

#include <spdlog/spdlog.h>

#include "server/api/grpc_status.h"

namespace spire::server::api {

namespace {

namespace types = ::spire::api::types;

constexpr std::string_view kGetLogger = "/spire.api.server.logger.v1.Logger/GetLogger";
constexpr std::string_view kSetLogLevel = "/spire.api.server.logger.v1.Logger/SetLogLevel";
constexpr std::string_view kResetLogLevel = "/spire.api.server.logger.v1.Logger/ResetLogLevel";

std::optional<spdlog::level::level_enum> toSpdlog(types::LogLevel level) {
  switch (level) {
  case types::PANIC:
  case types::FATAL:
    return spdlog::level::critical;
  case types::ERROR:
    return spdlog::level::err;
  case types::WARN:
    return spdlog::level::warn;
  case types::INFO:
    return spdlog::level::info;
  case types::DEBUG:
    return spdlog::level::debug;
  case types::TRACE:
    return spdlog::level::trace;
  default:
    return std::nullopt;
  }
}

types::LogLevel fromSpdlog(spdlog::level::level_enum level) {
  switch (level) {
  case spdlog::level::trace:
    return types::TRACE;
  case spdlog::level::debug:
    return types::DEBUG;
  case spdlog::level::info:
    return types::INFO;
  case spdlog::level::warn:
    return types::WARN;
  case spdlog::level::err:
    return types::ERROR;
  case spdlog::level::critical:
    return types::FATAL;
  default:
    return types::PANIC; // off: nothing is logged
  }
}

} // namespace

LoggerService::LoggerService(ServerState& state, const Authorizer& authorizer)
    : state_(state), authorizer_(authorizer), launch_spdlog_level_(log().level()),
      launch_level_(fromSpdlog(launch_spdlog_level_)) {
  log().info("Logger service configured: launch_log_level={}", types::LogLevel_Name(launch_level_));
}

spdlog::logger& LoggerService::log() const {
  return state_.logger != nullptr ? *state_.logger : *spdlog::default_logger();
}

types::LogLevel LoggerService::currentLevel() const {
  const spdlog::level::level_enum level = log().level();
  if (set_level_ != types::UNSPECIFIED && toSpdlog(set_level_) == level) {
    return set_level_;
  }
  return fromSpdlog(level);
}

void LoggerService::fill(types::Logger* out) const {
  out->set_current_level(currentLevel());
  out->set_launch_level(launch_level_);
}

grpc::Status LoggerService::GetLogger(grpc::ServerContext* context,
                                      const loggerv1::GetLoggerRequest*, types::Logger* response) {
  auto caller = authorizer_.authorize(*context, kGetLogger);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  log().info("GetLogger Called");
  std::lock_guard lock(mutex_);
  fill(response);
  return grpc::Status::OK;
}

grpc::Status LoggerService::SetLogLevel(grpc::ServerContext* context,
                                        const loggerv1::SetLogLevelRequest* request,
                                        types::Logger* response) {
  auto caller = authorizer_.authorize(*context, kSetLogLevel);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  if (request->new_level() == types::UNSPECIFIED) {
    log().error("Invalid argument: newLevel value cannot be LogLevel_UNSPECIFIED");
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "newLevel value cannot be LogLevel_UNSPECIFIED");
  }
  std::optional<spdlog::level::level_enum> level = toSpdlog(request->new_level());
  if (!level.has_value()) {
    log().error("Invalid argument: unsupported log level");
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "unsupported log level");
  }
  log().info("SetLogLevel Called: new_log_level={}", types::LogLevel_Name(request->new_level()));
  std::lock_guard lock(mutex_);
  log().set_level(*level);
  set_level_ = request->new_level();
  fill(response);
  return grpc::Status::OK;
}

grpc::Status LoggerService::ResetLogLevel(grpc::ServerContext* context,
                                          const loggerv1::ResetLogLevelRequest*,
                                          types::Logger* response) {
  auto caller = authorizer_.authorize(*context, kResetLogLevel);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  log().info("ResetLogLevel Called: launch_log_level={}", types::LogLevel_Name(launch_level_));
  std::lock_guard lock(mutex_);
  log().set_level(launch_spdlog_level_);
  set_level_ = types::UNSPECIFIED;
  fill(response);
  return grpc::Status::OK;
}

} // namespace spire::server::api
