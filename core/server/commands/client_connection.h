#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <grpcpp/channel.h>
#include <grpcpp/support/status.h>

#include "cli/flag_set.h"
#include "common/status.h"

namespace spire::server::commands {

// A gRPC channel to the server's admin socket (-socketPath). As in SPIRE, the path is made
// absolute and the channel connects lazily, so a missing server shows at the first RPC. Its
// failure is then reported in grpc-go's words rather than grpc-core's:
//   rpc error: code = Unavailable desc = connection error: desc = "transport: Error while
//   dialing: dial unix //<abs path>: connect: no such file or directory"
class ServerConnection {
public:
  static ServerConnection open(const std::string& socket_path);
  // The -socketPath flag of a parsed command.
  static ServerConnection fromFlags(const cli::ParsedFlags& flags);

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  const std::string& socketPath() const { return path_; }

  // grpc-go's text for a failed RPC on this connection ("rpc error: code = ... desc = ...").
  std::string errorText(const grpc::Status& status) const;
  // The failed RPC as a RunFunction result: "<prefix>: <errorText>" (no prefix when empty).
  Status failure(const grpc::Status& status, std::string_view prefix = {}) const;

private:
  ServerConnection(std::string path, std::shared_ptr<grpc::Channel> channel)
      : path_(std::move(path)), channel_(std::move(channel)) {}
  std::string path_;
  std::shared_ptr<grpc::Channel> channel_;
};

// Go's codes.Code.String(): "OK", "InvalidArgument", ..., or "Code(<n>)" for unknown values.
std::string goCodeName(int code);

// grpc-go's status error text: "rpc error: code = <Name> desc = <message>".
// Go's filepath.Abs: the path joined to the working directory when relative, then cleaned.
std::string absolutePath(const std::string& path);
std::string rpcErrorText(const grpc::Status& status);

// A plain error text for a RunFunction (SPIRE's errors.New / fmt.Errorf).
inline Status commandError(std::string message) {
  return Status(StatusCode::kUnknown, std::move(message));
}

} // namespace spire::server::commands
