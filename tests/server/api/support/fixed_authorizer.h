#pragma once
// An Authorizer for service tests: every call is made by one configurable caller, and every
// method it was asked about is recorded, so tests check that handlers authorize before acting.
#include <mutex>
#include <string>
#include <vector>

#include "server/api/authorizer.h"

namespace spire::server::api::testing {

class FixedAuthorizer final : public Authorizer {
public:
  FixedAuthorizer() { caller_.local = true; }

  Result<Caller> authorize(const grpc::ServerContext&, std::string_view method) const override {
    std::lock_guard lock(mutex_);
    methods_.emplace_back(method);
    if (!denial_.isOk()) {
      return denial_;
    }
    return caller_;
  }

  // The caller every RPC gets (default: a local UDS caller).
  void setCaller(Caller caller) {
    std::lock_guard lock(mutex_);
    caller_ = std::move(caller);
  }
  // Every RPC fails authorization with this status (OK = allow again).
  void deny(Status status) {
    std::lock_guard lock(mutex_);
    denial_ = std::move(status);
  }
  std::vector<std::string> methods() const {
    std::lock_guard lock(mutex_);
    return methods_;
  }

private:
  mutable std::mutex mutex_;
  Caller caller_;
  Status denial_;
  mutable std::vector<std::string> methods_;
};

} // namespace spire::server::api::testing
