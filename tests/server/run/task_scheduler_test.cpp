// Periodic tasks: due times from an injected time, failures counted and logged, prompt stop.

#include "server/run/task_scheduler.h"

#include <atomic>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

namespace spire::server::run {
namespace {

using namespace std::chrono_literals;

const SteadyTime kT0{std::chrono::hours(1000)};

TEST(TaskSchedulerTest, AddValidatesTheTask) {
  TaskScheduler s(nullptr);
  Status no_name = s.add({"", 1s, [] { return Status::ok(); }});
  EXPECT_EQ(no_name.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(no_name.message(), "task name is required");
  Status no_period = s.add({"t", 0s, [] { return Status::ok(); }});
  EXPECT_EQ(no_period.message(), "task \"t\": period must be positive");
  Status no_fn = s.add({"t", 1s, nullptr});
  EXPECT_EQ(no_fn.message(), "task \"t\": no function");
  EXPECT_TRUE(s.add({"t", 1s, [] { return Status::ok(); }}).isOk());
}

TEST(TaskSchedulerTest, RunsEachTaskAtItsPeriod) {
  TaskScheduler s(nullptr);
  int fast = 0;
  int slow = 0;
  ASSERT_TRUE(s.add({"fast", 10s,
                     [&] {
                       ++fast;
                       return Status::ok();
                     }})
                  .isOk());
  ASSERT_TRUE(s.add({"slow", 5min,
                     [&] {
                       ++slow;
                       return Status::ok();
                     }})
                  .isOk());
  s.schedule(kT0);
  EXPECT_EQ(s.nextDue(), kT0 + 10s);
  EXPECT_EQ(s.runDue(kT0 + 9s), 0u);
  EXPECT_EQ(s.runDue(kT0 + 10s), 1u);
  EXPECT_EQ(fast, 1);
  EXPECT_EQ(s.nextDue(), kT0 + 20s);
  for (int i = 2; i <= 30; ++i) {
    s.runDue(kT0 + i * 10s);
  }
  EXPECT_EQ(fast, 30);
  EXPECT_EQ(slow, 1);
  EXPECT_EQ(s.runs("fast"), 30u);
  EXPECT_EQ(s.runs("slow"), 1u);
  EXPECT_EQ(s.runs("unknown"), 0u);
}

TEST(TaskSchedulerTest, FirstDelayOverridesThePeriodOnce) {
  TaskScheduler s(nullptr);
  int runs = 0;
  PeriodicTask t{"jittered", 1h, [&] {
                   ++runs;
                   return Status::ok();
                 }};
  t.first_delay = 70min;
  ASSERT_TRUE(s.add(t).isOk());
  s.schedule(kT0);
  EXPECT_EQ(s.runDue(kT0 + 1h), 0u);
  EXPECT_EQ(s.runDue(kT0 + 70min), 1u);
  EXPECT_EQ(s.nextDue(), kT0 + 130min);
}

TEST(TaskSchedulerTest, AStalledTaskRunsOnceNotOncePerMissedPeriod) {
  TaskScheduler s(nullptr);
  int runs = 0;
  ASSERT_TRUE(s.add({"t", 10s,
                     [&] {
                       ++runs;
                       return Status::ok();
                     }})
                  .isOk());
  s.schedule(kT0);
  EXPECT_EQ(s.runDue(kT0 + 1h), 1u);
  EXPECT_EQ(s.runDue(kT0 + 1h), 0u);
  EXPECT_EQ(s.nextDue(), kT0 + 1h + 10s);
}

TEST(TaskSchedulerTest, FailuresAreCountedLoggedAndRetriedNextPeriod) {
  std::ostringstream log;
  auto logger =
      std::make_shared<spdlog::logger>("", std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
  logger->set_pattern("%v");
  TaskScheduler s(logger);
  int calls = 0;
  ASSERT_TRUE(s.add({"ca.rotate", 10s,
                     [&] {
                       ++calls;
                       return Status(StatusCode::kUnavailable, "key manager is down");
                     }})
                  .isOk());
  s.schedule(kT0);
  s.runDue(kT0 + 10s);
  s.runDue(kT0 + 20s);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(s.failures("ca.rotate"), 2u);
  EXPECT_EQ(log.str(), "Background task ca.rotate failed: key manager is down\n"
                       "Background task ca.rotate failed: key manager is down\n");
}

TEST(TaskSchedulerTest, ThreadUsesTheInjectedClock) {
  // The clock jumps a minute per reading: every task is always due, so the thread runs it
  // without waiting for real time.
  std::atomic<std::int64_t> minutes{0};
  TaskScheduler s(nullptr, [&] { return kT0 + std::chrono::minutes(minutes.fetch_add(1)); });
  std::atomic<int> runs{0};
  ASSERT_TRUE(s.add({"t", 10s,
                     [&] {
                       ++runs;
                       return Status::ok();
                     }})
                  .isOk());
  s.start();
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (runs.load() < 5 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  s.stop();
  EXPECT_GE(runs.load(), 5);
}

TEST(TaskSchedulerTest, StopReturnsPromptlyWhileWaitingForALongPeriod) {
  TaskScheduler s(nullptr);
  ASSERT_TRUE(s.add({"daily", 24h, [] { return Status::ok(); }}).isOk());
  s.start();
  auto begin = std::chrono::steady_clock::now();
  s.stop();
  s.stop(); // idempotent
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 2s);
  EXPECT_EQ(s.runs("daily"), 0u);
}

} // namespace
} // namespace spire::server::run
