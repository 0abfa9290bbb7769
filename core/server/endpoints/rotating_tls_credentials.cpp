#include "server/endpoints/rotating_tls_credentials.h"

#include <grpc/grpc.h>

namespace spire::server::endpoints {

namespace {

// grpc::ServerCredentials around a C-core credentials object: gRPC's C++ layer adds the port
// through the private virtual AddPortToServer, which a subclass may override.
class CoreServerCredentials final : public grpc::ServerCredentials {
public:
  explicit CoreServerCredentials(grpc_server_credentials* creds) : creds_(creds) {}
  ~CoreServerCredentials() override { grpc_server_credentials_release(creds_); }
  CoreServerCredentials(const CoreServerCredentials&) = delete;
  CoreServerCredentials& operator=(const CoreServerCredentials&) = delete;

  // Authorization happens in the handlers (server/api/authorizer.h), not in a metadata processor.
  void SetAuthMetadataProcessor(const std::shared_ptr<grpc::AuthMetadataProcessor>&) override {}

private:
  int AddPortToServer(const std::string& addr, grpc_server* server) override {
    return grpc_server_add_http2_port(server, addr.c_str(), creds_);
  }

  grpc_server_credentials* creds_;
};

} // namespace

Result<std::shared_ptr<grpc::ServerCredentials>> RotatingTlsCredentials::credentials() {
  // Fail here, with the reason, rather than inside gRPC's port setup with a bare log line.
  Result<std::shared_ptr<const ServerSvidSnapshot>> first = svid_.current();
  if (!first.isOk()) {
    return first.status().withPrefix("unable to get the server SVID");
  }
  grpc_ssl_server_credentials_options* options =
      grpc_ssl_server_credentials_create_options_using_config_fetcher(
          GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY, &RotatingTlsCredentials::fetch, this);
  if (options == nullptr) {
    return internalError("unable to create TLS server options");
  }
  grpc_server_credentials* creds = grpc_ssl_server_credentials_create_with_options(options);
  if (creds == nullptr) {
    return internalError("unable to create TLS server credentials");
  }
  return std::shared_ptr<grpc::ServerCredentials>(std::make_shared<CoreServerCredentials>(creds));
}

std::uint64_t RotatingTlsCredentials::configsServed() const {
  std::lock_guard lock(mutex_);
  return configs_served_;
}

grpc_ssl_certificate_config_reload_status
RotatingTlsCredentials::fetch(void* self, grpc_ssl_server_certificate_config** out) {
  return static_cast<RotatingTlsCredentials*>(self)->fetch(out);
}

grpc_ssl_certificate_config_reload_status
RotatingTlsCredentials::fetch(grpc_ssl_server_certificate_config** out) {
  Result<std::shared_ptr<const ServerSvidSnapshot>> snapshot = svid_.current();
  if (!snapshot.isOk()) {
    return GRPC_SSL_CERTIFICATE_CONFIG_RELOAD_FAIL; // gRPC keeps the config it has
  }
  const ServerSvidSnapshot& svid = **snapshot;
  std::lock_guard lock(mutex_);
  if (served_generation_ == svid.generation) {
    return GRPC_SSL_CERTIFICATE_CONFIG_RELOAD_UNCHANGED;
  }
  grpc_ssl_pem_key_cert_pair pair{svid.key_pem.c_str(), svid.chain_pem.c_str()};
  // gRPC copies the strings.
  *out = grpc_ssl_server_certificate_config_create(svid.bundle_pem.c_str(), &pair, 1);
  if (*out == nullptr) {
    return GRPC_SSL_CERTIFICATE_CONFIG_RELOAD_FAIL;
  }
  served_generation_ = svid.generation;
  ++configs_served_;
  return GRPC_SSL_CERTIFICATE_CONFIG_RELOAD_NEW;
}

} // namespace spire::server::endpoints
