#include "agent/cache/jwt_svid_cache.h"

#include <gtest/gtest.h>

namespace spire::agent::cache {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kT0 = TimePoint(std::chrono::seconds(1'900'000'000));
int64_t lowJitter(int64_t) {
  return 0;
}

CachedJwtSvid token(std::string text, TimePoint iat = kT0, TimePoint exp = kT0 + minutes(10)) {
  return CachedJwtSvid{std::move(text), iat, exp};
}

TEST(JwtSvidCacheTest, MissThenHitIgnoringAudienceOrder) {
  JwtSvidCache cache(10, lowJitter);
  EXPECT_FALSE(cache.get("spiffe://example.org/w", {"a", "b"}, kT0).has_value());
  cache.set("spiffe://example.org/w", {"b", "a"}, token("t1"));
  const auto hit = cache.get("spiffe://example.org/w", {"a", "b"}, kT0 + minutes(1));
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->token, "t1");
  const JwtCacheStats stats = cache.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 1u);
}

TEST(JwtSvidCacheTest, DifferentAudienceOrIdIsADifferentKey) {
  JwtSvidCache cache(10, lowJitter);
  cache.set("spiffe://example.org/w", {"a"}, token("t1"));
  EXPECT_FALSE(cache.get("spiffe://example.org/w", {"a", "b"}, kT0).has_value());
  EXPECT_FALSE(cache.get("spiffe://example.org/x", {"a"}, kT0).has_value());
  // Length prefixes: ("ab", []) and ("a", ["b"]) must not collide.
  EXPECT_NE(JwtSvidCache::key("ab", {}), JwtSvidCache::key("a", {"b"}));
  EXPECT_EQ(JwtSvidCache::key("id", {"y", "x"}), JwtSvidCache::key("id", {"x", "y"}));
}

TEST(JwtSvidCacheTest, ServedUntilJitteredHalfLifeThenDropped) {
  JwtSvidCache cache(10, lowJitter);
  cache.set("id", {"a"}, token("t1")); // 10 min lifetime: refresh with 4 min 30 s left (low)
  EXPECT_TRUE(cache.get("id", {"a"}, kT0 + seconds(329)).has_value());
  EXPECT_FALSE(cache.get("id", {"a"}, kT0 + seconds(330)).has_value());
  EXPECT_EQ(cache.stats().expired, 1u);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(JwtSvidCacheTest, ExpiredTokenIsNeverServed) {
  JwtSvidCache cache(10, [](int64_t n) { return n - 1; });
  cache.set("id", {"a"}, token("t1"));
  EXPECT_FALSE(cache.get("id", {"a"}, kT0 + minutes(10)).has_value());
}

TEST(JwtSvidCacheTest, SetReplacesExistingToken) {
  JwtSvidCache cache(10, lowJitter);
  cache.set("id", {"a"}, token("old"));
  cache.set("id", {"a"}, token("new"));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.get("id", {"a"}, kT0)->token, "new");
}

TEST(JwtSvidCacheTest, HardLruEvictsLeastRecentlyUsed) {
  JwtSvidCache cache(2, lowJitter);
  cache.set("id", {"1"}, token("t1"));
  cache.set("id", {"2"}, token("t2"));
  ASSERT_TRUE(cache.get("id", {"1"}, kT0).has_value()); // 1 is now the most recent
  cache.set("id", {"3"}, token("t3"));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_FALSE(cache.get("id", {"2"}, kT0).has_value());
  EXPECT_TRUE(cache.get("id", {"1"}, kT0).has_value());
  EXPECT_TRUE(cache.get("id", {"3"}, kT0).has_value());
  EXPECT_EQ(cache.stats().evictions, 1u);
}

TEST(JwtSvidCacheTest, RemoveIdsDropsAllTheirAudiences) {
  JwtSvidCache cache(10, lowJitter);
  cache.set("gone", {"1"}, token("t1"));
  cache.set("gone", {"2"}, token("t2"));
  cache.set("kept", {"1"}, token("t3"));
  cache.removeIds({"gone"});
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_TRUE(cache.get("kept", {"1"}, kT0).has_value());
}

TEST(JwtSvidCacheTest, ZeroMaxSizeMeansDefault) {
  JwtSvidCache cache(0, lowJitter);
  for (size_t i = 0; i < kDefaultJwtSvidCacheMaxSize + 5; ++i) {
    cache.set("id", {std::to_string(i)}, token("t"));
  }
  EXPECT_EQ(cache.size(), kDefaultJwtSvidCacheMaxSize);
}

} // namespace
} // namespace spire::agent::cache
