// `spire-agent healthcheck` and `api watch` against the real Workload API endpoint.

#include <csignal>
#include <future>
#include <regex>
#include <signal.h>

#include "commands_fixture.h"

namespace spire::agent::commands::testing {
namespace {

// SIGINT is blocked in every thread of this test program from the start (before any thread
// exists), so that a SIGINT sent to the process waits for the watch's signalfd instead of
// killing the test run.
const bool kSigintBlocked = [] {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  return ::pthread_sigmask(SIG_BLOCK, &set, nullptr) == 0;
}();

TEST_F(CommandsTest, HealthcheckHealthyAgent) {
  CommandOutput result = run({"healthcheck"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "Agent is healthy.\n");
  EXPECT_EQ(result.err, "");
}

TEST_F(CommandsTest, HealthcheckVerboseAndShallow) {
  CommandOutput result = run({"healthcheck", "-verbose", "-shallow"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "Checking agent health...\nAgent is healthy.\n");
}

TEST_F(CommandsTest, HealthcheckNotServing) {
  // Attestation of the agent's own process fails: the endpoint's health check answers
  // NOT_SERVING.
  source_.failAttestation(Status(StatusCode::kInternal, "attestor broken"));
  CommandOutput result = run({"healthcheck"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "Agent is unhealthy: agent returned status \"NOT_SERVING\"\n");
}

TEST_F(CommandsTest, HealthcheckMissingSocket) {
  CommandOutput result = run({"healthcheck", "-socketPath", missing_socket_}, false);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "Agent is unhealthy: unable to determine health\n");
}

TEST_F(CommandsTest, HealthcheckMissingSocketVerbose) {
  CommandOutput result = run({"healthcheck", "-verbose", "-socketPath", missing_socket_}, false);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "Checking agent health...\n");
  EXPECT_EQ(result.err, "Failed to check health: " + missingSocketError(missing_socket_) +
                            "\nAgent is unhealthy: unable to determine health\n");
}

// Runs runWatchUntil on a thread; counts outputs so the test can wait for each step.
class WatchRunner {
public:
  WatchRunner(std::vector<std::string> args, cli::CommandRegistry& registry) {
    const cli::CommandSpec* spec = registry.find("api watch");
    auto parsed = registry.flagSet(*spec).parse(args, err_);
    EXPECT_EQ(parsed.kind, cli::ParseOutcome::Kind::kOk);
    flags_ = parsed.flags;
    thread_ = std::thread([this] {
      cli::Env env{in_, out_, err_};
      status_ = runWatchUntil(flags_, env, interrupt_, [this] {
        std::lock_guard<std::mutex> lock(mutex_);
        ++outputs_;
        changed_.notify_all();
      });
    });
  }
  ~WatchRunner() { stop(); }

  bool waitForOutputs(int count) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(20), [&] { return outputs_ >= count; });
  }
  void stop() {
    interrupt_.interrupt();
    if (thread_.joinable()) {
      thread_.join();
    }
  }
  // Only after stop().
  std::string out() const { return out_.str(); }
  std::string err() const { return err_.str(); }
  const Status& status() const { return status_; }

private:
  std::istringstream in_;
  std::ostringstream out_;
  std::ostringstream err_;
  cli::ParsedFlags flags_;
  WatchInterrupt interrupt_;
  Status status_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int outputs_ = 0;
  std::thread thread_;
};

TEST_F(CommandsTest, WatchPrintsEveryUpdateUntilInterrupted) {
  source_.publish(snapshot({{"/a", ""}}));
  WatchRunner watch({"-socketPath", socket_path_}, registry_);
  ASSERT_TRUE(watch.waitForOutputs(1));
  ASSERT_TRUE(source_.waitForSubscribers(1));
  source_.publish(snapshot({{"/a", ""}, {"/b", ""}}, /*federated=*/true));
  ASSERT_TRUE(watch.waitForOutputs(2));
  watch.stop();

  EXPECT_EQ(watch.status(), cli::alreadyReported());
  const std::string times = "SVID Valid After:\t2021-02-03 00:00:00 +0000 UTC\n"
                            "SVID Valid Until:\t2080-04-05 00:00:00 +0000 UTC\n"
                            "CA #1 Valid After:\t2020-01-01 00:00:00 +0000 UTC\n"
                            "CA #1 Valid Until:\t2090-01-01 00:00:00 +0000 UTC\n";
  // go-spiffe names federated bundles by trust domain name, not by ID.
  const std::string federated =
      "[federated.test] CA #1 Valid After:\t2020-01-01 00:00:00 +0000 UTC\n"
      "[federated.test] CA #1 Valid Until:\t2090-01-01 00:00:00 +0000 UTC\n";
  const std::string first = "\nSPIFFE ID:\t\tspiffe://example.org/a\n" + times + "\n";
  const std::string second = "\nSPIFFE ID:\t\tspiffe://example.org/a\n" + times + federated +
                             "\nSPIFFE ID:\t\tspiffe://example.org/b\n" + times + federated + "\n";
  const std::string d = "[0-9.]+(ns|µs|ms|s|m[0-9.]+s)";
  auto escape = [](const std::string& text) {
    return std::regex_replace(text, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)");
  };
  const std::regex expected("Received 1 svid after " + d + "\n" + escape(first) +
                            "Received 2 svids after " + d + "\n" + escape(second));
  EXPECT_TRUE(std::regex_match(watch.out(), expected)) << watch.out();
  EXPECT_EQ(watch.err(), "rpc error: code = Canceled desc = context canceled\n"
                         "rpc error: code = Canceled desc = context canceled\n");
}

TEST_F(CommandsTest, WatchReportsErrorsAndRetriesUntilInterrupted) {
  source_.publish(snapshot({}));
  WatchRunner watch({"-socketPath", socket_path_}, registry_);
  ASSERT_TRUE(watch.waitForOutputs(1));
  // Now in its one-second back-off; the interrupt ends the wait.
  watch.stop();
  EXPECT_EQ(watch.status(), cli::alreadyReported());
  EXPECT_EQ(watch.out(), "");
  EXPECT_EQ(watch.err(), "rpc error: code = PermissionDenied desc = no identity issued\n"
                         "context canceled\n");
}

TEST_F(CommandsTest, WatchReconnectsAfterBackoff) {
  source_.publish(snapshot({}));
  WatchRunner watch({"-socketPath", socket_path_}, registry_);
  ASSERT_TRUE(watch.waitForOutputs(1));
  source_.publish(snapshot({{"/a", ""}}));
  // After the one-second back-off the stream is reopened and delivers.
  ASSERT_TRUE(watch.waitForOutputs(2));
  watch.stop();
  EXPECT_NE(watch.out().find("SPIFFE ID:\t\tspiffe://example.org/a\n"), std::string::npos)
      << watch.out();
}

TEST_F(CommandsTest, WatchMissingSocketKeepsRetrying) {
  WatchRunner watch({"-socketPath", missing_socket_}, registry_);
  ASSERT_TRUE(watch.waitForOutputs(1));
  watch.stop();
  EXPECT_EQ(watch.err(), missingSocketError(missing_socket_) + "\ncontext canceled\n");
}

TEST_F(CommandsTest, WatchCommandEndsOnSigint) {
  ASSERT_TRUE(kSigintBlocked);
  source_.publish(snapshot({{"/a", ""}}));
  const cli::CommandSpec* spec = registry_.find("api watch");
  std::ostringstream diagnostics;
  auto parsed = registry_.flagSet(*spec).parse({"-socketPath", socket_path_}, diagnostics);
  ASSERT_EQ(parsed.kind, cli::ParseOutcome::Kind::kOk);
  std::ostringstream out;
  std::ostringstream err;
  std::promise<void> first_output;
  std::atomic<bool> signalled{false};
  auto done = std::async(std::launch::async, [&] {
    std::istringstream in;
    cli::Env env{in, out, err};
    return runWatchUntilSigint(parsed.flags, env, [&] {
      if (!signalled.exchange(true)) {
        first_output.set_value();
      }
    });
  });
  ASSERT_EQ(first_output.get_future().wait_for(std::chrono::seconds(20)),
            std::future_status::ready);
  ASSERT_EQ(::kill(::getpid(), SIGINT), 0);
  ASSERT_EQ(done.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_EQ(done.get(), cli::alreadyReported());
  EXPECT_EQ(out.str().rfind("Received 1 svid after ", 0), 0u) << out.str();
  EXPECT_EQ(err.str(), "rpc error: code = Canceled desc = context canceled\n"
                       "rpc error: code = Canceled desc = context canceled\n");
}

} // namespace
} // namespace spire::agent::commands::testing
