#include "server/run/task_scheduler.h"

namespace spire::server::run {

TaskScheduler::TaskScheduler(std::shared_ptr<spdlog::logger> logger, Clock clock)
    : logger_(std::move(logger)), clock_(std::move(clock)) {}

TaskScheduler::~TaskScheduler() {
  stop();
}

SteadyTime TaskScheduler::now() const {
  return clock_ ? clock_() : std::chrono::steady_clock::now();
}

Status TaskScheduler::add(PeriodicTask task) {
  if (task.name.empty()) {
    return Status(StatusCode::kInvalidArgument, "task name is required");
  }
  if (task.period <= std::chrono::milliseconds(0)) {
    return Status(StatusCode::kInvalidArgument,
                  "task \"" + task.name + "\": period must be positive");
  }
  if (!task.run) {
    return Status(StatusCode::kInvalidArgument, "task \"" + task.name + "\": no function");
  }
  std::lock_guard lock(mutex_);
  slots_.push_back(Slot{std::move(task)});
  return Status::ok();
}

void TaskScheduler::schedule(SteadyTime now) {
  std::lock_guard lock(mutex_);
  for (Slot& slot : slots_) {
    const auto delay = slot.task.first_delay < std::chrono::milliseconds(0) ? slot.task.period
                                                                            : slot.task.first_delay;
    slot.next = now + delay;
  }
}

std::size_t TaskScheduler::runDue(SteadyTime now) {
  std::size_t ran = 0;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    Slot& slot = slots_[i];
    if (slot.next > now) {
      continue;
    }
    // Tasks run without the lock so that stop() and the counters never wait on a slow task.
    Status status = slot.task.run();
    ++ran;
    std::lock_guard lock(mutex_);
    ++slot.runs;
    if (!status.isOk()) {
      ++slot.failures;
      if (logger_) {
        logger_->error("Background task {} failed: {}", slot.task.name, status.message());
      }
    }
    // The next run is one period after this one was due, but never in the past: a task that
    // fell behind (a long stall) runs once, not once per missed period.
    slot.next += slot.task.period;
    if (slot.next <= now) {
      slot.next = now + slot.task.period;
    }
  }
  return ran;
}

SteadyTime TaskScheduler::nextDue() const {
  std::lock_guard lock(mutex_);
  SteadyTime next = SteadyTime::max();
  for (const Slot& slot : slots_) {
    next = std::min(next, slot.next);
  }
  return next;
}

void TaskScheduler::start() {
  if (thread_.joinable()) {
    return;
  }
  schedule(now());
  thread_ = std::thread([this] { loop(); });
}

void TaskScheduler::loop() {
  while (true) {
    {
      std::unique_lock lock(mutex_);
      if (stopping_) {
        return;
      }
    }
    runDue(now());
    const SteadyTime next = nextDue();
    std::unique_lock lock(mutex_);
    if (stopping_) {
      return;
    }
    // The injected clock may differ from steady_clock; wait for the remaining duration.
    const auto remaining = next == SteadyTime::max() ? std::chrono::hours(24) : next - now();
    if (remaining > SteadyTime::duration::zero()) {
      wake_.wait_for(lock, remaining, [this] { return stopping_; });
    }
  }
}

void TaskScheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

const TaskScheduler::Slot* TaskScheduler::find(const std::string& name) const {
  for (const Slot& slot : slots_) {
    if (slot.task.name == name) {
      return &slot;
    }
  }
  return nullptr;
}

std::size_t TaskScheduler::runs(const std::string& name) const {
  std::lock_guard lock(mutex_);
  const Slot* slot = find(name);
  return slot != nullptr ? slot->runs : 0;
}

std::size_t TaskScheduler::failures(const std::string& name) const {
  std::lock_guard lock(mutex_);
  const Slot* slot = find(name);
  return slot != nullptr ? slot->failures : 0;
}

} // namespace spire::server::run
