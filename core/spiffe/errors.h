#pragma once

#include <string_view>

// The exact error texts of go-spiffe's spiffeid package (spiffe-standards.md §1.2), plus our two
// length-limit texts. Callers and tests may compare against these; they are part of the contract
// because SPIRE returns them verbatim in API errors.
namespace spire::spiffe::errors {

inline constexpr std::string_view kEmpty = "cannot be empty";
inline constexpr std::string_view kWrongScheme = "scheme is missing or invalid";
inline constexpr std::string_view kMissingTrustDomain = "trust domain is missing";
inline constexpr std::string_view kBadTrustDomainChar =
    "trust domain characters are limited to lowercase letters, numbers, dots, dashes, and "
    "underscores";
inline constexpr std::string_view kBadPathSegmentChar =
    "path segment characters are limited to letters, numbers, dots, dashes, and underscores";
inline constexpr std::string_view kDotSegment = "path cannot contain dot segments";
inline constexpr std::string_view kNoLeadingSlash = "path must have a leading slash";
inline constexpr std::string_view kEmptySegment = "path cannot contain empty segments";
inline constexpr std::string_view kTrailingSlash = "path cannot have a trailing slash";
inline constexpr std::string_view kTrustDomainEmpty = "trust domain is empty";
inline constexpr std::string_view kReplacePathOnZero = "cannot replace path on a zero ID value";
inline constexpr std::string_view kReplaceSegmentsOnZero =
    "cannot replace path segments on a zero ID value";
inline constexpr std::string_view kAppendPathOnZero = "cannot append path on a zero ID value";
inline constexpr std::string_view kAppendSegmentsOnZero =
    "cannot append path segments on a zero ID value";
// Ours, not go-spiffe's (see kMaxTrustDomainLength / kMaxSpiffeIdLength).
inline constexpr std::string_view kTrustDomainTooLong =
    "trust domain name is too long (max 255 bytes)";
inline constexpr std::string_view kSpiffeIdTooLong = "SPIFFE ID is too long (max 2048 bytes)";

} // namespace spire::spiffe::errors
