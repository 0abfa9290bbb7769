#include "agent/cache/rotation.h"

#include <random>

namespace spire::agent::cache {

namespace {

// Go's rand.Int63n panics for n <= 0; a lifetime too short to have a jitter window gets none.
int64_t draw(const JitterSource& jitter, int64_t n) {
  if (n <= 0) {
    return 0;
  }
  return jitter(n);
}

bool shouldRotateByHalf(Duration ttl, Duration lifetime, const JitterSource& jitter) {
  return ttl <= jitteredHalfLife(lifetime, jitter);
}

bool shouldRotateByAvailabilityTarget(Duration ttl, Duration lifetime, Duration target,
                                      const JitterSource& jitter) {
  if (target == Duration::zero()) {
    return false;
  }
  if (shouldFallbackX509DefaultRotation(lifetime, target)) {
    return false;
  }
  const Duration jittered = target + Duration(draw(jitter, kAvailabilityTargetJitter.count()));
  return ttl <= jittered;
}

} // namespace

JitterSource randomJitter() {
  return [](int64_t n) {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_int_distribution<int64_t>(0, n - 1)(engine);
  };
}

Duration jitteredHalfLife(Duration lifetime, const JitterSource& jitter) {
  const Duration half = lifetime / 2;
  const Duration delta = half / 10;
  return half - delta + Duration(draw(jitter, delta.count() * 2));
}

bool shouldFallbackX509DefaultRotation(Duration lifetime, Duration availability_target) {
  if (availability_target == Duration::zero()) {
    return false;
  }
  return lifetime - availability_target <= kGracePeriodThreshold;
}

bool shouldRotateX509(TimePoint now, TimePoint not_before, TimePoint not_after,
                      const JitterSource& jitter, Duration availability_target) {
  const Duration ttl = not_after - now;
  if (ttl <= Duration::zero()) {
    return true;
  }
  const Duration lifetime = not_after - not_before;
  if (shouldRotateByAvailabilityTarget(ttl, lifetime, availability_target, jitter)) {
    return true;
  }
  return shouldRotateByHalf(ttl, lifetime, jitter);
}

bool jwtSvidExpiresSoon(TimePoint now, TimePoint issued_at, TimePoint expires_at,
                        const JitterSource& jitter) {
  if (jwtSvidExpired(now, expires_at)) {
    return true;
  }
  return shouldRotateByHalf(expires_at - now, expires_at - issued_at, jitter);
}

} // namespace spire::agent::cache
