#include "server/endpoints/server_svid.h"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include "crypto/certificate.h"
#include "crypto/key.h"

namespace spire::server::endpoints {

ServerSvidSnapshot::~ServerSvidSnapshot() {
  OPENSSL_cleanse(key_pem.data(), key_pem.size());
}

std::shared_ptr<const ServerSvidSnapshot> ServerSvid::last() const {
  std::lock_guard lock(mutex_);
  return current_;
}

Result<std::shared_ptr<const ServerSvidSnapshot>> ServerSvid::current() {
  std::lock_guard lock(mutex_);
  std::shared_ptr<const ca::CaSnapshot> ca = state_.ca != nullptr ? state_.ca->snapshot() : nullptr;
  if (ca == nullptr || ca->x509 == nullptr || ca->bundle == nullptr) {
    if (current_ != nullptr) {
      return current_;
    }
    return Status(StatusCode::kFailedPrecondition, std::string(ca::kErrNoX509Ca));
  }
  const std::uint64_t generation = current_ != nullptr ? current_->generation : 0;
  const bool svid_due = current_ == nullptr || current_->authority_id != ca->x509->authority_id ||
                        state_.now() >= current_->renew_at;
  if (svid_due) {
    Result<std::shared_ptr<const ServerSvidSnapshot>> renewed = renew(*ca, generation + 1);
    if (!renewed.isOk()) {
      if (current_ == nullptr) {
        return renewed.status();
      }
      // Keep serving the last SVID; the next handshake tries again.
      spdlog::logger& log = state_.logger != nullptr ? *state_.logger : *spdlog::default_logger();
      log.warn("Unable to renew the server SVID: {}", renewed.status().message());
      return current_;
    }
    current_ = std::move(*renewed);
    return current_;
  }
  if (current_->bundle != ca->bundle) {
    auto next = std::make_shared<ServerSvidSnapshot>(*current_);
    next->bundle = ca->bundle;
    if (!current_->bundle->equals(*ca->bundle)) {
      next->bundle_pem = ca->bundle->toPem();
      next->generation = generation + 1;
    }
    current_ = std::move(next);
  }
  return current_;
}

Result<std::shared_ptr<const ServerSvidSnapshot>> ServerSvid::renew(const ca::CaSnapshot& ca,
                                                                    std::uint64_t generation) {
  Result<crypto::EvpPkeyPtr> key = crypto::generateKey(crypto::KeyType::kEcP256);
  if (!key.isOk()) {
    return key.status();
  }
  Result<std::vector<crypto::X509Shared>> chain = state_.ca->signServerX509Svid(key->get());
  if (!chain.isOk()) {
    return chain.status();
  }
  if (chain->empty()) {
    return internalError("the CA returned an empty server SVID chain");
  }
  Result<std::string> key_pem = crypto::marshalPkcs8PrivateKeyPem(**key);
  if (!key_pem.isOk()) {
    return key_pem.status();
  }
  auto snapshot = std::make_shared<ServerSvidSnapshot>();
  const X509& leaf = *chain->front();
  const api::TimePoint not_before = crypto::notBefore(leaf);
  const api::TimePoint not_after = crypto::notAfter(leaf);
  snapshot->renew_at = not_before + (not_after - not_before) / 2;
  snapshot->chain_pem = crypto::certificatesToPem(*chain);
  snapshot->chain = std::move(*chain);
  snapshot->key_pem = std::move(*key_pem);
  snapshot->bundle = ca.bundle;
  snapshot->bundle_pem = ca.bundle->toPem();
  snapshot->authority_id = ca.x509->authority_id;
  snapshot->generation = generation;
  return std::shared_ptr<const ServerSvidSnapshot>(std::move(snapshot));
}

} // namespace spire::server::endpoints
