// Kernel peer credentials, PID-reuse detection and the peer tracker, without gRPC.

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include <gtest/gtest.h>

#include "agent/endpoints/caller_credentials.h"
#include "agent/endpoints/peer_tracker.h"
#include "support/temp_dir.h"

namespace spire::agent::endpoints {
namespace {

struct SocketPair {
  int fds[2] = {-1, -1};
  SocketPair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0); }
  ~SocketPair() {
    for (int fd : fds) {
      if (fd >= 0) {
        ::close(fd);
      }
    }
  }
};

TEST(CallerCredentialsTest, PeerCredentialsOfASocket) {
  SocketPair pair;
  Result<CallerCredentials> caller = peerCredentials(pair.fds[0]);
  ASSERT_TRUE(caller.isOk()) << caller.status().toString();
  EXPECT_EQ(caller->pid, ::getpid());
  EXPECT_EQ(caller->uid, ::getuid());
  EXPECT_EQ(caller->gid, ::getgid());
  EXPECT_GT(caller->start_time, 0u);
}

TEST(CallerCredentialsTest, PeerCredentialsOfANonSocketFail) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  Result<CallerCredentials> caller = peerCredentials(pipe_fds[0]);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  EXPECT_EQ(caller.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(caller.status().message(),
            "unable to read peer credentials: Socket operation on non-socket");
}

TEST(CallerCredentialsTest, CallerThatExitedBeforeAcceptIsRefused) {
  spire::testing::TempDir dir;
  const std::string path = (dir.path() / "s.sock").string();
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  // A child connects and exits at once; its connection waits in the backlog.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    const int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::_exit(rc == 0 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  int conn = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(conn, 0);
  Result<CallerCredentials> caller = peerCredentials(conn);
  ::close(conn);
  ::close(listener);
  EXPECT_EQ(caller.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(caller.status().message(), "process " + std::to_string(child) + " is gone");
}

TEST(CallerCredentialsTest, StartTimeIsStable) {
  Result<uint64_t> first = processStartTime(::getpid());
  Result<uint64_t> second = processStartTime(::getpid());
  ASSERT_TRUE(first.isOk());
  EXPECT_EQ(*first, *second);
}

TEST(CallerCredentialsTest, StartTimeOfAMissingProcess) {
  // Above the kernel's pid_max limit (4194304), so never a living process.
  Result<uint64_t> start = processStartTime(5000000);
  EXPECT_EQ(start.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(start.status().message(), "process 5000000 is gone");
}

TEST(CallerCredentialsTest, SameProcessCheck) {
  CallerCredentials caller;
  caller.pid = ::getpid();
  caller.start_time = processStartTime(caller.pid).value();
  EXPECT_TRUE(checkSameProcess(caller).isOk());

  // The PID now names a process that started at another time: a reused PID.
  caller.start_time += 1;
  Status replaced = checkSameProcess(caller);
  EXPECT_EQ(replaced.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(replaced.message(), "could not verify existence of the original caller: process " +
                                    std::to_string(caller.pid) + " was replaced");

  caller.pid = 5000000;
  Status gone = checkSameProcess(caller);
  EXPECT_EQ(gone.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(gone.message(),
            "could not verify existence of the original caller: process 5000000 is gone");
}

TEST(PeerTrackerTest, LookupByGrpcPeerName) {
  SocketPair pair;
  PeerTracker tracker;
  CallerCredentials caller{.pid = 42, .uid = 7, .gid = 8, .start_time = 99};
  ASSERT_TRUE(tracker.add(pair.fds[0], caller).isOk());
  Result<CallerCredentials> found = tracker.lookup("fd:" + std::to_string(pair.fds[0]));
  ASSERT_TRUE(found.isOk()) << found.status().toString();
  EXPECT_EQ(found->pid, 42);
  EXPECT_EQ(found->uid, 7u);
  EXPECT_EQ(found->gid, 8u);
  EXPECT_EQ(found->start_time, 99u);
}

TEST(PeerTrackerTest, UnknownPeers) {
  PeerTracker tracker;
  for (const std::string peer : {"unix:/tmp/x", "fd:", "fd:abc", "fd:-1", "fd:12x", "fd:999"}) {
    Result<CallerCredentials> found = tracker.lookup(peer);
    EXPECT_EQ(found.status().code(), StatusCode::kInternal) << peer;
    EXPECT_EQ(found.status().message(), "unknown peer " + peer);
  }
}

TEST(PeerTrackerTest, ReusedDescriptorNumberIsRefused) {
  PeerTracker tracker;
  int number = -1;
  {
    SocketPair first;
    number = first.fds[0];
    ASSERT_TRUE(tracker.add(number, CallerCredentials{.pid = 1}).isOk());
  }
  // The number now belongs to something else (or nothing): the old entry must not match it.
  SocketPair second;
  Result<CallerCredentials> found = tracker.lookup("fd:" + std::to_string(number));
  EXPECT_EQ(found.status().code(), StatusCode::kInternal);
  EXPECT_EQ(found.status().message(),
            "connection fd:" + std::to_string(number) + " is no longer tracked");
}

} // namespace
} // namespace spire::agent::endpoints
