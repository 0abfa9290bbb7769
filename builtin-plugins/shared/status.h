#pragma once

// Status and Result for the built-in plugins. The plugins are built against the plugin SDK only
// (never core/), so they carry their own small copy of the error vocabulary. Codes are gRPC's, as
// the ABI reports them to the host.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace spire::builtin {

enum class Code : int {
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

class Status {
public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  bool isOk() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Same code, message "<prefix>: <message>".
  Status withPrefix(const std::string& prefix) const {
    return isOk() ? *this : Status(code_, prefix + ": " + message_);
  }

private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status okStatus() {
  return {};
}
inline Status invalidArgument(std::string message) {
  return {Code::kInvalidArgument, std::move(message)};
}
inline Status notFound(std::string message) {
  return {Code::kNotFound, std::move(message)};
}
inline Status internalError(std::string message) {
  return {Code::kInternal, std::move(message)};
}
inline Status failedPrecondition(std::string message) {
  return {Code::kFailedPrecondition, std::move(message)};
}
inline Status permissionDenied(std::string message) {
  return {Code::kPermissionDenied, std::move(message)};
}

// Either a value or a non-OK Status.
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
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  Status status() const { return isOk() ? Status() : std::get<Status>(state_); }

private:
  std::variant<T, Status> state_;
};

} // namespace spire::builtin
