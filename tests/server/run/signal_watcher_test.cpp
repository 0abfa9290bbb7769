// Signals become callbacks on the watcher thread; dispositions are restored afterwards.

#include "server/run/signal_watcher.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

namespace spire::server::run {
namespace {

// What the callback saw, with a way to wait for it.
struct Seen {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<int> signals;
  void add(int s) {
    std::lock_guard lock(mutex);
    signals.push_back(s);
    cv.notify_all();
  }
  bool waitForCount(std::size_t n) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, std::chrono::seconds(30), [&] { return signals.size() >= n; });
  }
};

TEST(SignalWatcherTest, DeliversEachSignalToTheCallback) {
  Seen seen;
  auto watcher = SignalWatcher::start({SIGUSR1, SIGUSR2}, [&](int s) { seen.add(s); });
  ASSERT_TRUE(watcher.isOk()) << watcher.status().message();
  ::kill(::getpid(), SIGUSR1);
  ASSERT_TRUE(seen.waitForCount(1));
  ::kill(::getpid(), SIGUSR2);
  ASSERT_TRUE(seen.waitForCount(2));
  std::lock_guard lock(seen.mutex);
  EXPECT_EQ(seen.signals, (std::vector<int>{SIGUSR1, SIGUSR2}));
}

TEST(SignalWatcherTest, OnlyOneWatcherAtATime) {
  auto first = SignalWatcher::start({SIGUSR1}, [](int) {});
  ASSERT_TRUE(first.isOk());
  auto second = SignalWatcher::start({SIGUSR1}, [](int) {});
  ASSERT_FALSE(second.isOk());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(second.status().message(), "a signal watcher is already active");
  first->reset();
  auto third = SignalWatcher::start({SIGUSR1}, [](int) {});
  EXPECT_TRUE(third.isOk());
}

TEST(SignalWatcherTest, PreviousDispositionIsRestored) {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  struct sigaction saved {};
  ASSERT_EQ(::sigaction(SIGUSR2, &ignore, &saved), 0);
  {
    auto watcher = SignalWatcher::start({SIGUSR2}, [](int) {});
    ASSERT_TRUE(watcher.isOk());
    struct sigaction during {};
    ::sigaction(SIGUSR2, nullptr, &during);
    EXPECT_NE(during.sa_handler, SIG_IGN);
  }
  struct sigaction after {};
  ::sigaction(SIGUSR2, nullptr, &after);
  EXPECT_EQ(after.sa_handler, SIG_IGN);
  ::sigaction(SIGUSR2, &saved, nullptr);
}

TEST(SignalWatcherTest, InvalidSignalIsRefusedAndReleasesTheSlot) {
  auto watcher = SignalWatcher::start({SIGKILL}, [](int) {});
  ASSERT_FALSE(watcher.isOk());
  EXPECT_EQ(watcher.status().code(), StatusCode::kInternal);
  EXPECT_EQ(watcher.status().message(), "cannot handle signal 9: Invalid argument");
  EXPECT_TRUE(SignalWatcher::start({SIGUSR1}, [](int) {}).isOk());
}

} // namespace
} // namespace spire::server::run
