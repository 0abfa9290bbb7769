#include "agent/sds/sds_service.h"

#include <openssl/rand.h>

#include <thread>

#include "agent/sds/sds_responses.h"
#include "common/encoding.h"

namespace spire::agent::sds {

namespace {

using envoy::service::discovery::v3::DiscoveryRequest;
using envoy::service::discovery::v3::DiscoveryResponse;
using Stream = grpc::ServerReaderWriter<DiscoveryResponse, DiscoveryRequest>;

grpc::Status toGrpc(const Status& status) {
  return {static_cast<grpc::StatusCode>(status.code()), status.message()};
}

grpc::Status contextCanceled() {
  return {grpc::StatusCode::CANCELLED, "context canceled"};
}

// SPIRE's nextNonce: 4 random bytes, hex.
Result<std::string> nextNonce() {
  unsigned char bytes[4];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return Status(StatusCode::kInternal, "unable to generate nonce");
  }
  return hexEncode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

// SPIRE's subListChanged: lengths first, then membership (order-insensitive).
bool resourceNamesChanged(const DiscoveryRequest& previous, const DiscoveryRequest& current) {
  if (previous.resource_names_size() != current.resource_names_size()) {
    return true;
  }
  const std::set<std::string> old_names(previous.resource_names().begin(),
                                        previous.resource_names().end());
  for (const std::string& name : current.resource_names()) {
    if (!old_names.contains(name)) {
      return true;
    }
  }
  return false;
}

} // namespace

SdsService::SdsService(SdsConfig config, endpoints::WorkloadIdentitySource& source,
                       const endpoints::PeerTracker& peers)
    : config_(std::move(config)), source_(source), peers_(peers) {}

void SdsService::shutdown() {
  std::lock_guard<std::mutex> lock(mutex_);
  shutting_down_ = true;
  for (StreamEvents* events : open_streams_) {
    events->close();
  }
}

bool SdsService::registerStream(StreamEvents& events) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (shutting_down_) {
    return false;
  }
  open_streams_.insert(&events);
  return true;
}

void SdsService::unregisterStream(StreamEvents& events) {
  std::lock_guard<std::mutex> lock(mutex_);
  open_streams_.erase(&events);
}

void SdsService::log(std::string_view line) const {
  if (config_.log) {
    config_.log(line);
  }
}

Result<endpoints::Selectors> SdsService::attestCaller(grpc::ServerContext& context) {
  const Status failed(StatusCode::kUnavailable, "workload attestation failed");
  Result<endpoints::CallerCredentials> caller = peers_.lookup(context.peer());
  if (!caller) {
    return failed;
  }
  Result<endpoints::Selectors> selectors = source_.attest(*caller);
  if (!selectors) {
    return failed;
  }
  // The attestor saw whatever process had the PID then; it must still be the one that connected.
  if (!endpoints::checkSameProcess(*caller).isOk()) {
    return failed;
  }
  return selectors;
}

grpc::Status SdsService::DeltaSecrets(
    grpc::ServerContext* /*context*/,
    grpc::ServerReaderWriter<envoy::service::discovery::v3::DeltaDiscoveryResponse,
                             envoy::service::discovery::v3::DeltaDiscoveryRequest>* /*stream*/) {
  return {grpc::StatusCode::UNIMPLEMENTED, "Method is not implemented"};
}

grpc::Status SdsService::FetchSecrets(grpc::ServerContext* context, const DiscoveryRequest* request,
                                      DiscoveryResponse* response) {
  Result<endpoints::Selectors> selectors = attestCaller(*context);
  if (!selectors) {
    return toGrpc(selectors.status());
  }
  const endpoints::IdentitySnapshotPtr snapshot = source_.identitiesFor(*selectors);
  Result<DiscoveryResponse> built = buildResponse(config_, *request, *snapshot, "");
  if (!built) {
    return toGrpc(built.status());
  }
  *response = std::move(*built);
  return grpc::Status::OK;
}

grpc::Status SdsService::StreamSecrets(grpc::ServerContext* context, Stream* stream) {
  Result<endpoints::Selectors> selectors = attestCaller(*context);
  if (!selectors) {
    return toGrpc(selectors.status());
  }
  auto events = std::make_shared<StreamEvents>();
  Result<endpoints::SubscriptionPtr> subscription =
      source_.subscribe(*selectors, [events](endpoints::IdentitySnapshotPtr snapshot) {
        events->pushUpdate(std::move(snapshot));
      });
  if (!subscription) {
    return {grpc::StatusCode::UNKNOWN, subscription.status().message()};
  }
  if (!registerStream(*events)) {
    return contextCanceled();
  }
  // The current state is the subscription's first update (SPIRE's cache sends one at once).
  events->pushUpdate(source_.identitiesFor(*selectors));

  std::thread reader([stream, events] {
    DiscoveryRequest request;
    while (stream->Read(&request)) {
      if (!events->pushRequest(std::move(request))) {
        return;
      }
      request.Clear();
    }
    events->endOfStream();
  });
  // Every way out: free a parked reader, or cancel the call so a blocking Read returns.
  struct Cleanup {
    SdsService& service;
    grpc::ServerContext& context;
    StreamEvents& events;
    std::thread& reader;
    ~Cleanup() {
      if (!events.readerIdle()) {
        context.TryCancel();
      }
      events.close();
      reader.join();
      service.unregisterStream(events);
    }
  } cleanup{*this, *context, *events, reader};

  std::uint64_t version_counter = 0;
  std::string version_info = "0";
  std::string last_nonce;
  envoy::config::core::v3::Node last_node;
  endpoints::IdentitySnapshotPtr snapshot;
  std::optional<DiscoveryRequest> last_request;

  for (;;) {
    StreamEvents::Event event = events->next(*context);
    switch (event.kind) {
    case StreamEvents::Event::Kind::kStop:
      return contextCanceled();
    case StreamEvents::Event::Kind::kEndOfStream:
      return grpc::Status::OK;
    case StreamEvents::Event::Kind::kUpdate:
      // A snapshot without the own bundle is not an update yet (SPIRE's cache always has it).
      if (event.snapshot->bundle == nullptr) {
        continue;
      }
      snapshot = std::move(event.snapshot);
      version_info = std::to_string(++version_counter);
      if (!last_request.has_value()) {
        continue;
      }
      break;
    case StreamEvents::Event::Kind::kRequest: {
      DiscoveryRequest& request = event.request;
      if (request.has_error_detail()) {
        log("Envoy reported errors applying secrets: " + request.error_detail().message());
      }
      if (!last_nonce.empty() && last_nonce != request.response_nonce()) {
        log("Received unexpected nonce; ignoring request");
        events->release(true);
        continue;
      }
      if (request.version_info().empty() || request.version_info() != version_info) {
        log("Client rejected expected version and rolled back");
      }
      if (request.has_node()) {
        last_node = request.node();
      } else {
        *request.mutable_node() = last_node;
      }
      const bool send = !last_request.has_value() || resourceNamesChanged(*last_request, request);
      last_request = std::move(request);
      if (!send || snapshot == nullptr) {
        events->release(true);
        continue;
      }
      break;
    }
    }

    Result<DiscoveryResponse> response =
        buildResponse(config_, *last_request, *snapshot, version_info);
    if (!response) {
      // A parked reader stays parked; Cleanup then ends the call with this status.
      return toGrpc(response.status());
    }
    Result<std::string> nonce = nextNonce();
    if (!nonce) {
      return toGrpc(nonce.status());
    }
    last_nonce = *nonce;
    response->set_nonce(std::move(*nonce));
    if (!stream->Write(*response)) {
      return contextCanceled();
    }
    if (events->requestUnreleased()) {
      events->release(true);
    }
  }
}

} // namespace spire::agent::sds
