#include "server/api/changes/entry_changes_service.h"

#include <algorithm>
#include <string_view>

#include <openssl/rand.h>

#include "common/encoding.h"
#include "server/api/grpc_status.h"

namespace spire::server::api::changes {
namespace {

constexpr std::string_view kWatchAuthorizedEntries =
    "/spirecpp.server.changes.v1.EntryChanges/WatchAuthorizedEntries";

std::string randomInstance() {
  unsigned char raw[16] = {};
  if (RAND_bytes(raw, sizeof(raw)) != 1) {
    // Only uniqueness matters (a new value means "resync"); fall back to the clock.
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    for (std::size_t i = 0; i < sizeof(raw); ++i) {
      raw[i] = static_cast<unsigned char>(now >> ((i % 8) * 8));
    }
  }
  return hexEncode(std::string_view(reinterpret_cast<const char*>(raw), sizeof(raw)));
}

} // namespace

EntryChangesService::EntryChangesService(ServerState& state, const Authorizer& authorizer)
    : state_(state), authorizer_(authorizer), server_instance_(randomInstance()) {
  if (state_.index != nullptr) {
    subscription_ = state_.index->subscribe([this](std::uint64_t revision) {
      {
        std::lock_guard lock(mutex_);
        notified_ = std::max(notified_, revision);
      }
      cv_.notify_all();
    });
  }
}

EntryChangesService::~EntryChangesService() {
  shutdown();
  subscription_.reset();
}

void EntryChangesService::shutdown() {
  {
    std::lock_guard lock(mutex_);
    shutdown_ = true;
  }
  cv_.notify_all();
}

int EntryChangesService::openStreamsForTest() const {
  std::lock_guard lock(mutex_);
  return open_streams_;
}

grpc::Status EntryChangesService::WatchAuthorizedEntries(
    grpc::ServerContext* context, const changesv1::WatchAuthorizedEntriesRequest*,
    grpc::ServerWriter<changesv1::AuthorizedEntriesChanged>* writer) {
  auto caller = authorizer_.authorize(*context, kWatchAuthorizedEntries);
  if (!caller.isOk()) {
    return toGrpcStatus(caller.status());
  }
  if (!caller->id.has_value()) {
    return toGrpcStatus(internalError("caller ID missing from request context"));
  }
  if (!caller->agent) {
    return toGrpcStatus(
        Status(StatusCode::kPermissionDenied, "only agents may watch authorized entries"));
  }
  if (state_.index == nullptr) {
    return toGrpcStatus(internalError("no authorized entries index"));
  }
  const registration::AuthorizedEntriesIndex& index = *state_.index;
  const std::string agent_id = caller->id->toString();

  {
    std::lock_guard lock(mutex_);
    if (shutdown_) {
      return toGrpcStatus(Status(StatusCode::kUnavailable, "server is shutting down"));
    }
    ++open_streams_;
  }
  struct StreamCount {
    EntryChangesService& self;
    ~StreamCount() {
      std::lock_guard lock(self.mutex_);
      --self.open_streams_;
    }
  } stream_count{*this};

  auto send = [&](std::uint64_t revision) {
    changesv1::AuthorizedEntriesChanged message;
    message.set_revision(revision);
    message.set_server_instance(server_instance_);
    return writer->Write(message);
  };

  std::uint64_t last_sent = index.revision();
  if (!send(last_sent)) {
    return grpc::Status::OK;
  }
  while (true) {
    // Read the revision before asking whether this agent changed: a write landing in between
    // raises the revision above `seen`, so the wait below returns at once and the next round
    // sees it. A change is therefore never missed (at worst reported twice).
    const std::uint64_t seen = index.revision();
    if (seen > last_sent && index.changedSince(agent_id, last_sent)) {
      if (!send(seen)) {
        return grpc::Status::OK; // client gone
      }
      last_sent = seen;
      continue;
    }
    // Unrelated writes also move the revision; remember we judged them, so we do not re-ask.
    last_sent = std::max(last_sent, seen);
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, kPollInterval, [&] { return shutdown_ || notified_ > seen; });
    if (shutdown_) {
      return toGrpcStatus(Status(StatusCode::kUnavailable, "server is shutting down"));
    }
    lock.unlock();
    if (context->IsCancelled()) {
      return grpc::Status::CANCELLED;
    }
  }
}

} // namespace spire::server::api::changes
