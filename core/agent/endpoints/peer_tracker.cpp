#include "agent/endpoints/peer_tracker.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>
#include <sys/stat.h>

namespace spire::agent::endpoints {

namespace {

constexpr std::string_view kFdPeerPrefix = "fd:";

} // namespace

Status PeerTracker::add(int fd, const CallerCredentials& caller) {
  struct stat st = {};
  if (::fstat(fd, &st) != 0) {
    return {StatusCode::kInternal,
            std::string("fstat of accepted socket: ") + std::strerror(errno)};
  }
  std::lock_guard<std::mutex> lock(mutex_);
  entries_[fd] = Entry{caller, st.st_dev, st.st_ino};
  return {};
}

Result<CallerCredentials> PeerTracker::lookup(std::string_view peer) const {
  if (!peer.starts_with(kFdPeerPrefix)) {
    return internalError("unknown peer " + std::string(peer));
  }
  std::string_view digits = peer.substr(kFdPeerPrefix.size());
  int fd = -1;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), fd);
  if (ec != std::errc() || end != digits.data() + digits.size() || fd < 0) {
    return internalError("unknown peer " + std::string(peer));
  }
  Entry entry;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(fd);
    if (it == entries_.end()) {
      return internalError("unknown peer " + std::string(peer));
    }
    entry = it->second;
  }
  struct stat st = {};
  if (::fstat(fd, &st) != 0 || st.st_dev != entry.device || st.st_ino != entry.inode) {
    return internalError("connection " + std::string(peer) + " is no longer tracked");
  }
  return entry.caller;
}

std::size_t PeerTracker::sizeForTest() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

} // namespace spire::agent::endpoints
