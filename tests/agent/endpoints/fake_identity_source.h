#pragma once

// A WorkloadIdentitySource for tests: one snapshot for every caller, published by the test, with
// switches that make each step fail. JWT-SVIDs are really signed (ES256) with a key whose public
// half is in jwtBundle(), so clients can validate them.

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "agent/endpoints/workload_identity_source.h"
#include "crypto/key.h"
#include "jwt/jwt_svid.h"

namespace spire::agent::endpoints::testing {

class FakeIdentitySource final : public WorkloadIdentitySource {
public:
  explicit FakeIdentitySource(const spiffe::TrustDomain& td, std::string kid = "kid-1")
      : kid_(std::move(kid)) {
    key_ = std::move(crypto::generateKey(crypto::KeyType::kEcP256).value());
    auto der = crypto::marshalPublicKeyDer(*key_);
    public_key_ = jwt::sharePublicKey(std::move(crypto::parsePublicKeyDer(*der).value()));
    jwt_bundle_ = std::make_shared<jwt::JwtBundle>(td);
    if (!jwt_bundle_->addAuthority(kid_, public_key_).isOk()) {
      throw std::runtime_error("addAuthority");
    }
    snapshot_ = std::make_shared<IdentitySnapshot>();
  }

  std::shared_ptr<const jwt::JwtBundle> jwtBundle() const { return jwt_bundle_; }
  const EVP_PKEY& jwtKey() const { return *key_; }
  const std::string& kid() const { return kid_; }

  // Replaces the snapshot and tells every subscriber.
  void publish(IdentitySnapshotPtr snapshot) {
    std::lock_guard<std::mutex> lock(mutex_);
    snapshot_ = std::move(snapshot);
    for (auto& [id, callback] : subscribers_) {
      callback(snapshot_);
    }
  }

  void failAttestation(std::optional<Status> error) {
    locked([&] { attest_error_ = error; });
  }
  void failSubscribe(std::optional<Status> error) {
    locked([&] { subscribe_error_ = error; });
  }
  void failJwt(std::optional<Status> error) {
    locked([&] { jwt_error_ = error; });
  }

  std::optional<CallerCredentials> lastCaller() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return last_caller_;
  }

  // Waits (bounded) until exactly `count` subscriptions are open.
  bool waitForSubscribers(std::size_t count,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return subscribers_.size() == count; });
  }

  Result<Selectors> attest(const CallerCredentials& caller) override {
    std::lock_guard<std::mutex> lock(mutex_);
    last_caller_ = caller;
    if (attest_error_) {
      return *attest_error_;
    }
    return Selectors{{"unix", "uid:" + std::to_string(caller.uid)}};
  }

  IdentitySnapshotPtr identitiesFor(const Selectors& /*selectors*/) override {
    std::lock_guard<std::mutex> lock(mutex_);
    return snapshot_;
  }

  Result<SubscriptionPtr> subscribe(const Selectors& /*selectors*/,
                                    std::function<void(IdentitySnapshotPtr)> on_update) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (subscribe_error_) {
      return *subscribe_error_;
    }
    const int id = next_id_++;
    subscribers_[id] = std::move(on_update);
    changed_.notify_all();
    return SubscriptionPtr(std::make_unique<Sub>(*this, id));
  }

  Result<std::string> fetchJwtSvid(const Selectors& /*selectors*/, const spiffe::SpiffeId& id,
                                   const std::vector<std::string>& audience) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (jwt_error_) {
      return *jwt_error_;
    }
    jwt::JwtSvidParams params;
    params.id = id;
    params.audience = audience;
    params.expiry = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) +
                    std::chrono::hours(1);
    params.extra_claims = {{"custom", "value"}};
    return jwt::signJwtSvid(params, *key_, kid_);
  }

private:
  class Sub final : public Subscription {
  public:
    Sub(FakeIdentitySource& source, int id) : source_(source), id_(id) {}
    ~Sub() override {
      std::lock_guard<std::mutex> lock(source_.mutex_);
      source_.subscribers_.erase(id_);
      source_.changed_.notify_all();
    }

  private:
    FakeIdentitySource& source_;
    int id_;
  };

  template <class F> void locked(F f) {
    std::lock_guard<std::mutex> lock(mutex_);
    f();
  }

  std::string kid_;
  crypto::EvpPkeyPtr key_;
  jwt::PublicKey public_key_;
  std::shared_ptr<jwt::JwtBundle> jwt_bundle_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  IdentitySnapshotPtr snapshot_;
  std::map<int, std::function<void(IdentitySnapshotPtr)>> subscribers_;
  int next_id_ = 0;
  std::optional<Status> attest_error_;
  std::optional<Status> subscribe_error_;
  std::optional<Status> jwt_error_;
  std::optional<CallerCredentials> last_caller_;
};

} // namespace spire::agent::endpoints::testing
