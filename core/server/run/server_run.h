#pragma once

// `spire-server run`: the whole server assembled from its parts, in dependency order,
//   logger -> data dir -> ServerBootstrap (plugins, CA, index) -> PolicyAuthorizer -> services
//   -> ServerEndpoints (TCP TLS + UDS) -> background tasks -> health_checks listener,
// and taken down in the reverse order on SIGTERM / SIGINT (or stop() in tests): gRPC health goes
// NOT_SERVING and open change streams end first, so the endpoints' graceful stop does not wait on
// them.
//
// THREADS: start/stop/wait from one controlling thread; requestStop() from any thread (the signal
// watcher's).

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <ostream>

#include <spdlog/logger.h>

#include "cli/command_registry.h"
#include "common/status.h"
#include "config/loader.h"
#include "server/bootstrap/server_bootstrap.h"
#include "server/run/health_server.h"
#include "server/run/task_scheduler.h"

namespace spire::server::api {
class HealthService;
class LoggerService;
class DebugService;
class AgentService;
class SvidService;
namespace entry {
class EntryService;
}
namespace bundle {
class BundleService;
}
namespace changes {
class EntryChangesService;
}
} // namespace spire::server::api

namespace spire::server::endpoints {
class ServerEndpoints;
class PolicyAuthorizer;
} // namespace spire::server::endpoints

namespace spire::server::run {

struct RunOptions {
  std::filesystem::path plugin_dir; // empty: daemon::builtinPluginDir()
  // Replaces stderr as the log destination when log_file is unset (tests).
  std::ostream* log_stream = nullptr;
  // Overrides the logger built from the config (tests); log_stream is then ignored.
  std::shared_ptr<spdlog::logger> logger;
};

class RunningServer {
public:
  // Assembles and starts everything. Errors name the step ("failed to load plugins: ...",
  // "unable to listen on ...", "health check listener: ..."); what was started is stopped again.
  static Result<std::unique_ptr<RunningServer>> start(const config::ServerFileConfig& file,
                                                      RunOptions options = {});
  ~RunningServer();
  RunningServer(const RunningServer&) = delete;
  RunningServer& operator=(const RunningServer&) = delete;

  // Asks wait() to return. Safe from any thread, any number of times.
  void requestStop();
  // Blocks until requestStop().
  void wait();
  // Reverse-order shutdown. Idempotent.
  void stop();

  api::ServerState& state();
  spdlog::logger& log() const { return *logger_; }
  int tcpPort() const;
  int healthPort() const; // 0 without the health listener
  const TaskScheduler& scheduler() const { return *scheduler_; }
  std::map<std::string, SubsystemHealth> health() const;

private:
  RunningServer() = default;

  std::shared_ptr<spdlog::logger> logger_;
  config::ServerFileConfig file_;
  std::unique_ptr<bootstrap::ServerBootstrap> bootstrap_;
  std::unique_ptr<endpoints::PolicyAuthorizer> authorizer_;
  std::unique_ptr<api::entry::EntryService> entry_;
  std::unique_ptr<api::bundle::BundleService> bundle_;
  std::unique_ptr<api::changes::EntryChangesService> changes_;
  std::unique_ptr<api::AgentService> agent_;
  std::unique_ptr<api::SvidService> svid_;
  std::unique_ptr<api::HealthService> grpc_health_;
  std::unique_ptr<api::LoggerService> logger_service_;
  std::unique_ptr<api::DebugService> debug_;
  std::unique_ptr<endpoints::ServerEndpoints> endpoints_;
  std::unique_ptr<TaskScheduler> scheduler_;
  std::unique_ptr<HealthServer> health_http_;

  std::mutex mutex_;
  std::condition_variable stop_requested_cv_;
  bool stop_requested_ = false; // guarded by mutex_
  bool stopped_ = false;
};

// The command: loads the config (flags over file), sets SPIRE's umask, starts the server, waits
// for SIGTERM/SIGINT, stops. Returns OK after a signal-initiated shutdown (exit code 0). A bad
// config is printed to env.err as is; a start-up failure is logged ("Server crashed"
// error=...); both exit with code 1.
Status runServer(const cli::ParsedFlags& flags, cli::Env& env);

} // namespace spire::server::run
