#pragma once

// Ports and sockets for daemons under test: every listener gets a port the kernel just handed
// out (bind to port 0, read it back, close), every socket a path in the test's temp dir.

#include <chrono>
#include <string>

namespace spire::integration {

// A TCP port on 127.0.0.1 that was free a moment ago. The kernel does not hand the same
// ephemeral port out again at once, so the daemon started next can bind it.
int freeTcpPort();

// True when a TCP connection to 127.0.0.1:port succeeds.
bool tcpPortOpen(int port);

// True when a connection to the Unix socket at `path` succeeds.
bool unixSocketAccepts(const std::string& path);

// A plain HTTP/1.1 GET on 127.0.0.1:port; the status code (-1 when there is no answer) and body.
struct HttpResponse {
  int status = -1;
  std::string body;
};
HttpResponse httpGet(int port, const std::string& path,
                     std::chrono::milliseconds timeout = std::chrono::seconds(5));

} // namespace spire::integration
