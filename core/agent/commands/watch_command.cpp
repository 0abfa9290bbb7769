// `api watch` (SPIRE cmd/spire-agent/cli/api/watch.go on go-spiffe's WatchX509Context).
#include <algorithm>
#include <csignal>

#include "agent/commands/agent_client_commands.h"
#include "agent/commands/signal_waiter.h"
#include "agent/commands/workload_client.h"
#include "agent/commands/x509_svid_output.h"

namespace spire::agent::commands {
namespace {

// go-spiffe's default back-off: 1 s, 2 s, 3 s, ... capped at 30 s, reset by a received message.
class LinearBackoff {
public:
  std::chrono::seconds next() {
    const auto delay = std::min<std::chrono::seconds::rep>(n_ + 1, 30);
    ++n_;
    return std::chrono::seconds(delay);
  }
  void reset() { n_ = 0; }

private:
  std::chrono::seconds::rep n_ = 0;
};

} // namespace

void WatchInterrupt::interrupt() {
  std::lock_guard<std::mutex> lock(mutex_);
  interrupted_ = true;
  if (active_ != nullptr) {
    active_->TryCancel();
  }
  changed_.notify_all();
}

bool WatchInterrupt::interrupted() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return interrupted_;
}

void WatchInterrupt::setActiveCall(grpc::ClientContext* context) {
  std::lock_guard<std::mutex> lock(mutex_);
  active_ = context;
  if (interrupted_ && active_ != nullptr) {
    active_->TryCancel();
  }
}

bool WatchInterrupt::waitInterrupted(std::chrono::nanoseconds delay) {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, delay, [this] { return interrupted_; });
}

Status runWatchUntil(const cli::ParsedFlags& flags, cli::Env& env, WatchInterrupt& interrupt,
                     const std::function<void()>& after_output) {
  auto notify = [&] {
    env.out.flush();
    env.err.flush();
    if (after_output) {
      after_output();
    }
  };
  WorkloadClient client(flags.getString("socketPath"), std::chrono::nanoseconds(0));
  LinearBackoff backoff;
  auto last_update = std::chrono::steady_clock::now();
  for (;;) {
    std::unique_ptr<grpc::ClientContext> context = client.newContext();
    interrupt.setActiveCall(context.get());
    auto reader = client.workload().FetchX509SVID(context.get(), X509SVIDRequest());
    X509SVIDResponse response;
    while (reader->Read(&response)) {
      backoff.reset();
      Result<std::vector<X509SvidView>> views = x509ContextViews(response);
      if (!views) {
        env.err << views.status().message() << "\n";
      } else {
        const auto now = std::chrono::steady_clock::now();
        printX509SvidResponse(
            env.out, *views,
            std::chrono::duration_cast<std::chrono::nanoseconds>(now - last_update));
        last_update = now;
      }
      notify();
    }
    const grpc::Status status = reader->Finish();
    interrupt.setActiveCall(nullptr);
    const bool cancelled =
        interrupt.interrupted() || status.error_code() == grpc::StatusCode::CANCELLED;
    // go-spiffe hands every stream error to the watcher (printed), then decides.
    // A stream the server ends without an error is grpc-go's io.EOF.
    const std::string text = cancelled     ? "rpc error: code = Canceled desc = context canceled"
                             : status.ok() ? "EOF"
                                           : client.errorText(status);
    env.err << text << "\n";
    notify();
    if (cancelled || status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      env.err << text << "\n";
      return cli::alreadyReported();
    }
    if (interrupt.waitInterrupted(backoff.next())) {
      env.err << "context canceled\n";
      return cli::alreadyReported();
    }
  }
}

Status runWatch(const cli::ParsedFlags& flags, cli::Env& env) {
  return runWatchUntilSigint(flags, env);
}

Status runWatchUntilSigint(const cli::ParsedFlags& flags, cli::Env& env,
                           const std::function<void()>& after_output) {
  WatchInterrupt interrupt;
  // Before any gRPC thread exists, so that every thread inherits the blocked SIGINT.
  Result<std::unique_ptr<SignalWaiter>> waiter =
      SignalWaiter::start({SIGINT}, [&interrupt](int) { interrupt.interrupt(); });
  if (!waiter) {
    env.err << waiter.status().message() << "\n";
    return cli::alreadyReported();
  }
  return runWatchUntil(flags, env, interrupt, after_output);
}

} // namespace spire::agent::commands
