#pragma once

// A loopback TCP forwarder the test controls, standing between the plugin and a database server:
// stop() closes the listener and every forwarded connection (to the client, the server just went
// away), start() listens again on the same port (the server is back). Lets a case take "the
// database" down and up without touching the real server other cases share.
//
// THREADS: one forwarding thread; start() / stop() / port() from the test thread.

#include <atomic>
#include <mutex>
#include <thread>

namespace spire::datastore_conformance {

class TcpProxy {
public:
  explicit TcpProxy(int target_port);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  int port() const { return port_; }
  // Listens (on the port of the first start) and forwards until stop(). False if the port could
  // not be bound.
  bool start();
  void stop();

private:
  void run(int listener, int wake);

  int target_port_;
  int port_ = 0;
  std::thread thread_;
  int wake_write_ = -1;
};

} // namespace spire::datastore_conformance
