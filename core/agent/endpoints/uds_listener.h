#pragma once

// The public socket: a Unix stream socket SPIRE-style (parent directories created, a stale socket
// file removed, mode 0777 so that any local process can connect; who may get what is decided by
// attestation, not by file permissions). Connections are accepted here, not by gRPC, so that
// SO_PEERCRED can be read from each before it is handed over.
//
// THREADS: start() spawns one accept thread; stop() (or the destructor) wakes and joins it.
// on_connection runs on that thread.

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "agent/endpoints/caller_credentials.h"
#include "common/status.h"

namespace spire::agent::endpoints {

class UdsListener {
public:
  // Takes ownership of `fd` (non-blocking, close-on-exec, connected) and of closing it.
  using ConnectionHandler = std::function<void(int fd, const CallerCredentials& caller)>;

  UdsListener() = default;
  ~UdsListener();
  UdsListener(const UdsListener&) = delete;
  UdsListener& operator=(const UdsListener&) = delete;

  // Binds and listens. Errors (Unavailable): "unable to create socket directory <dir>: <why>",
  // "unable to remove stale socket <path>: <why>", "unable to listen on <path>: <why>",
  // "socket path too long: <path>".
  Status listen(const std::string& path);
  // Starts accepting; connections whose credentials cannot be read are closed at once.
  Status start(ConnectionHandler on_connection);
  // Stops accepting and closes the listening socket (and leaves the file, as SPIRE does).
  void stop();

  const std::string& path() const { return path_; }

private:
  void acceptLoop();

  std::string path_;
  int listen_fd_ = -1;
  int wake_fd_ = -1; // eventfd that interrupts poll() on stop
  ConnectionHandler on_connection_;
  std::thread thread_;
};

} // namespace spire::agent::endpoints
