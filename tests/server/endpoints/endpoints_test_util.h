#pragma once
// Helpers for the endpoint tests: a probe service that reports the caller the authorizer
// established, agent SVIDs signed by the fixture's CA, and TLS client channels.
#include <memory>
#include <optional>
#include <string>

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>

#include "crypto/certificate.h"
#include "crypto/key.h"
#include "server/api/authorizer.h"
#include "server/api/grpc_status.h"
#include "server_fixture.h"
#include "spire/api/server/bundle/v1/bundle.grpc.pb.h"

namespace spire::server::endpoints::testing {

namespace bundlev1 = ::spire::api::server::bundle::v1;

// "local=<0|1> id=<id or -> admin=<0|1> downstream=<0|1> agent=<0|1> chain=<n>"
inline std::string describe(const api::Caller& caller) {
  return std::string("local=") + (caller.local ? "1" : "0") +
         " id=" + (caller.id ? caller.id->toString() : "-") +
         " admin=" + (caller.admin ? "1" : "0") + " downstream=" + (caller.downstream ? "1" : "0") +
         " agent=" + (caller.agent ? "1" : "0") + " chain=" + std::to_string(caller.chain.size());
}

// Implements a few Bundle methods with SPIRE's policies (GetBundle: any; CountBundles: local,
// admin; GetFederatedBundle: local, admin, agent; PublishJWTAuthority: downstream) and answers
// with the caller, in Bundle.trust_domain.
class ProbeService final : public bundlev1::Bundle::Service {
public:
  explicit ProbeService(const api::Authorizer& authorizer) : authorizer_(authorizer) {}

  grpc::Status GetBundle(grpc::ServerContext* context, const bundlev1::GetBundleRequest*,
                         ::spire::api::types::Bundle* response) override {
    return answer(*context, "/spire.api.server.bundle.v1.Bundle/GetBundle", response);
  }
  grpc::Status GetFederatedBundle(grpc::ServerContext* context,
                                  const bundlev1::GetFederatedBundleRequest*,
                                  ::spire::api::types::Bundle* response) override {
    return answer(*context, "/spire.api.server.bundle.v1.Bundle/GetFederatedBundle", response);
  }
  grpc::Status CountBundles(grpc::ServerContext* context, const bundlev1::CountBundlesRequest*,
                            bundlev1::CountBundlesResponse* response) override {
    auto caller =
        authorizer_.authorize(*context, "/spire.api.server.bundle.v1.Bundle/CountBundles");
    if (!caller.isOk()) {
      return api::toGrpcStatus(caller.status());
    }
    response->set_count(caller->admin ? 2 : 1);
    return grpc::Status::OK;
  }
  grpc::Status PublishJWTAuthority(grpc::ServerContext* context,
                                   const bundlev1::PublishJWTAuthorityRequest*,
                                   bundlev1::PublishJWTAuthorityResponse*) override {
    auto caller =
        authorizer_.authorize(*context, "/spire.api.server.bundle.v1.Bundle/PublishJWTAuthority");
    return caller.isOk() ? grpc::Status::OK : api::toGrpcStatus(caller.status());
  }

private:
  grpc::Status answer(grpc::ServerContext& context, std::string_view method,
                      ::spire::api::types::Bundle* response) {
    auto caller = authorizer_.authorize(context, method);
    if (!caller.isOk()) {
      return api::toGrpcStatus(caller.status());
    }
    response->set_trust_domain(describe(*caller));
    return grpc::Status::OK;
  }

  const api::Authorizer& authorizer_;
};

// An X.509-SVID and its key, as a client presents it.
struct ClientSvid {
  std::vector<crypto::X509Shared> chain;
  crypto::EvpPkeyPtr key;
  std::string chainPem() const { return crypto::certificatesToPem(chain); }
  std::string keyPem() const { return *crypto::marshalPkcs8PrivateKeyPem(*key); }
  std::string serial() const { return crypto::serialNumberDecimal(*chain.front()); }
};

inline ClientSvid agentSvid(api::testing::ServerFixture& f, const std::string& agent_id) {
  ClientSvid svid;
  svid.key = crypto::generateKey(crypto::KeyType::kEcP256).value();
  auto chain = f.ca().signAgentX509Svid(*spiffe::SpiffeId::parse(agent_id), svid.key.get());
  if (!chain.isOk()) {
    throw std::runtime_error(chain.status().message());
  }
  svid.chain = std::move(*chain);
  return svid;
}

inline ClientSvid workloadSvid(api::testing::ServerFixture& f, const std::string& id) {
  ClientSvid svid;
  svid.key = crypto::generateKey(crypto::KeyType::kEcP256).value();
  auto chain = f.ca().signWorkloadX509Svid(*spiffe::SpiffeId::parse(id), svid.key.get(),
                                           std::chrono::seconds(0), {});
  if (!chain.isOk()) {
    throw std::runtime_error(chain.status().message());
  }
  svid.chain = std::move(*chain);
  return svid;
}

// Records an attested node whose current serial is the SVID's.
inline void attest(api::testing::ServerFixture& f, const std::string& agent_id,
                   const ClientSvid& svid) {
  plugin_host::AttestedNode node;
  node.spiffe_id = agent_id;
  node.attestation_data_type = "join_token";
  node.cert_serial_number = svid.serial();
  node.cert_not_after = std::chrono::duration_cast<std::chrono::seconds>(
                            crypto::notAfter(*svid.chain.front()).time_since_epoch())
                            .count();
  auto created = f.datastore().createAttestedNode(node);
  if (!created.isOk()) {
    throw std::runtime_error(created.status().message());
  }
}

inline std::string bundlePem(api::testing::ServerFixture& f) {
  return f.ca().snapshot()->bundle->toPem();
}

// A TLS channel that verifies the server's chain against `roots_pem` (no host name check: the
// server's SVID has only a URI SAN) and presents `client` when given.
inline std::shared_ptr<grpc::Channel> tlsChannel(const std::string& target,
                                                 const std::string& roots_pem,
                                                 const ClientSvid* client = nullptr) {
  std::vector<grpc::experimental::IdentityKeyCertPair> pairs;
  if (client != nullptr) {
    pairs.push_back({client->keyPem(), client->chainPem()});
  }
  auto provider =
      std::make_shared<grpc::experimental::StaticDataCertificateProvider>(roots_pem, pairs);
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(provider);
  options.watch_root_certs();
  if (client != nullptr) {
    options.watch_identity_key_cert_pairs();
  }
  options.set_verify_server_certs(true);
  options.set_certificate_verifier(std::make_shared<grpc::experimental::NoOpCertificateVerifier>());
  options.set_check_call_host(false);
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(target, grpc::experimental::TlsCredentials(options), args);
}

inline std::shared_ptr<grpc::Channel> udsChannel(const std::string& path) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel("unix:" + path, grpc::InsecureChannelCredentials(), args);
}

inline std::unique_ptr<grpc::ClientContext> clientContext() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return context;
}

} // namespace spire::server::endpoints::testing
