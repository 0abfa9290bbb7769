#include "ha/switch_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <map>
#include <vector>

namespace spire::ha {
namespace {

constexpr char kWakeSwitch = 's';
constexpr char kWakeStop = 'q';

sockaddr_in loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// Writes all of `n` bytes; false when the peer is gone.
bool writeAll(int fd, const char* data, ssize_t n) {
  for (ssize_t sent = 0; sent < n;) {
    ssize_t w = ::send(fd, data + sent, static_cast<size_t>(n - sent), MSG_NOSIGNAL);
    if (w <= 0) {
      return false;
    }
    sent += w;
  }
  return true;
}

} // namespace

SwitchProxy::SwitchProxy(int target_port) : target_port_(target_port) {
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr = loopback(0);
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener, 64) != 0) {
    if (listener >= 0) {
      ::close(listener);
    }
    return;
  }
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    ::close(listener);
    return;
  }
  port_ = ntohs(addr.sin_port);
  wake_write_ = pipe_fds[1];
  thread_ = std::thread([this, listener, wake = pipe_fds[0]] { run(listener, wake); });
}

SwitchProxy::~SwitchProxy() {
  if (thread_.joinable()) {
    (void)!::write(wake_write_, &kWakeStop, 1);
    thread_.join();
    ::close(wake_write_);
  }
}

void SwitchProxy::switchTo(int target_port) {
  target_port_ = target_port;
  drop_all_ = true;
  (void)!::write(wake_write_, &kWakeSwitch, 1);
}

void SwitchProxy::run(int listener, int wake) {
  std::map<int, int> peer; // fd -> the fd its bytes go to
  auto close_pair = [&peer](int fd) {
    auto it = peer.find(fd);
    if (it == peer.end()) {
      return;
    }
    const int other = it->second;
    peer.erase(fd);
    peer.erase(other);
    ::close(fd);
    ::close(other);
  };
  for (bool stopping = false; !stopping;) {
    std::vector<pollfd> fds = {{wake, POLLIN, 0}, {listener, POLLIN, 0}};
    for (const auto& [fd, other] : peer) {
      fds.push_back({fd, POLLIN, 0});
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      continue;
    }
    if ((fds[0].revents & POLLIN) != 0) {
      char command = 0;
      stopping = ::read(wake, &command, 1) != 1 || command == kWakeStop;
      if (drop_all_.exchange(false)) {
        while (!peer.empty()) {
          close_pair(peer.begin()->first);
        }
      }
      continue; // the fd list is stale after drops
    }
    if ((fds[1].revents & POLLIN) != 0) {
      int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (client >= 0) {
        int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr = loopback(target_port_.load());
        if (server >= 0 &&
            ::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
          peer[client] = server;
          peer[server] = client;
        } else {
          // Nothing behind the balancer: the client sees the connection refused-and-closed.
          if (server >= 0) {
            ::close(server);
          }
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
      if (n <= 0 || !writeAll(peer[fds[i].fd], buffer, n)) {
        closing.push_back(fds[i].fd);
      }
    }
    for (int fd : closing) {
      close_pair(fd);
    }
  }
  while (!peer.empty()) {
    close_pair(peer.begin()->first);
  }
  ::close(listener);
  ::close(wake);
}

} // namespace spire::ha
