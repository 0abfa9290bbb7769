#pragma once

// The agent's JWT-SVID cache (SPIRE pkg/agent/manager/cache/jwt_cache.go plus the manager's
// freshness rule): keyed by SPIFFE ID and the sorted audience list, a hard LRU of at most
// jwt_svid_cache_max_size tokens; a cached token is served only until its jittered half-life
// (rotationutil.JWTSVIDExpiresSoon), after which the caller mints a new one.
//
// Threads: all methods are safe to call concurrently (one mutex, never held across a call out).

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/cache/rotation.h"

namespace spire::agent::cache {

inline constexpr size_t kDefaultJwtSvidCacheMaxSize = 1000;

struct CachedJwtSvid {
  std::string token; // compact JWS
  TimePoint issued_at;
  TimePoint expires_at;
};

struct JwtCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;  // absent
  uint64_t expired = 0; // present but due for refresh (counted apart from misses)
  uint64_t evictions = 0;
};

class JwtSvidCache {
public:
  // max_size 0 means the default; jitter empty means randomJitter().
  explicit JwtSvidCache(size_t max_size = kDefaultJwtSvidCacheMaxSize, JitterSource jitter = {});

  // The cached token for (spiffe_id, audience in any order) if it is not due for refresh at
  // `now`; a hit makes it the most recently used. A stale token is dropped.
  std::optional<CachedJwtSvid> get(const std::string& spiffe_id,
                                   const std::vector<std::string>& audience, TimePoint now);
  // Inserts or replaces, then drops least recently used tokens beyond the limit.
  void set(const std::string& spiffe_id, const std::vector<std::string>& audience,
           CachedJwtSvid svid);
  // Drops every token of these SPIFFE IDs (their entries went away).
  void removeIds(const std::vector<std::string>& spiffe_ids);

  size_t size() const;
  JwtCacheStats stats() const;

  // The cache key: SPIFFE ID then the audience sorted, each length-prefixed so that no two
  // different (id, audience) pairs collide. Exposed for tests.
  static std::string key(const std::string& spiffe_id, std::vector<std::string> audience);

private:
  struct Node {
    std::string key;
    std::string spiffe_id;
    CachedJwtSvid svid;
  };

  const size_t max_size_;
  const JitterSource jitter_;
  mutable std::mutex mu_;
  std::list<Node> lru_; // front: most recently used
  std::unordered_map<std::string, std::list<Node>::iterator> by_key_;
  JwtCacheStats stats_;
};

} // namespace spire::agent::cache
