#include "agent/cache/jwt_svid_cache.h"

#include <algorithm>
#include <unordered_set>
#include <utility>

namespace spire::agent::cache {

namespace {

void appendField(std::string& out, const std::string& field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
}

} // namespace

JwtSvidCache::JwtSvidCache(size_t max_size, JitterSource jitter)
    : max_size_(max_size == 0 ? kDefaultJwtSvidCacheMaxSize : max_size),
      jitter_(jitter ? std::move(jitter) : randomJitter()) {}

std::string JwtSvidCache::key(const std::string& spiffe_id, std::vector<std::string> audience) {
  std::sort(audience.begin(), audience.end());
  std::string out;
  appendField(out, spiffe_id);
  for (const std::string& aud : audience) {
    appendField(out, aud);
  }
  return out;
}

std::optional<CachedJwtSvid> JwtSvidCache::get(const std::string& spiffe_id,
                                               const std::vector<std::string>& audience,
                                               TimePoint now) {
  const std::string k = key(spiffe_id, audience);
  std::lock_guard lock(mu_);
  auto it = by_key_.find(k);
  if (it == by_key_.end()) {
    ++stats_.misses;
    return std::nullopt;
  }
  const CachedJwtSvid& svid = it->second->svid;
  if (jwtSvidExpiresSoon(now, svid.issued_at, svid.expires_at, jitter_)) {
    ++stats_.expired;
    lru_.erase(it->second);
    by_key_.erase(it);
    return std::nullopt;
  }
  ++stats_.hits;
  lru_.splice(lru_.begin(), lru_, it->second);
  return svid;
}

void JwtSvidCache::set(const std::string& spiffe_id, const std::vector<std::string>& audience,
                       CachedJwtSvid svid) {
  std::string k = key(spiffe_id, audience);
  std::lock_guard lock(mu_);
  if (auto it = by_key_.find(k); it != by_key_.end()) {
    it->second->svid = std::move(svid);
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.push_front(Node{k, spiffe_id, std::move(svid)});
  by_key_.emplace(std::move(k), lru_.begin());
  while (lru_.size() > max_size_) {
    by_key_.erase(lru_.back().key);
    lru_.pop_back();
    ++stats_.evictions;
  }
}

void JwtSvidCache::removeIds(const std::vector<std::string>& spiffe_ids) {
  const std::unordered_set<std::string> ids(spiffe_ids.begin(), spiffe_ids.end());
  std::lock_guard lock(mu_);
  for (auto it = lru_.begin(); it != lru_.end();) {
    if (ids.contains(it->spiffe_id)) {
      by_key_.erase(it->key);
      it = lru_.erase(it);
    } else {
      ++it;
    }
  }
}

size_t JwtSvidCache::size() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

JwtCacheStats JwtSvidCache::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

} // namespace spire::agent::cache
