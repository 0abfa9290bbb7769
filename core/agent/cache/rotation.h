#pragma once

// When the agent renews an SVID, following SPIRE's pkg/common/rotationutil: an X509-SVID rotates
// once its remaining lifetime is at most its half-life with ±10% jitter, or - when
// `availability_target` is set and leaves a grace period over 12 h - at most the target plus
// 0-10 min of jitter. A JWT-SVID is refreshed at half-life (±10%) or once expired. The jitter
// source is injected so that tests can pin both ends of the jitter window.

#include <chrono>
#include <cstdint>
#include <functional>

#include "crypto/certificate.h"

namespace spire::agent::cache {

using crypto::TimePoint;
using Duration = std::chrono::nanoseconds;

// Returns a value in [0, n) for n > 0 (Go's rand.Int63n). Called only with n > 0.
using JitterSource = std::function<int64_t(int64_t n)>;

// A uniformly random source (not cryptographic: it only spreads renewals out).
JitterSource randomJitter();

// SPIRE's gracePeriodThreshold: the availability target applies only when lifetime minus target
// exceeds this.
inline constexpr Duration kGracePeriodThreshold = std::chrono::hours(12);
// The availability target's jitter window: +[0, 10 min).
inline constexpr Duration kAvailabilityTargetJitter = std::chrono::minutes(10);

// True when the availability target is set but leaves a grace period of 12 h or less for an SVID
// of this lifetime, so half-life rotation applies instead (ShouldFallbackX509DefaultRotation).
bool shouldFallbackX509DefaultRotation(Duration lifetime, Duration availability_target);

// ShouldRotateX509: true once expired; else by availability target (when it applies), else by
// jittered half-life. `availability_target` zero means unset.
bool shouldRotateX509(TimePoint now, TimePoint not_before, TimePoint not_after,
                      const JitterSource& jitter, Duration availability_target = Duration::zero());

// JWTSVIDExpiresSoon: expired, or at most the jittered half-life left. Never uses the
// availability target (SPIRE applies it to X509-SVIDs only).
bool jwtSvidExpiresSoon(TimePoint now, TimePoint issued_at, TimePoint expires_at,
                        const JitterSource& jitter);

// X509Expired: strictly after NotAfter (the NotAfter instant itself is still valid).
inline bool x509Expired(TimePoint now, TimePoint not_after) {
  return now > not_after;
}
// JWTSVIDExpired: at or after exp.
inline bool jwtSvidExpired(TimePoint now, TimePoint expires_at) {
  return now >= expires_at;
}

// The half-life with jitter: halfLife - halfLife/10 + jitter(2 * halfLife/10). Exposed for tests.
Duration jitteredHalfLife(Duration lifetime, const JitterSource& jitter);

} // namespace spire::agent::cache
