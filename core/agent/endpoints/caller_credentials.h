#pragma once

// Who is on the other end of a Workload API connection, as the kernel says (SO_PEERCRED), plus
// what is needed to notice that the PID has since been given to another process.

#include <cstdint>
#include <sys/types.h>

#include "common/status.h"

namespace spire::agent::endpoints {

struct CallerCredentials {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  // Field 22 of /proc/<pid>/stat (clock ticks since boot) read when the connection was accepted.
  // A PID is unique among living processes, and (pid, start time) is unique across time, so a
  // re-read that gives another value means the caller exited and the PID was reused.
  uint64_t start_time = 0;
};

// SO_PEERCRED of a connected Unix socket plus the peer's start time. Where the kernel has
// SO_PEERPIDFD (Linux 6.5+), a connecting process that has exited since connect() is refused even
// if its PID was already reused. Errors are Unavailable: "unable to read peer credentials:
// <errno text>", "process <pid> is gone", or the processStartTime error.
Result<CallerCredentials> peerCredentials(int fd);

// The start time of a living process. A process that is gone gives Unavailable
// "process <pid> is gone"; an unparseable stat line Internal "malformed /proc/<pid>/stat".
Result<uint64_t> processStartTime(pid_t pid);

// SPIRE's watcher.IsAlive equivalent, run after attestation: the PID still names the very process
// that connected. OK, or Unauthenticated "could not verify existence of the original caller: ...".
Status checkSameProcess(const CallerCredentials& caller);

} // namespace spire::agent::endpoints
