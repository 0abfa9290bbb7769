#pragma once

// spire-agent's client commands, SPIRE's cmd/spire-agent/cli/api and healthcheck: they talk to a
// running agent over its public socket (-socketPath) and print what SPIRE prints. As in SPIRE,
// failures go to stderr as the bare error text (no "Error: " prefix) with exit code 1, so each
// command prints its own report and returns cli::alreadyReported().

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/client_context.h>

#include "cli/command_registry.h"

namespace spire::agent::commands {

// The run functions by command path, for daemon::implementedCommands: "api fetch" (= x509),
// "api fetch x509", "api fetch jwt", "api validate jwt", "api watch", "healthcheck".
std::vector<std::pair<std::string, cli::RunFunction>> agentClientCommands();

// `api fetch x509`: one FetchX509SVID message; pretty (with -silent / -write DIR) or json.
Status runFetchX509(const cli::ParsedFlags& flags, cli::Env& env);
// `api fetch jwt -audience a,b [-spiffeID id]`: FetchJWTBundles then FetchJWTSVID.
Status runFetchJwt(const cli::ParsedFlags& flags, cli::Env& env);
// `api validate jwt -audience a -svid token`.
Status runValidateJwt(const cli::ParsedFlags& flags, cli::Env& env);
// `healthcheck [-shallow] [-verbose]`: grpc.health.v1 Check on the public socket.
Status runHealthcheck(const cli::ParsedFlags& flags, cli::Env& env);

// Ends a running watch from another thread (the SIGINT thread, a test): cancels the open stream
// or the back-off wait. Idempotent.
class WatchInterrupt {
public:
  void interrupt();
  bool interrupted() const;

  // For the watch loop: the call to cancel on interrupt (null to clear). When already
  // interrupted, the context is cancelled at once.
  void setActiveCall(grpc::ClientContext* context);
  // Waits up to `delay`; true when interrupted (before or during the wait).
  bool waitInterrupted(std::chrono::nanoseconds delay);

private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool interrupted_ = false;              // guarded by mutex_
  grpc::ClientContext* active_ = nullptr; // guarded by mutex_
};

// `api watch` as SPIRE runs it (go-spiffe's WatchX509Context): every FetchX509SVID message is
// printed with the time since the previous one; stream errors are printed and the stream is
// reopened after a linear back-off (1 s more each time, at most 30 s), except InvalidArgument,
// which ends the watch. An interrupt ends it with go-spiffe's "context canceled" report and exit
// code 1. `after_output` (may be empty) runs on the watch thread after each printed update or
// error, for tests to follow progress.
Status runWatchUntil(const cli::ParsedFlags& flags, cli::Env& env, WatchInterrupt& interrupt,
                     const std::function<void()>& after_output = {});
// runWatchUntil, interrupted by SIGINT (read by a SignalWaiter, so create no thread before it).
Status runWatchUntilSigint(const cli::ParsedFlags& flags, cli::Env& env,
                           const std::function<void()>& after_output = {});
// The command: runWatchUntilSigint.
Status runWatch(const cli::ParsedFlags& flags, cli::Env& env);

} // namespace spire::agent::commands
