#pragma once
// spirecpp.server.changes.v1.EntryChanges (proto/spirecpp/server/changes/v1/changes.proto): tells
// an agent, as soon as an entry write may have changed its authorized set, that it should run its
// ordinary SyncAuthorizedEntries. The stream carries revisions only, never entries.
//
// One subscription on the AuthorizedEntriesIndex wakes every open stream after each write; each
// stream then asks the index whether its own agent is affected (changedSince, no entry copy), so
// an agent unrelated to a write gets no message. Streams also wake every kPollInterval to notice
// a cancelled client, and shutdown() wakes them all at once.
//
// THREADS: WatchAuthorizedEntries runs on gRPC handler threads, one per open stream; shutdown()
// on any thread; the index callback on the writer's thread (it only takes mutex_ briefly).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>

#include "server/api/authorizer.h"
#include "server/api/server_state.h"
#include "spirecpp/server/changes/v1/changes.grpc.pb.h"

namespace spire::server::api::changes {

namespace changesv1 = ::spirecpp::server::changes::v1;

class EntryChangesService final : public changesv1::EntryChanges::Service {
public:
  // How often a waiting stream checks for client cancellation.
  static constexpr std::chrono::milliseconds kPollInterval{100};

  // LIFETIME: `state` (and its index) and `authorizer` outlive the service; the gRPC server that
  // serves it is shut down before it is destroyed.
  EntryChangesService(ServerState& state, const Authorizer& authorizer);
  ~EntryChangesService() override;
  EntryChangesService(const EntryChangesService&) = delete;
  EntryChangesService& operator=(const EntryChangesService&) = delete;

  grpc::Status
  WatchAuthorizedEntries(grpc::ServerContext* context,
                         const changesv1::WatchAuthorizedEntriesRequest* req,
                         grpc::ServerWriter<changesv1::AuthorizedEntriesChanged>* writer) override;

  // Makes every open stream return (UNAVAILABLE) within one wake-up, and refuses new ones. Call
  // before shutting the gRPC server down, so that its shutdown does not wait on open streams.
  void shutdown();

  // Random hex, fixed for the life of this service (one per server process).
  const std::string& serverInstance() const { return server_instance_; }
  // Streams currently inside WatchAuthorizedEntries (tests wait on it).
  int openStreamsForTest() const;

private:
  ServerState& state_;
  const Authorizer& authorizer_;
  const std::string server_instance_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::uint64_t notified_ = 0; // highest revision the index reported; guarded by mutex_
  bool shutdown_ = false;      // guarded by mutex_
  int open_streams_ = 0;       // guarded by mutex_

  // Last member: unsubscribed first on destruction, before the state it touches goes away.
  registration::AuthorizedEntriesIndex::Subscription subscription_;
};

} // namespace spire::server::api::changes
