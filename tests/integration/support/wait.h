#pragma once

// Polling with a deadline: the one way integration tests wait for another process. A condition is
// re-checked every `poll` until it holds or the deadline passes; nothing sleeps a fixed time and
// hopes.

#include <chrono>
#include <functional>
#include <thread>

namespace spire::integration {

using namespace std::chrono_literals;

// Default deadline for "the daemon is up", generous for ASan builds on a shared 2-core machine.
inline constexpr std::chrono::milliseconds kStartDeadline = 60s;

// True as soon as `condition` holds; false when `timeout` passed without it holding (the
// condition is checked one last time at the deadline).
inline bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                    std::chrono::milliseconds poll = 20ms) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return condition();
    }
    std::this_thread::sleep_for(poll);
  }
}

} // namespace spire::integration
