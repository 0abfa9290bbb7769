#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace spire {

// The gRPC status code set. SPIRE reports every failure (API, plugin, datastore) with one of these,
// so the whole code base, the plugin ABI included, speaks the same codes.
enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// Upper-case gRPC name of a code, e.g. "INVALID_ARGUMENT".
std::string_view statusCodeName(StatusCode code);

// A status code plus a human-readable message. Default-constructed is OK.
class Status {
public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }

  bool isOk() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "CODE: message", for logs.
  std::string toString() const;

  // A copy whose message is "<prefix>: <message>", code unchanged.
  Status withPrefix(std::string_view prefix) const;

  bool operator==(const Status&) const = default;

private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status invalidArgument(std::string message) {
  return {StatusCode::kInvalidArgument, std::move(message)};
}
inline Status notFound(std::string message) {
  return {StatusCode::kNotFound, std::move(message)};
}
inline Status internalError(std::string message) {
  return {StatusCode::kInternal, std::move(message)};
}

// Either a value or a non-OK Status. Used wherever input may be bad (parsers, plugins, network),
// so that failures are values the caller must look at rather than exceptions.
template <class T> class Result {
public:
  Result(T value) : state_(std::move(value)) {}       // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) { // NOLINT: implicit by design
    assert(!std::get<Status>(state_).isOk() && "a Result cannot hold an OK status");
  }

  bool isOk() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return isOk(); }

  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The error; OK when a value is held.
  Status status() const { return isOk() ? Status() : std::get<Status>(state_); }

private:
  std::variant<T, Status> state_;
};

} // namespace spire
