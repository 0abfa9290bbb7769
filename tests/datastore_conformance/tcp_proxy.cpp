#include "datastore_conformance/tcp_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <vector>

namespace spire::datastore_conformance {
namespace {

sockaddr_in loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

} // namespace

TcpProxy::TcpProxy(int target_port) : target_port_(target_port) {}

TcpProxy::~TcpProxy() {
  stop();
}

bool TcpProxy::start() {
  stop();
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr = loopback(port_);
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener, 64) != 0) {
    ::close(listener);
    return false;
  }
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    ::close(listener);
    return false;
  }
  wake_write_ = pipe_fds[1];
  thread_ = std::thread([this, listener, wake = pipe_fds[0]] { run(listener, wake); });
  return true;
}

void TcpProxy::stop() {
  if (!thread_.joinable()) {
    return;
  }
  char byte = 0;
  (void)!::write(wake_write_, &byte, 1);
  thread_.join();
  ::close(wake_write_);
  wake_write_ = -1;
}

void TcpProxy::run(int listener, int wake) {
  std::map<int, int> peer; // fd -> the fd its bytes go to
  for (;;) {
    std::vector<pollfd> fds = {{wake, POLLIN, 0}, {listener, POLLIN, 0}};
    for (const auto& [fd, other] : peer) {
      fds.push_back({fd, POLLIN, 0});
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      continue;
    }
    if (fds[0].revents != 0) {
      break;
    }
    if ((fds[1].revents & POLLIN) != 0) {
      int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (client >= 0) {
        int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr = loopback(target_port_);
        if (::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
          peer[client] = server;
          peer[server] = client;
        } else {
          ::close(server);
          ::close(client);
        }
      }
    }
    std::vector<int> closing;
    for (size_t i = 2; i < fds.size(); ++i) {
      if (fds[i].revents == 0) {
        continue;
      }
      char buffer[16384];
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      int to = peer[fds[i].fd];
      bool ok = n > 0;
      for (ssize_t sent = 0; ok && sent < n;) {
        ssize_t w = ::write(to, buffer + sent, static_cast<size_t>(n - sent));
        ok = w > 0;
        sent += ok ? w : 0;
      }
      if (!ok) {
        closing.push_back(fds[i].fd);
      }
    }
    for (int fd : closing) {
      auto it = peer.find(fd);
      if (it == peer.end()) {
        continue;
      }
      int other = it->second;
      peer.erase(fd);
      peer.erase(other);
      ::close(fd);
      ::close(other);
    }
  }
  // Stopped: every forwarded connection goes, as when a server process dies.
  for (const auto& [fd, other] : peer) {
    ::close(fd);
  }
  ::close(listener);
  ::close(wake);
}

} // namespace spire::datastore_conformance
