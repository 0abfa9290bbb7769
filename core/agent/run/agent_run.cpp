#include "agent/run/agent_run.h"

#include <csignal>

#include <spdlog/spdlog.h>

#include "agent/commands/signal_waiter.h"
#include "agent/run/agent_logging.h"
#include "agent/run/run_config.h"
#include "common/go_quote.h"
#include "daemon/plugin_dir.h"

namespace spire::agent::run {
namespace {

class ManagerCore final : public AgentCore {
public:
  explicit ManagerCore(std::unique_ptr<manager::AgentManager> manager)
      : manager_(std::move(manager)) {}
  endpoints::WorkloadIdentitySource& source() override { return *manager_; }
  manager::ManagerStatus status() const override { return manager_->status(); }
  void stop() override { manager_->stop(); }

private:
  std::unique_ptr<manager::AgentManager> manager_;
};

Status report(cli::Env& env, const std::string& message) {
  env.err << message << "\n";
  return cli::alreadyReported();
}

// Once logging is up, SPIRE reports a failure only in the log: "Agent crashed" with the error
// as a field, exit code 1, nothing on stderr.
Status crashed(spdlog::logger& logger, const Status& error) {
  logger.error(withFields("Agent crashed", {{"error", error.message()}}));
  return cli::alreadyReported();
}

// Puts `logger` in place as spdlog's default (plugins and libraries log there) for the lifetime
// of the command, then restores the previous one.
class DefaultLoggerScope {
public:
  explicit DefaultLoggerScope(std::shared_ptr<spdlog::logger> logger)
      : previous_(spdlog::default_logger()) {
    spdlog::set_default_logger(std::move(logger));
  }
  ~DefaultLoggerScope() { spdlog::set_default_logger(previous_); }
  DefaultLoggerScope(const DefaultLoggerScope&) = delete;
  DefaultLoggerScope& operator=(const DefaultLoggerScope&) = delete;

private:
  std::shared_ptr<spdlog::logger> previous_;
};

} // namespace

Result<std::unique_ptr<AgentCore>> startAgentManager(const manager::ManagerConfig& config,
                                                     const plugin_host::Catalog& catalog) {
  Result<std::unique_ptr<manager::AgentManager>> manager =
      manager::AgentManager::start(config, catalog);
  if (!manager) {
    return manager.status();
  }
  return std::unique_ptr<AgentCore>(std::make_unique<ManagerCore>(std::move(*manager)));
}

void StopRequest::request(int signal_number) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!requested_) {
    requested_ = true;
    signal_ = signal_number;
  }
  cv_.notify_all();
}

int StopRequest::wait() {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait(lock, [this] { return requested_; });
  return signal_;
}

Status runAgent(const cli::ParsedFlags& flags, cli::Env& env) {
  return runAgentWith(flags, env, RunHooks());
}

Status runAgentWith(const cli::ParsedFlags& flags, cli::Env& env, const RunHooks& hooks) {
  StopRequest stop;
  // First, before any thread exists (see the header).
  Result<std::unique_ptr<commands::SignalWaiter>> signals = commands::SignalWaiter::start(
      {SIGINT, SIGTERM}, [&stop](int signal_number) { stop.request(signal_number); });
  if (!signals) {
    return report(env, signals.status().message());
  }

  Result<config::AgentFileConfig> loaded = loadRunConfig(flags);
  if (!loaded) {
    return report(env, loaded.status().message());
  }
  config::AgentFileConfig& config = *loaded;
  if (!config.agent.trust_bundle_url.empty()) {
    return report(env, "trust_bundle_url is not supported yet; use trust_bundle_path");
  }
  if (Status injected = injectJoinToken(config.plugins, config.agent.join_token);
      !injected.isOk()) {
    return report(env, injected.message());
  }

  Result<AgentLogger> logging = makeAgentLogger(config.agent.log, env.out);
  if (!logging) {
    return report(env, logging.status().message());
  }
  std::shared_ptr<spdlog::logger> logger = logging->logger;
  DefaultLoggerScope default_logger(logger);
  logger->info(withFields("Starting agent", {{"data_dir", config.agent.data_dir}}));

  plugin_host::LoaderOptions loader;
  loader.role = plugin_host::Role::kAgent;
  loader.plugin_dir = hooks.plugin_dir.empty() ? daemon::builtinPluginDir() : hooks.plugin_dir;
  loader.trust_domain = config.agent.trust_domain;
  loader.logger = logger;
  Result<std::unique_ptr<plugin_host::Catalog>> catalog =
      plugin_host::Catalog::load(config.plugins, loader);
  if (!catalog) {
    return crashed(*logger, catalog.status());
  }

  for (const config::PluginSpec& spec : config.plugins) {
    if (spec.enabled) {
      logger->debug(withFields("Configured plugin",
                               {{"plugin_type", spec.type}, {"plugin_name", spec.name}}));
    }
  }

  manager::ManagerConfig manager_config = managerConfigFrom(config);
  manager_config.logger = logger;
  const CoreFactory& start_core =
      hooks.start_core ? hooks.start_core : CoreFactory(startAgentManager);
  Result<std::unique_ptr<AgentCore>> core = start_core(manager_config, **catalog);
  if (!core) {
    return crashed(*logger, core.status());
  }

  AgentCore& agent = **core;
  RunnerContext context{agent.source(), [&agent] { return agent.status(); }, logger,
                        logging->launch_level};
  Result<std::unique_ptr<AgentRunner>> runner = AgentRunner::start(config, std::move(context));
  if (!runner) {
    agent.stop();
    return crashed(*logger, runner.status());
  }
  if (config.agent.disable_workload_api) {
    // Endpoints always registers the Workload API; turning it off needs an option there.
    logger->warn("disable_workload_api is not supported yet; the Workload API is served");
  }
  logger->info("Agent started");
  if (hooks.on_started) {
    hooks.on_started(**runner);
  }

  const int signal_number = stop.wait();
  logger->info(std::string("Received ") + (signal_number == SIGINT ? "interrupt" : "terminated") +
               " signal, stopping agent");
  (*runner)->stop();
  agent.stop();
  logger->info("Agent stopped gracefully");
  return {};
}

} // namespace spire::agent::run
