#include "server/run/server_run.h"

#include <sys/stat.h>

#include <csignal>
#include <cstdio>

#include "daemon/plugin_dir.h"
#include "server/api/admin/debug_service.h"
#include "server/api/admin/health_service.h"
#include "server/api/admin/logger_service.h"
#include "server/api/agent/agent_service.h"
#include "server/api/bundle/bundle_service.h"
#include "server/api/changes/entry_changes_service.h"
#include "server/api/entry/entry_service.h"
#include "server/api/svid/svid_service.h"
#include "server/endpoints/policy_authorizer.h"
#include "server/endpoints/server_endpoints.h"
#include "server/run/logging.h"
#include "server/run/run_flags.h"
#include "server/run/server_tasks.h"
#include "server/run/signal_watcher.h"

namespace spire::server::run {
namespace {

// SPIRE's data directory is created when missing (0755), before any plugin writes into it.
Status ensureDataDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Status(StatusCode::kInternal,
                  "unable to create data directory " + dir + ": " + ec.message());
  }
  return Status::ok();
}

// SPIRE tightens a permissive umask so that keys and sockets are not world-readable.
void tightenUmask(spdlog::logger& log) {
  constexpr mode_t kMinimum = 0027;
  const mode_t current = ::umask(kMinimum);
  if ((current & kMinimum) == kMinimum) {
    ::umask(current); // already as tight or tighter
    return;
  }
  char text[96];
  std::snprintf(text, sizeof(text), "Current umask %#04o is too permissive; setting umask %#04o",
                static_cast<unsigned>(current), static_cast<unsigned>(kMinimum));
  log.warn(text);
}

std::string hostPort(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) {
    return "[" + host + "]:" + std::to_string(port);
  }
  return host + ":" + std::to_string(port);
}

} // namespace

RunningServer::~RunningServer() {
  stop();
}

api::ServerState& RunningServer::state() {
  return bootstrap_->state();
}

int RunningServer::tcpPort() const {
  return endpoints_ ? endpoints_->tcpPort() : 0;
}

int RunningServer::healthPort() const {
  return health_http_ ? health_http_->port() : 0;
}

std::map<std::string, SubsystemHealth> RunningServer::health() const {
  std::map<std::string, SubsystemHealth> out;
  const bool serving = endpoints_ != nullptr;
  out["server"] = {serving, serving, serving ? "" : "server APIs are not serving"};
  // The CA is ready while it holds an X.509 CA that has not expired.
  SubsystemHealth ca{true, false, ""};
  if (bootstrap_) {
    auto snapshot = bootstrap_->state().ca->snapshot();
    if (snapshot && snapshot->x509 && snapshot->x509->not_after > bootstrap_->state().now()) {
      ca.ready = true;
    } else {
      ca.error = "no active X509 CA";
    }
  }
  out["server.ca"] = ca;
  const bool rotator_live = scheduler_ != nullptr;
  out["server.ca.rotator"] = {rotator_live, rotator_live, rotator_live ? "" : "not running"};
  SubsystemHealth ds{false, false, "not loaded"};
  if (bootstrap_) {
    auto count = bootstrap_->state().datastore->countBundles();
    ds = count.isOk() ? SubsystemHealth{true, true, ""}
                      : SubsystemHealth{false, false, count.status().message()};
  }
  out["catalog.datastore"] = ds;
  return out;
}

Result<std::unique_ptr<RunningServer>> RunningServer::start(const config::ServerFileConfig& file,
                                                            RunOptions options) {
  std::unique_ptr<RunningServer> self(new RunningServer());
  self->file_ = file;
  if (options.logger) {
    self->logger_ = options.logger;
  } else {
    auto logger = makeLogger(file.server.log, options.log_stream);
    if (!logger.isOk()) {
      return logger.status();
    }
    self->logger_ = *logger;
  }
  spdlog::logger& log = *self->logger_;

  if (Status dir = ensureDataDir(file.server.data_dir); !dir.isOk()) {
    return dir;
  }
  log.info(withFields("Starting SPIRE Server", {{"trust_domain", file.server.trust_domain},
                                                {"data_dir", file.server.data_dir}}));

  bootstrap::BootstrapOptions boot;
  boot.plugin_dir = options.plugin_dir.empty() ? daemon::builtinPluginDir() : options.plugin_dir;
  boot.logger = self->logger_;
  auto started = bootstrap::ServerBootstrap::start(file, boot);
  if (!started.isOk()) {
    return started.status();
  }
  self->bootstrap_ = std::move(*started);
  api::ServerState& state = self->bootstrap_->state();
  if (auto snapshot = state.ca->snapshot(); snapshot && snapshot->x509) {
    log.info(withFields("X509 CA activated", {{"authority_id", snapshot->x509->authority_id}}));
  }
  log.info(withFields("Loaded registration entries",
                      {{"entries", std::to_string(state.index->entryCount())},
                       {"nodes", std::to_string(state.index->nodeCount())}}));

  self->authorizer_ = std::make_unique<endpoints::PolicyAuthorizer>(state);
  const api::Authorizer& authz = *self->authorizer_;
  self->entry_ = std::make_unique<api::entry::EntryService>(state, authz);
  self->bundle_ = std::make_unique<api::bundle::BundleService>(state, authz);
  self->changes_ = std::make_unique<api::changes::EntryChangesService>(state, authz);
  self->agent_ = std::make_unique<api::AgentService>(state, authz);
  self->svid_ = std::make_unique<api::SvidService>(state, authz);
  self->grpc_health_ = std::make_unique<api::HealthService>(state, authz);
  self->logger_service_ = std::make_unique<api::LoggerService>(state, authz);
  self->debug_ = std::make_unique<api::DebugService>(state, authz);

  std::vector<grpc::Service*> services = {self->entry_.get(),          self->bundle_.get(),
                                          self->changes_.get(),        self->agent_.get(),
                                          self->svid_.get(),           self->grpc_health_.get(),
                                          self->logger_service_.get(), self->debug_.get()};
  auto endpoints = endpoints::ServerEndpoints::start(
      endpoints::EndpointsConfig::fromServerConfig(file.server), state, services);
  if (!endpoints.isOk()) {
    return endpoints.status();
  }
  self->endpoints_ = std::move(*endpoints);
  endpoints::ServerEndpoints* ep = self->endpoints_.get();
  self->debug_->setSvidSource([ep] { return ep->svidChain(); });
  log.info(withFields(
      "Starting Server APIs",
      {{"address", hostPort(file.server.bind_address, ep->tcpPort())}, {"network", "tcp"}}));
  log.info(withFields("Starting Server APIs",
                      {{"address", file.server.socket_path}, {"network", "unix"}}));

  self->scheduler_ = std::make_unique<TaskScheduler>(self->logger_);
  bootstrap::ServerBootstrap* boot_ptr = self->bootstrap_.get();
  IndexReloader reload = [boot_ptr] { return boot_ptr->reloadIndex(); };
  for (PeriodicTask& task : serverTasks(state, reload)) {
    if (Status added = self->scheduler_->add(std::move(task)); !added.isOk()) {
      return added;
    }
  }
  self->scheduler_->start();
  // Writes of other servers on the same database (HA) reach this server's index through the
  // datastore's event tables.
  self->bootstrap_->events().start();

  if (file.health_checks.listener_enabled) {
    RunningServer* raw = self.get();
    auto health = HealthServer::start(
        file.health_checks, [raw] { return raw->health(); }, self->logger_);
    if (!health.isOk()) {
      return health.status();
    }
    self->health_http_ = std::move(*health);
    log.info(withFields(
        "Serving health checks",
        {{"address", hostPort(file.health_checks.bind_address, self->health_http_->port())}}));
  }
  return self;
}

void RunningServer::requestStop() {
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
  }
  stop_requested_cv_.notify_all();
}

void RunningServer::wait() {
  std::unique_lock lock(mutex_);
  stop_requested_cv_.wait(lock, [this] { return stop_requested_; });
}

void RunningServer::stop() {
  if (stopped_) {
    return;
  }
  stopped_ = true;
  const bool was_serving = endpoints_ != nullptr;
  if (was_serving && logger_) {
    logger_->info("Stopping Server APIs");
  }
  // Long-lived streams first, so the endpoints' graceful stop does not wait on them.
  if (grpc_health_) {
    grpc_health_->shutdown();
  }
  if (changes_) {
    changes_->shutdown();
  }
  if (health_http_) {
    health_http_->stop();
  }
  if (endpoints_) {
    endpoints_->stop();
  }
  if (scheduler_) {
    scheduler_->stop();
  }
  // Reverse order of construction; the bootstrap (plugins, CA) goes last.
  health_http_.reset();
  scheduler_.reset();
  endpoints_.reset();
  debug_.reset();
  logger_service_.reset();
  grpc_health_.reset();
  svid_.reset();
  agent_.reset();
  changes_.reset();
  bundle_.reset();
  entry_.reset();
  authorizer_.reset();
  bootstrap_.reset();
  if (was_serving && logger_) {
    logger_->info("Server stopped gracefully");
  }
}

Status runServer(const cli::ParsedFlags& flags, cli::Env& env) {
  // Like SPIRE's run command, configuration problems are printed as they are (no "Error: "
  // prefix) and exit with code 1; once the logger exists, failures go to the log.
  auto file = loadRunConfig(flags);
  if (!file.isOk()) {
    env.err << file.status().message() << "\n";
    return cli::alreadyReported();
  }
  auto logger = makeLogger(file->server.log);
  if (!logger.isOk()) {
    env.err << logger.status().message() << "\n";
    return cli::alreadyReported();
  }
  spdlog::logger& log = **logger;
  tightenUmask(log);

  // Signals are watched from the start, so a SIGTERM during a slow start-up still ends cleanly.
  std::mutex mutex;
  RunningServer* running = nullptr;
  int received = 0;
  auto watcher = SignalWatcher::start({SIGTERM, SIGINT}, [&](int signal) {
    std::lock_guard lock(mutex);
    received = signal;
    if (running != nullptr) {
      running->requestStop();
    }
  });
  if (!watcher.isOk()) {
    return watcher.status();
  }

  RunOptions options;
  options.logger = *logger;
  auto server = RunningServer::start(*file, options);
  if (!server.isOk()) {
    log.error(withFields("Server crashed", {{"error", server.status().message()}}));
    return cli::alreadyReported();
  }
  {
    std::lock_guard lock(mutex);
    running = server->get();
    if (received != 0) {
      running->requestStop();
    }
  }
  (*server)->wait();
  {
    std::lock_guard lock(mutex);
    log.info(withFields("Received signal, stopping",
                        {{"signal", received == SIGINT ? "interrupt" : "terminated"}}));
    running = nullptr;
  }
  (*server)->stop();
  watcher->reset();
  return Status::ok();
}

} // namespace spire::server::run
