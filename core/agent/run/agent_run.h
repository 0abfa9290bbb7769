#pragma once

// `spire-agent run`: configuration (file + flags), logging, the plugin catalog, the agent manager
// (trust bootstrap, attestation, sync), then the sockets and listeners of AgentRunner, until
// SIGINT or SIGTERM; then everything stops in reverse order and the command returns 0
// ("Agent stopped gracefully"). Start-up failures are printed to stderr as SPIRE prints them
// (the bare error) with exit code 1.
//
// Signals are read by a SignalWaiter created first thing, so no signal handler does any work and
// every thread the agent starts has SIGINT/SIGTERM blocked.

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>

#include "agent/manager/agent_manager.h"
#include "agent/run/agent_runner.h"
#include "cli/command_registry.h"
#include "plugin_host/catalog.h"

namespace spire::agent::run {

// What the manager is to the rest of `run`; an interface so that tests can run the whole command
// without a server.
class AgentCore {
public:
  virtual ~AgentCore() = default;
  virtual endpoints::WorkloadIdentitySource& source() = 0;
  virtual manager::ManagerStatus status() const = 0;
  virtual void stop() = 0;
};

using CoreFactory = std::function<Result<std::unique_ptr<AgentCore>>(
    const manager::ManagerConfig& config, const plugin_host::Catalog& catalog)>;

// The daemon's factory: AgentManager::start.
Result<std::unique_ptr<AgentCore>> startAgentManager(const manager::ManagerConfig& config,
                                                     const plugin_host::Catalog& catalog);

struct RunHooks {
  // Empty: daemon::builtinPluginDir().
  std::filesystem::path plugin_dir;
  // Empty: startAgentManager.
  CoreFactory start_core;
  // Called once everything serves (tests: learn the health port, then signal).
  std::function<void(const AgentRunner&)> on_started;
};

// SIGINT/SIGTERM (or a test) asking the agent to stop.
class StopRequest {
public:
  void request(int signal_number);
  // Blocks until request() was called; returns the signal number.
  int wait();

private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool requested_ = false; // guarded by mutex_
  int signal_ = 0;         // guarded by mutex_
};

Status runAgent(const cli::ParsedFlags& flags, cli::Env& env);
Status runAgentWith(const cli::ParsedFlags& flags, cli::Env& env, const RunHooks& hooks);

} // namespace spire::agent::run
