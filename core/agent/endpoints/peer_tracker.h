#pragma once

// Maps a gRPC call back to the kernel credentials of the connection it arrived on.
//
// gRPC C++ does not let a handler see its connection's file descriptor, so the endpoint accepts
// connections itself (uds_listener.h), reads SO_PEERCRED there, and hands the descriptor to gRPC
// with AddInsecureChannelFromFd. For such channels gRPC 1.51 names the peer "fd:<n>"
// (grpc_server_add_insecure_channel_from_fd), which ServerContext::peer() returns; this class
// keeps <n> -> credentials.
//
// Why the mapping cannot hand one connection's credentials to another: gRPC closes descriptor <n>
// only when it destroys the connection's endpoint, which happens after the last call on that
// connection is destroyed (each call's stream holds a reference on the transport). So while a
// handler runs, <n> is still its own connection's socket and cannot have been reused for a newer
// connection. As a second guard, the socket's (device, inode) recorded at accept is compared with
// fstat(<n>) at lookup, so a descriptor number reused by anything else is refused.
//
// THREADS: all methods may be called concurrently (one mutex; lookups are one map find).

#include <map>
#include <mutex>
#include <string_view>
#include <sys/types.h>

#include "agent/endpoints/caller_credentials.h"
#include "common/status.h"

namespace spire::agent::endpoints {

class PeerTracker {
public:
  // Records an accepted connection; replaces whatever a previous socket with the same number
  // left behind.
  Status add(int fd, const CallerCredentials& caller);

  // The credentials for a gRPC peer string. Errors (Internal): "unknown peer <peer>",
  // "connection <peer> is no longer tracked".
  Result<CallerCredentials> lookup(std::string_view peer) const;

  std::size_t sizeForTest() const;

private:
  struct Entry {
    CallerCredentials caller;
    dev_t device = 0;
    ino_t inode = 0;
  };

  mutable std::mutex mutex_;
  std::map<int, Entry> entries_; // guarded by mutex_
};

} // namespace spire::agent::endpoints
