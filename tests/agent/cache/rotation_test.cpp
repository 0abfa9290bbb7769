#include "agent/cache/rotation.h"

#include <gtest/gtest.h>

#include <vector>

namespace spire::agent::cache {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::nanoseconds;

const TimePoint kT0 = TimePoint(std::chrono::seconds(1'900'000'000));

// Jitter at the low end (0) and at the high end (n - 1) of Go's rand.Int63n.
int64_t lowJitter(int64_t) {
  return 0;
}
int64_t highJitter(int64_t n) {
  return n - 1;
}

TEST(RotationTest, HalfLifeLowJitterRotatesAtNinetyPercentOfHalfLife) {
  // 1 h lifetime: half-life 30 min, ±3 min jitter; low end 27 min.
  const TimePoint not_after = kT0 + hours(1);
  EXPECT_TRUE(shouldRotateX509(not_after - minutes(27), kT0, not_after, lowJitter));
  EXPECT_FALSE(
      shouldRotateX509(not_after - minutes(27) - nanoseconds(1), kT0, not_after, lowJitter));
}

TEST(RotationTest, HalfLifeHighJitterRotatesJustBeforeHundredTenPercent) {
  // High end: 27 min + (6 min - 1 ns).
  const TimePoint not_after = kT0 + hours(1);
  const TimePoint boundary = not_after - (minutes(33) - nanoseconds(1));
  EXPECT_TRUE(shouldRotateX509(boundary, kT0, not_after, highJitter));
  EXPECT_FALSE(shouldRotateX509(boundary - nanoseconds(1), kT0, not_after, highJitter));
}

TEST(RotationTest, JitterWindowIsTwiceTenPercentOfHalfLife) {
  std::vector<int64_t> asked;
  const JitterSource recording = [&](int64_t n) {
    asked.push_back(n);
    return int64_t{0};
  };
  EXPECT_EQ(jitteredHalfLife(hours(1), recording), minutes(27));
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0], nanoseconds(minutes(6)).count());
}

TEST(RotationTest, ExpiredAlwaysRotatesWithoutDrawingJitter) {
  int calls = 0;
  const JitterSource counting = [&](int64_t) {
    ++calls;
    return int64_t{0};
  };
  const TimePoint not_after = kT0 + hours(1);
  EXPECT_TRUE(shouldRotateX509(not_after, kT0, not_after, counting));
  EXPECT_TRUE(shouldRotateX509(not_after + hours(1), kT0, not_after, counting));
  EXPECT_EQ(calls, 0);
}

TEST(RotationTest, FreshSvidDoesNotRotate) {
  const TimePoint not_after = kT0 + hours(1);
  EXPECT_FALSE(shouldRotateX509(kT0, kT0, not_after, highJitter));
}

TEST(RotationTest, ZeroLifetimeJitterWindowDoesNotCallSource) {
  // 10 ns lifetime: half-life 5 ns, delta 0 - Go would panic in Int63n(0); we use no jitter.
  const JitterSource never = [](int64_t) -> int64_t {
    ADD_FAILURE() << "jitter source called with an empty window";
    return 0;
  };
  const TimePoint not_after = kT0 + nanoseconds(10);
  EXPECT_TRUE(shouldRotateX509(kT0 + nanoseconds(5), kT0, not_after, never));
  EXPECT_FALSE(shouldRotateX509(kT0 + nanoseconds(4), kT0, not_after, never));
}

TEST(RotationTest, AvailabilityTargetAppliesWhenGracePeriodExceedsTwelveHours) {
  // 48 h lifetime, 24 h target: grace 24 h > 12 h, so rotate at <= 24 h (+0..10 min) left,
  // long before the half-life (which is also 24 h but minus 10% at the low end).
  const TimePoint not_after = kT0 + hours(48);
  EXPECT_TRUE(shouldRotateX509(not_after - hours(24), kT0, not_after, lowJitter, hours(24)));
  EXPECT_FALSE(shouldRotateX509(not_after - hours(24) - nanoseconds(1), kT0, not_after, lowJitter,
                                hours(24)));
  // High end of the availability jitter: 24 h + 10 min - 1 ns.
  const TimePoint high = not_after - (hours(24) + minutes(10) - nanoseconds(1));
  EXPECT_TRUE(shouldRotateX509(high, kT0, not_after, highJitter, hours(24)));
}

TEST(RotationTest, AvailabilityTargetRotatesEarlierThanHalfLife) {
  // 40 h lifetime, 26 h target (grace 14 h): at 25 h left the target rotates, while the
  // half-life alone (20 h, at most 22 h with jitter) would not.
  const TimePoint not_after = kT0 + hours(40);
  EXPECT_TRUE(shouldRotateX509(not_after - hours(25), kT0, not_after, lowJitter, hours(26)));
  EXPECT_FALSE(shouldRotateX509(not_after - hours(25), kT0, not_after, highJitter));
}

TEST(RotationTest, AvailabilityTargetFallsBackToHalfLifeAtTwelveHourGrace) {
  // 36 h lifetime, 24 h target: grace exactly 12 h -> half-life rules (18 h, low end 16.2 h).
  const TimePoint not_after = kT0 + hours(36);
  EXPECT_TRUE(shouldFallbackX509DefaultRotation(hours(36), hours(24)));
  EXPECT_FALSE(shouldRotateX509(not_after - hours(24), kT0, not_after, lowJitter, hours(24)));
  EXPECT_TRUE(
      shouldRotateX509(not_after - minutes(16 * 60 + 12), kT0, not_after, lowJitter, hours(24)));
  // One nanosecond more lifetime and the target applies.
  const TimePoint later = not_after + nanoseconds(1);
  EXPECT_FALSE(shouldFallbackX509DefaultRotation(hours(36) + nanoseconds(1), hours(24)));
  EXPECT_TRUE(shouldRotateX509(later - hours(24), kT0, later, lowJitter, hours(24)));
}

TEST(RotationTest, UnsetAvailabilityTargetNeverFallsBack) {
  EXPECT_FALSE(shouldFallbackX509DefaultRotation(hours(1), nanoseconds(0)));
}

TEST(RotationTest, JwtRefreshAtJitteredHalfLife) {
  const TimePoint exp = kT0 + minutes(10); // half 5 min, delta 30 s
  EXPECT_FALSE(jwtSvidExpiresSoon(exp - minutes(5), kT0, exp, lowJitter));
  EXPECT_TRUE(jwtSvidExpiresSoon(exp - std::chrono::seconds(270), kT0, exp, lowJitter));
  EXPECT_FALSE(
      jwtSvidExpiresSoon(exp - std::chrono::seconds(270) - nanoseconds(1), kT0, exp, lowJitter));
  EXPECT_TRUE(jwtSvidExpiresSoon(exp - minutes(5), kT0, exp, highJitter));
  EXPECT_FALSE(jwtSvidExpiresSoon(exp - std::chrono::seconds(330), kT0, exp, highJitter));
}

TEST(RotationTest, JwtExpiredAtExpInstant) {
  const TimePoint exp = kT0 + minutes(10);
  EXPECT_TRUE(jwtSvidExpired(exp, exp));
  EXPECT_FALSE(jwtSvidExpired(exp - nanoseconds(1), exp));
  EXPECT_TRUE(jwtSvidExpiresSoon(exp, kT0, exp, highJitter));
}

TEST(RotationTest, X509ExpiredOnlyAfterNotAfter) {
  const TimePoint not_after = kT0 + hours(1);
  EXPECT_FALSE(x509Expired(not_after, not_after));
  EXPECT_TRUE(x509Expired(not_after + nanoseconds(1), not_after));
}

TEST(RotationTest, RandomJitterStaysInRange) {
  const JitterSource jitter = randomJitter();
  for (int i = 0; i < 1000; ++i) {
    const int64_t v = jitter(7);
    ASSERT_GE(v, 0);
    ASSERT_LT(v, 7);
  }
}

} // namespace
} // namespace spire::agent::cache
