#pragma once

// What one StreamSecrets handler waits on: the next request from its reader thread, the client's
// end of stream, a cache update, shutdown or cancellation - whichever comes first.
//
// The reader thread hands over one request at a time and waits until the handler has taken and
// processed it (release()). So when processing a request fails, the reader is parked here, not in
// a blocking Read, and the handler can return its own status after joining it.
//
// THREADS: pushRequest/endOfStream/awaitRelease from the reader thread; pushUpdate/close from any
// thread; next/release from the handler thread.

#include <condition_variable>
#include <mutex>
#include <optional>

#include <grpcpp/server_context.h>

#include "agent/endpoints/workload_identity_source.h"
#include "envoy/service/discovery/v3/discovery.pb.h"

namespace spire::agent::sds {

class StreamEvents {
public:
  struct Event {
    enum class Kind { kRequest, kUpdate, kEndOfStream, kStop };
    Kind kind = Kind::kStop;
    envoy::service::discovery::v3::DiscoveryRequest request;
    endpoints::IdentitySnapshotPtr snapshot;
  };

  // Reader side. Returns false when the handler no longer wants requests.
  bool pushRequest(envoy::service::discovery::v3::DiscoveryRequest request);
  void endOfStream();

  // Handler side: lets the reader go on after a request was handled, or tells it to stop.
  void release(bool keep_reading);
  // True while the reader waits in pushRequest or has finished (not inside a blocking Read).
  bool readerIdle();
  // True while a request handed over by the reader awaits release().
  bool requestUnreleased();

  void pushUpdate(endpoints::IdentitySnapshotPtr snapshot);
  void close();

  // The next event; updates come before requests when both are pending (the request is then
  // answered with the newest state). kStop once closed or cancelled.
  Event next(grpc::ServerContext& context);

private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<envoy::service::discovery::v3::DiscoveryRequest> request_; // guarded by mutex_
  endpoints::IdentitySnapshotPtr update_;                                  // guarded by mutex_
  bool end_of_stream_ = false;                                             // guarded by mutex_
  bool reader_parked_ = false;                                             // guarded by mutex_
  std::optional<bool> release_;                                            // guarded by mutex_
  bool closed_ = false;                                                    // guarded by mutex_
};

} // namespace spire::agent::sds
