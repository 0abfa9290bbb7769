#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "common/status.h"

namespace spire::spiffe::testing {

// The grammar's byte classes written out by hand, so the tests do not reuse the code under test.
inline constexpr std::string_view kTrustDomainChars = "abcdefghijklmnopqrstuvwxyz0123456789.-_";
inline constexpr std::string_view kPathOnlyChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

inline bool allowedInTrustDomain(unsigned char c) {
  return kTrustDomainChars.find(static_cast<char>(c)) != std::string_view::npos;
}
inline bool allowedInPath(unsigned char c) {
  return allowedInTrustDomain(c) ||
         kPathOnlyChars.find(static_cast<char>(c)) != std::string_view::npos;
}

// Every byte the tests try: all of ASCII plus a few high bytes.
inline std::string allTestBytes() {
  std::string bytes;
  for (int b = 0; b < 0x80; ++b) {
    bytes += static_cast<char>(b);
  }
  bytes += "\x80\xc3\xa9\xfe\xff";
  return bytes;
}

inline std::string describeByte(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", c);
  return buf;
}

template <class T>
::testing::AssertionResult failsWith(const Result<T>& result, std::string_view message) {
  if (result.isOk()) {
    return ::testing::AssertionFailure() << "succeeded, expected error \"" << message << "\"";
  }
  Status status = result.status();
  if (status.code() != StatusCode::kInvalidArgument || status.message() != message) {
    return ::testing::AssertionFailure()
           << "got " << status.toString() << ", expected INVALID_ARGUMENT: " << message;
  }
  return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult failsWith(const Status& status, std::string_view message) {
  if (status.isOk()) {
    return ::testing::AssertionFailure() << "succeeded, expected error \"" << message << "\"";
  }
  if (status.code() != StatusCode::kInvalidArgument || status.message() != message) {
    return ::testing::AssertionFailure()
           << "got " << status.toString() << ", expected INVALID_ARGUMENT: " << message;
  }
  return ::testing::AssertionSuccess();
}

// go-spiffe's texts, spelled out again in the tests on purpose (spiffe-standards.md §1.2).
inline constexpr std::string_view kErrEmpty = "cannot be empty";
inline constexpr std::string_view kErrScheme = "scheme is missing or invalid";
inline constexpr std::string_view kErrMissingTd = "trust domain is missing";
inline constexpr std::string_view kErrTdChar = "trust domain characters are limited to lowercase "
                                               "letters, numbers, dots, dashes, and underscores";
inline constexpr std::string_view kErrPathChar =
    "path segment characters are limited to letters, numbers, dots, dashes, and underscores";
inline constexpr std::string_view kErrDot = "path cannot contain dot segments";
inline constexpr std::string_view kErrNoLeadingSlash = "path must have a leading slash";
inline constexpr std::string_view kErrEmptySegment = "path cannot contain empty segments";
inline constexpr std::string_view kErrTrailingSlash = "path cannot have a trailing slash";
inline constexpr std::string_view kErrTdTooLong = "trust domain name is too long (max 255 bytes)";
inline constexpr std::string_view kErrIdTooLong = "SPIFFE ID is too long (max 2048 bytes)";

} // namespace spire::spiffe::testing
