#include "agent/sds/stream_events.h"

#include "agent/endpoints/update_queue.h"

namespace spire::agent::sds {

bool StreamEvents::pushRequest(envoy::service::discovery::v3::DiscoveryRequest request) {
  std::unique_lock<std::mutex> lock(mutex_);
  request_ = std::move(request);
  reader_parked_ = true;
  release_.reset();
  changed_.notify_all();
  changed_.wait(lock, [&] { return release_.has_value() || closed_; });
  reader_parked_ = false;
  return release_.value_or(false) && !closed_;
}

void StreamEvents::endOfStream() {
  std::lock_guard<std::mutex> lock(mutex_);
  end_of_stream_ = true;
  changed_.notify_all();
}

void StreamEvents::release(bool keep_reading) {
  std::lock_guard<std::mutex> lock(mutex_);
  release_ = keep_reading;
  changed_.notify_all();
}

bool StreamEvents::readerIdle() {
  std::lock_guard<std::mutex> lock(mutex_);
  return reader_parked_ || end_of_stream_;
}

bool StreamEvents::requestUnreleased() {
  std::lock_guard<std::mutex> lock(mutex_);
  return reader_parked_ && !request_.has_value() && !release_.has_value();
}

void StreamEvents::pushUpdate(endpoints::IdentitySnapshotPtr snapshot) {
  std::lock_guard<std::mutex> lock(mutex_);
  update_ = std::move(snapshot);
  changed_.notify_all();
}

void StreamEvents::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

StreamEvents::Event StreamEvents::next(grpc::ServerContext& context) {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    Event event;
    if (closed_ || context.IsCancelled()) {
      return event;
    }
    if (update_ != nullptr) {
      event.kind = Event::Kind::kUpdate;
      event.snapshot = std::exchange(update_, nullptr);
      return event;
    }
    if (request_.has_value()) {
      event.kind = Event::Kind::kRequest;
      event.request = std::move(*request_);
      request_.reset();
      return event;
    }
    if (end_of_stream_) {
      event.kind = Event::Kind::kEndOfStream;
      return event;
    }
    // The sync API has no cancellation callback: poll as the Workload API streams do.
    changed_.wait_for(lock, endpoints::UpdateQueue::kCancelPollInterval);
  }
}

} // namespace spire::agent::sds
