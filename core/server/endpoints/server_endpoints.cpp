#include "server/endpoints/server_endpoints.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <grpc/grpc.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "server/endpoints/denial_details.h"

namespace spire::server::endpoints {

namespace {

Status unavailable(std::string message) {
  return {StatusCode::kUnavailable, std::move(message)};
}

std::string errnoText(int error) {
  return std::strerror(error);
}

bool isIpv6Literal(const std::string& address) {
  return address.find(':') != std::string::npos && address.front() != '[';
}

std::string hostPort(const std::string& host, int port) {
  return (isIpv6Literal(host) ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// Whether something accepts connections on the socket: then it is not stale, and replacing it
// would silently take the address from a running server.
bool socketIsLive(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return false;
  }
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  const bool live = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return live;
}

// SPIRE's prepareLocalAddr: the parent directory exists (created 0750), nothing but a stale
// socket is replaced.
Status prepareSocketPath(const std::string& path) {
  if (path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return invalidArgument("socket path too long: " + path);
  }
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) {
      std::filesystem::create_directories(dir, ec);
      if (ec) {
        return unavailable("unable to create socket directory " + dir.string() + ": " +
                           ec.message());
      }
      if (::chmod(dir.c_str(), 0750) != 0) {
        return unavailable("unable to create socket directory " + dir.string() + ": " +
                           errnoText(errno));
      }
    }
  }
  struct stat st = {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return {StatusCode::kFailedPrecondition, "refusing to replace " + path + ": not a socket"};
    }
    if (socketIsLive(path)) {
      return unavailable("unable to listen on unix:" + path + ": a server is listening there");
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return unavailable("unable to remove stale socket " + path + ": " + errnoText(errno));
    }
  }
  return {};
}

void removeSocket(const std::string& path) {
  struct stat st = {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
    ::unlink(path.c_str());
  }
}

} // namespace

EndpointsConfig EndpointsConfig::fromServerConfig(const config::ServerConfig& config) {
  EndpointsConfig out;
  out.bind_address = config.bind_address;
  out.bind_port = config.bind_port;
  out.socket_path = config.socket_path;
  return out;
}

ServerEndpoints::ServerEndpoints(EndpointsConfig config, api::ServerState& state)
    : config_(std::move(config)), state_(state) {}

ServerEndpoints::~ServerEndpoints() {
  stop();
}

Result<std::unique_ptr<ServerEndpoints>>
ServerEndpoints::start(EndpointsConfig config, api::ServerState& state,
                       std::vector<grpc::Service*> services) {
  std::unique_ptr<ServerEndpoints> self(new ServerEndpoints(std::move(config), state));
  self->svid_ = std::make_unique<ServerSvid>(state);
  self->tls_ = std::make_unique<RotatingTlsCredentials>(*self->svid_);
  Result<std::shared_ptr<grpc::ServerCredentials>> tls = self->tls_->credentials();
  if (!tls.isOk()) {
    return tls.status();
  }

  grpc::ServerBuilder builder;
  // A second server on the same port must fail to bind, not share it.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  const std::string tcp_address = hostPort(self->config_.bind_address, self->config_.bind_port);
  builder.AddListeningPort(tcp_address, *tls, &self->tcp_port_);
  const std::string& socket_path = self->config_.socket_path;
  if (!socket_path.empty()) {
    if (Status prepared = prepareSocketPath(socket_path); !prepared.isOk()) {
      return prepared;
    }
    builder.AddListeningPort("unix:" + socket_path, grpc::InsecureServerCredentials());
  }
  for (grpc::Service* service : services) {
    builder.RegisterService(service);
  }
  if (self->config_.denial_details != nullptr) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
    creators.push_back(
        std::make_unique<DenialDetailsInterceptorFactory>(*self->config_.denial_details));
    builder.experimental().SetInterceptorCreators(std::move(creators));
    self->config_.denial_details->recordDenialReasons(true);
  }
  self->server_ = builder.BuildAndStart();
  if (self->server_ == nullptr) {
    if (!socket_path.empty()) {
      removeSocket(socket_path); // in case the UDS was bound before the other port failed
    }
    if (self->tcp_port_ == 0) {
      return unavailable("unable to listen on " + tcp_address);
    }
    return unavailable("unable to listen on unix:" + socket_path);
  }
  if (!socket_path.empty()) {
    self->socket_created_ = true;
    if (::chmod(socket_path.c_str(), 0770) != 0) {
      Status error =
          unavailable("unable to set permissions on " + socket_path + ": " + errnoText(errno));
      self->stop();
      return error;
    }
  }
  return self;
}

void ServerEndpoints::stop() {
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() + config_.shutdown_grace);
    server_->Wait();
    server_.reset();
  }
  if (socket_created_) {
    removeSocket(config_.socket_path);
    socket_created_ = false;
  }
}

std::string ServerEndpoints::tcpTarget() const {
  std::string host = config_.bind_address;
  if (host.empty() || host == "0.0.0.0") {
    host = "127.0.0.1";
  } else if (host == "::") {
    host = "::1";
  }
  return hostPort(host, tcp_port_);
}

std::vector<crypto::X509Shared> ServerEndpoints::svidChain() {
  Result<std::shared_ptr<const ServerSvidSnapshot>> current = svid_->current();
  if (!current.isOk()) {
    return {};
  }
  return (*current)->chain;
}

} // namespace spire::server::endpoints
