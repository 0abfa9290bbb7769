#include "agent/manager/server_channel.h"

#include <chrono>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>

#include "crypto/certificate.h"
#include "crypto/key.h"
#include "spiffe/spiffe_id.h"
#include "x509/x509_verify.h"

namespace spire::agent::manager {

void ServerTrust::setBundle(std::optional<x509::X509Bundle> bundle) {
  std::lock_guard<std::mutex> lock(mu_);
  bundle_ = std::move(bundle);
}

bool ServerTrust::insecure() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !bundle_.has_value();
}

Status ServerTrust::verify(const std::string& chain_pem) const {
  std::optional<x509::X509Bundle> bundle;
  {
    std::lock_guard<std::mutex> lock(mu_);
    bundle = bundle_;
  }
  if (!bundle.has_value()) {
    return Status::ok();
  }
  Result<std::vector<crypto::X509Shared>> chain = crypto::parseCertificatesPem(chain_pem);
  if (!chain) {
    return {StatusCode::kUnauthenticated,
            "server certificate verification failed: " + chain.status().message()};
  }
  x509::X509BundleSet set({*bundle});
  Result<x509::VerifiedX509Svid> verified =
      x509::verifyX509Svid(*chain, &set, std::chrono::system_clock::now());
  if (!verified) {
    return {StatusCode::kUnauthenticated,
            "server certificate verification failed: " + verified.status().message()};
  }
  const std::string expected = td_.idString() + "/spire/server";
  if (verified->id.toString() != expected) {
    return {StatusCode::kUnauthenticated,
            "unexpected server ID \"" + verified->id.toString() + "\""};
  }
  return Status::ok();
}

namespace {

class SpiffeServerVerifier : public grpc::experimental::ExternalCertificateVerifier {
public:
  explicit SpiffeServerVerifier(std::shared_ptr<ServerTrust> trust) : trust_(std::move(trust)) {}

  bool Verify(grpc::experimental::TlsCustomVerificationCheckRequest* request,
              std::function<void(grpc::Status)> /*callback*/, grpc::Status* sync_status) override {
    grpc::string_ref chain = request->peer_cert_full_chain();
    if (chain.empty()) {
      chain = request->peer_cert();
    }
    const Status status = trust_->verify(std::string(chain.data(), chain.size()));
    *sync_status = status.isOk()
                       ? grpc::Status::OK
                       : grpc::Status(grpc::StatusCode::UNAUTHENTICATED, status.message());
    return true;
  }

  void Cancel(grpc::experimental::TlsCustomVerificationCheckRequest* /*request*/) override {}

private:
  std::shared_ptr<ServerTrust> trust_;
};

} // namespace

Result<std::shared_ptr<grpc::Channel>> makeServerChannel(const std::string& target,
                                                         std::shared_ptr<ServerTrust> trust,
                                                         const x509::X509Svid* client) {
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_verify_server_certs(false); // our verifier does the SPIFFE check instead
  options.set_check_call_host(false);
  options.set_certificate_verifier(
      grpc::experimental::ExternalCertificateVerifier::Create<SpiffeServerVerifier>(
          std::move(trust)));
  if (client != nullptr) {
    Result<std::string> key_pem = crypto::marshalPkcs8PrivateKeyPem(*client->private_key);
    if (!key_pem) {
      return key_pem.status();
    }
    std::vector<grpc::experimental::IdentityKeyCertPair> pairs;
    pairs.push_back({*key_pem, crypto::certificatesToPem(client->certificates)});
    options.set_certificate_provider(
        std::make_shared<grpc::experimental::StaticDataCertificateProvider>(pairs));
    options.watch_identity_key_cert_pairs();
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      grpc::experimental::TlsCredentials(options);
  if (!credentials) {
    return internalError("unable to create TLS channel credentials");
  }
  grpc::ChannelArguments args;
  // Each channel is its own subchannel pool, so that a renewed client certificate really opens
  // a new connection instead of reusing one made with the old certificate.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // gRPC's default reconnect back-off grows to 2 min; the agent has its own sync back-off and
  // wants to notice a returning server within seconds.
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  return grpc::CreateCustomChannel(target, credentials, args);
}

} // namespace spire::agent::manager
