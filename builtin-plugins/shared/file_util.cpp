#include "shared/file_util.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace spire::builtin {

namespace {

std::string errnoText() {
  return std::strerror(errno);
}

// Closes a descriptor on scope exit unless released.
class FdCloser {
public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

private:
  int fd_;
};

} // namespace

Result<std::string> readFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return notFound("unable to read \"" + path + "\": " + errnoText());
    }
    return internalError("unable to read \"" + path + "\": " + errnoText());
  }
  FdCloser closer(fd);
  std::string out;
  char buf[16384];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return internalError("unable to read \"" + path + "\": " + errnoText());
    }
    if (n == 0) {
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Status writeFileAtomic(const std::string& path, const std::string& data) {
  std::string dir = ".";
  if (auto slash = path.rfind('/'); slash != std::string::npos) {
    dir = slash == 0 ? "/" : path.substr(0, slash);
  }
  std::string tmp = path + ".tmp-XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    return internalError("unable to create temp file for \"" + path + "\": " + errnoText());
  }
  FdCloser closer(fd);
  auto fail = [&](const std::string& what) {
    Status st = internalError("unable to " + what + " \"" + tmp + "\": " + errnoText());
    ::unlink(tmp.c_str());
    return st;
  };
  if (::fchmod(fd, 0600) != 0) {
    return fail("chmod");
  }
  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail("write");
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    return fail("fsync");
  }
  if (::close(closer.release()) != 0) {
    return fail("close");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return fail("rename");
  }
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return okStatus();
}

} // namespace spire::builtin
