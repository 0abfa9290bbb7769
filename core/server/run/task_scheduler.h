#pragma once

// The server's periodic background work (CA rotation, bundle pruning, ...): named tasks, each
// with a period, run one after another on one thread. A task's failure is logged and the task
// runs again at its next period, as SPIRE's rotator and pruners do.
//
// The decision "which tasks are due at time T" is runDue(T), a plain call tests drive with any
// time they like; the thread only feeds it the clock and waits on a condition variable until the
// next due time, so stop() returns as soon as the running task (if any) finishes.
//
// THREADS: add() before start(); runDue() from one thread at a time (the scheduler's own once
// started); stop() from any thread.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/logger.h>

#include "common/status.h"

namespace spire::server::run {

using SteadyTime = std::chrono::steady_clock::time_point;

struct PeriodicTask {
  std::string name;
  std::chrono::milliseconds period{0};
  std::function<Status()> run;
  // Delay of the first run after start (0 = one period after start). SPIRE's node pruner adds
  // random jitter here; callers decide.
  std::chrono::milliseconds first_delay{-1}; // negative: one period
};

class TaskScheduler {
public:
  using Clock = std::function<SteadyTime()>;

  // `clock` empty = std::chrono::steady_clock::now.
  explicit TaskScheduler(std::shared_ptr<spdlog::logger> logger, Clock clock = {});
  ~TaskScheduler();
  TaskScheduler(const TaskScheduler&) = delete;
  TaskScheduler& operator=(const TaskScheduler&) = delete;

  // InvalidArgument for an empty name, a non-positive period or no function.
  Status add(PeriodicTask task);
  // Schedules every task relative to `now` (start() does it with the clock).
  void schedule(SteadyTime now);
  // Runs every task due at `now`, in the order added; returns how many ran.
  std::size_t runDue(SteadyTime now);
  // The earliest next due time (max() when there is no task).
  SteadyTime nextDue() const;

  // Schedules from the clock and runs the loop on a thread of its own.
  void start();
  // Ends the loop; returns once the task running now, if any, has returned. Idempotent.
  void stop();

  // How many times the task has run (and failed), for status and tests.
  std::size_t runs(const std::string& name) const;
  std::size_t failures(const std::string& name) const;

private:
  struct Slot {
    PeriodicTask task;
    SteadyTime next{};
    std::size_t runs = 0;
    std::size_t failures = 0;
  };
  SteadyTime now() const;
  void loop();
  const Slot* find(const std::string& name) const;

  std::shared_ptr<spdlog::logger> logger_;
  Clock clock_;
  mutable std::mutex mutex_; // guards slots_' counters and stopping_
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<Slot> slots_;
  std::thread thread_;
};

} // namespace spire::server::run
