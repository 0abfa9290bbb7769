#include "agent/commands/workload_client.h"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

namespace spire::agent::commands {

WorkloadClient::WorkloadClient(std::string socket_path, std::chrono::nanoseconds timeout)
    : socket_path_(std::move(socket_path)), timeout_(timeout) {
  channel_ = grpc::CreateChannel("unix:" + socket_path_, grpc::InsecureChannelCredentials());
  workload_ = SpiffeWorkloadAPI::NewStub(channel_);
  health_ = grpc::health::v1::Health::NewStub(channel_);
}

std::unique_ptr<grpc::ClientContext> WorkloadClient::newContext(bool security_header) const {
  auto context = std::make_unique<grpc::ClientContext>();
  if (security_header) {
    context->AddMetadata("workload.spiffe.io", "true");
  }
  if (timeout_.count() > 0) {
    context->set_deadline(
        std::chrono::system_clock::now() +
        std::chrono::duration_cast<std::chrono::system_clock::duration>(timeout_));
  }
  return context;
}

std::string WorkloadClient::errorText(const grpc::Status& status) const {
  std::string message = status.error_message();
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    // gRPC C++ says "failed to connect to all addresses; ..."; name the dial failure as grpc-go.
    const std::string dial_error = unixDialError(socket_path_);
    if (!dial_error.empty()) {
      message = "connection error: desc = \"transport: Error while dialing: dial unix " +
                socket_path_ + ": connect: " + dial_error + "\"";
    }
  } else if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED &&
             message == "Deadline Exceeded") {
    message = "context deadline exceeded";
  }
  return goRpcErrorText(status.error_code(), message);
}

std::string goCodeName(grpc::StatusCode code) {
  switch (code) {
  case grpc::StatusCode::OK:
    return "OK";
  case grpc::StatusCode::CANCELLED:
    return "Canceled";
  case grpc::StatusCode::UNKNOWN:
    return "Unknown";
  case grpc::StatusCode::INVALID_ARGUMENT:
    return "InvalidArgument";
  case grpc::StatusCode::DEADLINE_EXCEEDED:
    return "DeadlineExceeded";
  case grpc::StatusCode::NOT_FOUND:
    return "NotFound";
  case grpc::StatusCode::ALREADY_EXISTS:
    return "AlreadyExists";
  case grpc::StatusCode::PERMISSION_DENIED:
    return "PermissionDenied";
  case grpc::StatusCode::RESOURCE_EXHAUSTED:
    return "ResourceExhausted";
  case grpc::StatusCode::FAILED_PRECONDITION:
    return "FailedPrecondition";
  case grpc::StatusCode::ABORTED:
    return "Aborted";
  case grpc::StatusCode::OUT_OF_RANGE:
    return "OutOfRange";
  case grpc::StatusCode::UNIMPLEMENTED:
    return "Unimplemented";
  case grpc::StatusCode::INTERNAL:
    return "Internal";
  case grpc::StatusCode::UNAVAILABLE:
    return "Unavailable";
  case grpc::StatusCode::DATA_LOSS:
    return "DataLoss";
  case grpc::StatusCode::UNAUTHENTICATED:
    return "Unauthenticated";
  default:
    return "Code(" + std::to_string(static_cast<int>(code)) + ")";
  }
}

std::string goRpcErrorText(grpc::StatusCode code, const std::string& message) {
  return "rpc error: code = " + goCodeName(code) + " desc = " + message;
}

std::string unixDialError(const std::string& path) {
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) {
    return "invalid argument";
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return "socket: " + std::string(std::strerror(errno));
  }
  std::string error;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    // Go's syscall.Errno texts are the C library's with a lower-case first letter.
    error = std::strerror(errno);
    if (!error.empty() && error[0] >= 'A' && error[0] <= 'Z') {
      error[0] = static_cast<char>(error[0] - 'A' + 'a');
    }
  }
  ::close(fd);
  return error;
}

} // namespace spire::agent::commands
