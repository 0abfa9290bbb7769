#include "agent/run/admin_services.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "crypto/certificate.h"

namespace spire::agent::run {
namespace {

using spire::api::types::LogLevel;

spdlog::level::level_enum fromApiLevel(LogLevel level) {
  switch (level) {
  case spire::api::types::PANIC:
  case spire::api::types::FATAL:
    return spdlog::level::critical;
  case spire::api::types::ERROR:
    return spdlog::level::err;
  case spire::api::types::WARN:
    return spdlog::level::warn;
  case spire::api::types::DEBUG:
    return spdlog::level::debug;
  case spire::api::types::TRACE:
    return spdlog::level::trace;
  default:
    return spdlog::level::info;
  }
}

std::int64_t unixSeconds(crypto::TimePoint at) {
  return std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
}

} // namespace

spire::api::types::LogLevel toApiLevel(spdlog::level::level_enum level) {
  switch (level) {
  case spdlog::level::trace:
    return spire::api::types::TRACE;
  case spdlog::level::debug:
    return spire::api::types::DEBUG;
  case spdlog::level::info:
    return spire::api::types::INFO;
  case spdlog::level::warn:
    return spire::api::types::WARN;
  case spdlog::level::err:
    return spire::api::types::ERROR;
  case spdlog::level::critical:
    return spire::api::types::FATAL;
  default:
    return spire::api::types::UNSPECIFIED;
  }
}

grpc::Status DebugService::GetInfo(grpc::ServerContext* /*context*/,
                                   const spire::agent::debug::v1::GetInfoRequest* /*request*/,
                                   spire::agent::debug::v1::GetInfoResponse* response) {
  const manager::ManagerStatus status = status_();
  for (const std::string& der : status.agent_svid_chain_der) {
    Result<crypto::X509Ptr> cert = crypto::parseCertificateDer(der);
    if (!cert) {
      return {grpc::StatusCode::INTERNAL, "could not parse agent SVID: " + cert.status().message()};
    }
    auto* out = response->add_svid_chain();
    // The leaf carries the agent's SPIFFE ID; CA certificates carry the trust domain's (or
    // none, then the field stays unset as in SPIRE).
    const std::vector<std::string> uris = crypto::uriSans(**cert);
    if (!uris.empty()) {
      Result<spiffe::SpiffeId> id = spiffe::SpiffeId::parse(uris.front());
      if (id) {
        out->mutable_id()->set_trust_domain(id->trustDomain().name());
        out->mutable_id()->set_path(id->path());
      }
    }
    out->set_expires_at(unixSeconds(crypto::notAfter(**cert)));
    out->set_subject(crypto::subjectName(**cert));
  }
  response->set_uptime(static_cast<std::int32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_)
          .count()));
  response->set_last_sync_success(
      status.last_sync.time_since_epoch().count() == 0 ? 0 : unixSeconds(status.last_sync));
  response->set_cached_x509_svids_count(static_cast<std::int32_t>(status.cached_x509_svids));
  response->set_cached_jwt_svids_count(static_cast<std::int32_t>(status.cached_jwt_svids));
  response->set_cached_svidstore_x509_svids_count(0);
  return grpc::Status::OK;
}

void LoggerService::describe(spire::api::types::Logger& out) const {
  out.set_current_level(toApiLevel(logger_->level()));
  out.set_launch_level(toApiLevel(launch_level_));
}

grpc::Status
LoggerService::GetLogger(grpc::ServerContext* /*context*/,
                         const spire::api::agent::logger::v1::GetLoggerRequest* /*request*/,
                         spire::api::types::Logger* response) {
  describe(*response);
  return grpc::Status::OK;
}

grpc::Status
LoggerService::SetLogLevel(grpc::ServerContext* /*context*/,
                           const spire::api::agent::logger::v1::SetLogLevelRequest* request,
                           spire::api::types::Logger* response) {
  if (request->new_level() == spire::api::types::UNSPECIFIED) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "newLevel value cannot be LogLevel_UNSPECIFIED"};
  }
  logger_->set_level(fromApiLevel(request->new_level()));
  logger_->info("Logger level set to " + std::string(LogLevel_Name(request->new_level())));
  describe(*response);
  return grpc::Status::OK;
}

grpc::Status
LoggerService::ResetLogLevel(grpc::ServerContext* /*context*/,
                             const spire::api::agent::logger::v1::ResetLogLevelRequest* /*request*/,
                             spire::api::types::Logger* response) {
  logger_->set_level(launch_level_);
  describe(*response);
  return grpc::Status::OK;
}

AdminServer::AdminServer(StatusSource status, std::shared_ptr<spdlog::logger> logger,
                         spdlog::level::level_enum launch_level)
    : debug_(std::move(status), std::chrono::steady_clock::now()),
      logger_(std::move(logger), launch_level) {}

AdminServer::~AdminServer() {
  stop();
}

Status AdminServer::start(const std::string& socket_path) {
  const std::filesystem::path dir = std::filesystem::path(socket_path).parent_path();
  std::error_code ec;
  if (!dir.empty()) {
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return {StatusCode::kUnavailable,
              "unable to create admin socket directory " + dir.string() + ": " + ec.message()};
    }
  }
  if (::unlink(socket_path.c_str()) != 0 && errno != ENOENT) {
    return {StatusCode::kUnavailable,
            "unable to remove stale admin socket " + socket_path + ": " + std::strerror(errno)};
  }
  grpc::ServerBuilder builder;
  builder.AddListeningPort("unix:" + socket_path, grpc::InsecureServerCredentials());
  builder.RegisterService(&debug_);
  builder.RegisterService(&logger_);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr) {
    return {StatusCode::kUnavailable, "unable to listen on admin socket " + socket_path};
  }
  ::chmod(socket_path.c_str(), 0770);
  return {};
}

void AdminServer::stop() {
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    server_->Wait();
    server_.reset();
  }
}

} // namespace spire::agent::run
