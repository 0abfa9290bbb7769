#pragma once

// The hand-over between a source's subscription callback and one stream's handler thread: the
// latest snapshot (older unsent ones are superseded, every message carries the full state), a
// closed flag for server shutdown, and a wait that notices client cancellation.
//
// THREADS: push/close from any thread; next() from the one handler thread that owns the stream.

#include <chrono>
#include <condition_variable>
#include <mutex>

#include <grpcpp/server_context.h>

#include "agent/endpoints/workload_identity_source.h"

namespace spire::agent::endpoints {

class UpdateQueue {
public:
  void push(IdentitySnapshotPtr snapshot);
  void close();

  // The next snapshot, or nullptr once closed or once the call is cancelled. The sync gRPC API
  // offers no cancellation callback, so the wait wakes every kCancelPollInterval to look at
  // ServerContext::IsCancelled(); updates and close() wake it at once.
  IdentitySnapshotPtr next(grpc::ServerContext& context);

  static constexpr std::chrono::milliseconds kCancelPollInterval{50};

private:
  std::mutex mutex_;
  std::condition_variable changed_;
  IdentitySnapshotPtr pending_; // guarded by mutex_
  bool closed_ = false;         // guarded by mutex_
};

} // namespace spire::agent::endpoints
