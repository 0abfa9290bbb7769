#pragma once

// The "load balancer" in front of the HA servers: a loopback TCP forwarder whose target the test
// switches. switchTo() points new connections at another port and drops the forwarded ones, as a
// load balancer does when a backend goes away, so the agent reconnects (to the new target).
//
// THREADS: one forwarding thread; the constructor, switchTo(), port() and the destructor run on
// the test thread.

#include <atomic>
#include <thread>

namespace spire::ha {

class SwitchProxy {
public:
  // Listens on a free loopback port and forwards to `target_port`. port() is 0 when the
  // listener could not be opened.
  explicit SwitchProxy(int target_port);
  ~SwitchProxy();
  SwitchProxy(const SwitchProxy&) = delete;
  SwitchProxy& operator=(const SwitchProxy&) = delete;

  int port() const { return port_; }
  // New connections go to `target_port`; existing ones are closed.
  void switchTo(int target_port);

private:
  void run(int listener, int wake);

  std::atomic<int> target_port_;
  std::atomic<bool> drop_all_{false};
  int port_ = 0;
  int wake_write_ = -1;
  std::thread thread_;
};

} // namespace spire::ha
