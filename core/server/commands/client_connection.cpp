#include "server/commands/client_connection.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "common/go_quote.h"

namespace spire::server::commands {
namespace {

// Go's syscall.Errno texts for the errors a UDS connect can give; glibc's strerror differs in
// case ("No such file or directory").
std::string errnoText(int err) {
  switch (err) {
  case ENOENT:
    return "no such file or directory";
  case ECONNREFUSED:
    return "connection refused";
  case EACCES:
    return "permission denied";
  case ENOTSOCK:
    return "socket operation on non-socket";
  case ENOTDIR:
    return "not a directory";
  case EPROTOTYPE:
    return "protocol wrong type for socket";
  case EINVAL:
    return "invalid argument";
  default:
    break;
  }
  std::string text = std::strerror(err);
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') {
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  }
  return text;
}

// Why a connect() to the socket fails now, or "" when it succeeds.
std::string connectFailure(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) {
    return "invalid argument";
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return errnoText(errno);
  }
  int rc = 0;
  do {
    rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  } while (rc != 0 && errno == EINTR);
  const int err = errno;
  ::close(fd);
  return rc == 0 ? std::string() : errnoText(err);
}

} // namespace

std::string absolutePath(const std::string& path) {
  std::filesystem::path p(path);
  if (p.is_relative()) {
    std::error_code ignored;
    p = std::filesystem::current_path(ignored) / p;
  }
  std::string out = p.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') {
    out.pop_back();
  }
  return out;
}

ServerConnection ServerConnection::open(const std::string& socket_path) {
  std::string path = absolutePath(socket_path);
  auto channel = grpc::CreateChannel("unix:" + path, grpc::InsecureChannelCredentials());
  return ServerConnection(std::move(path), std::move(channel));
}

ServerConnection ServerConnection::fromFlags(const cli::ParsedFlags& flags) {
  return open(flags.getString("socketPath"));
}

std::string ServerConnection::errorText(const grpc::Status& status) const {
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    // grpc-core words a dial failure its own way; when the socket really cannot be reached,
    // say it as grpc-go does (its target is "unix://" + the absolute path).
    if (const std::string why = connectFailure(path_); !why.empty()) {
      return "rpc error: code = Unavailable desc = connection error: desc = " +
             goQuote("transport: Error while dialing: dial unix //" + path_ + ": connect: " + why);
    }
  }
  return rpcErrorText(status);
}

Status ServerConnection::failure(const grpc::Status& status, std::string_view prefix) const {
  std::string text = errorText(status);
  if (!prefix.empty()) {
    text = std::string(prefix) + ": " + text;
  }
  return commandError(std::move(text));
}

std::string goCodeName(int code) {
  static constexpr std::array<const char*, 17> kNames = {
      "OK",       "Canceled",       "Unknown",          "InvalidArgument",   "DeadlineExceeded",
      "NotFound", "AlreadyExists",  "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
      "Aborted",  "OutOfRange",     "Unimplemented",    "Internal",          "Unavailable",
      "DataLoss", "Unauthenticated"};
  if (code >= 0 && code < static_cast<int>(kNames.size())) {
    return kNames[static_cast<std::size_t>(code)];
  }
  return "Code(" + std::to_string(code) + ")";
}

std::string rpcErrorText(const grpc::Status& status) {
  return "rpc error: code = " + goCodeName(static_cast<int>(status.error_code())) +
         " desc = " + status.error_message();
}

} // namespace spire::server::commands
