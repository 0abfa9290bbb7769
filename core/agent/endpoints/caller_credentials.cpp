#include "agent/endpoints/caller_credentials.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

// Linux 6.5+: a pidfd for the process that called connect(). Older headers lack the constant.
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

namespace spire::agent::endpoints {

namespace {

// With a pidfd of the connecting process: is that very process still there? A pidfd refers to one
// process, never to a later holder of the same PID. Signal 0 only checks; EPERM still means alive.
bool pidfdAlive(int pidfd) {
  return ::syscall(SYS_pidfd_send_signal, pidfd, 0, nullptr, 0) == 0 || errno == EPERM;
}

} // namespace

Result<CallerCredentials> peerCredentials(int fd) {
  struct ucred cred = {};
  socklen_t len = sizeof(cred);
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    return Status(StatusCode::kUnavailable,
                  std::string("unable to read peer credentials: ") + std::strerror(errno));
  }
  CallerCredentials caller;
  caller.pid = cred.pid;
  caller.uid = cred.uid;
  caller.gid = cred.gid;
  // SO_PEERCRED's PID is from connect() time; the process may have exited (and the PID been
  // reused) before this accept. Where the kernel offers SO_PEERPIDFD, the start time is only
  // trusted if the connecting process itself is still alive after it was read.
  int pidfd = -1;
  socklen_t pidfd_len = sizeof(pidfd);
  const bool have_pidfd =
      ::getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &pidfd_len) == 0 && pidfd >= 0;
  Result<uint64_t> start = processStartTime(cred.pid);
  if (have_pidfd) {
    const bool alive = pidfdAlive(pidfd);
    ::close(pidfd);
    if (!alive) {
      return Status(StatusCode::kUnavailable, "process " + std::to_string(cred.pid) + " is gone");
    }
  }
  if (!start) {
    return start.status();
  }
  caller.start_time = *start;
  return caller;
}

Result<uint64_t> processStartTime(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) {
    return Status(StatusCode::kUnavailable, "process " + std::to_string(pid) + " is gone");
  }
  // The command name (field 2) is in parentheses and may itself contain spaces and ')', so the
  // fields are counted from the last ')'. Field 3 follows it; start time is field 22.
  const auto close = line.rfind(')');
  if (close == std::string::npos) {
    return internalError("malformed " + path);
  }
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  for (int index = 3; index < 22; ++index) {
    if (!(fields >> field)) {
      return internalError("malformed " + path);
    }
  }
  uint64_t start_time = 0;
  if (!(fields >> start_time)) {
    return internalError("malformed " + path);
  }
  return start_time;
}

Status checkSameProcess(const CallerCredentials& caller) {
  Result<uint64_t> now = processStartTime(caller.pid);
  if (!now) {
    return {StatusCode::kUnauthenticated,
            "could not verify existence of the original caller: " + now.status().message()};
  }
  if (*now != caller.start_time) {
    return {StatusCode::kUnauthenticated,
            "could not verify existence of the original caller: process " +
                std::to_string(caller.pid) + " was replaced"};
  }
  return {};
}

} // namespace spire::agent::endpoints
