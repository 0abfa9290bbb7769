#include "integration/support/server_api_client.h"

#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/x509.h>

#include "common/encoding.h"
#include "crypto/certificate.h"
#include "crypto/csr.h"
#include "crypto/key.h"
#include "spire/api/server/agent/v1/agent.grpc.pb.h"

namespace spire::integration {
namespace {

namespace agentv1 = ::spire::api::server::agent::v1;

struct KeyAndCsr {
  std::string key_pem;
  std::string csr_der;
};

KeyAndCsr freshKeyAndCsr() {
  KeyAndCsr out;
  auto key = crypto::generateKey(crypto::KeyType::kEcP256);
  if (!key.isOk()) {
    return out;
  }
  auto csr = crypto::createCsr(crypto::CsrTemplate{}, **key);
  auto pem = crypto::marshalPkcs8PrivateKeyPem(**key);
  if (csr.isOk() && pem.isOk()) {
    out.key_pem = *pem;
    out.csr_der = crypto::csrToDer(**csr);
  }
  return out;
}

void fillSvid(const ::spire::api::types::X509SVID& svid, AgentSvid& out) {
  out.spiffe_id = "spiffe://" + svid.id().trust_domain() + svid.id().path();
  out.expires_at = svid.expires_at();
  for (const auto& der : svid.cert_chain()) {
    auto cert = crypto::parseCertificateDer(der);
    if (!cert.isOk()) {
      out.status = grpc::Status(grpc::StatusCode::INTERNAL, "bad certificate in the response");
      return;
    }
    if (out.chain_pem.empty()) {
      const ASN1_INTEGER* serial = X509_get0_serialNumber(cert->get());
      out.serial_hex =
          hexEncode(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(serial)),
                                     static_cast<std::size_t>(ASN1_STRING_length(serial))));
    }
    out.chain_pem += crypto::certificateToPem(**cert);
  }
}

} // namespace

std::shared_ptr<grpc::Channel> adminChannel(const std::string& socket_path) {
  return grpc::CreateChannel("unix:" + socket_path, grpc::InsecureChannelCredentials());
}

std::shared_ptr<grpc::Channel> serverTlsChannel(int port, const std::string& bundle_pem,
                                                const std::string& cert_chain_pem,
                                                const std::string& key_pem) {
  using namespace grpc::experimental;
  std::shared_ptr<CertificateProviderInterface> provider;
  if (!cert_chain_pem.empty() && !key_pem.empty()) {
    provider = std::make_shared<StaticDataCertificateProvider>(
        bundle_pem, std::vector<IdentityKeyCertPair>{{key_pem, cert_chain_pem}});
  } else {
    provider = std::make_shared<StaticDataCertificateProvider>(bundle_pem);
  }
  TlsChannelCredentialsOptions options;
  options.set_certificate_provider(provider);
  options.watch_root_certs();
  if (!cert_chain_pem.empty() && !key_pem.empty()) {
    options.watch_identity_key_cert_pairs();
  }
  options.set_verify_server_certs(true);
  options.set_check_call_host(false);
  options.set_certificate_verifier(std::make_shared<NoOpCertificateVerifier>());
  grpc::ChannelArguments args;
  // One connection per channel: a test that swaps identities uses a new channel.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port), TlsCredentials(options),
                                   args);
}

AgentSvid attestWithJoinToken(const std::shared_ptr<grpc::Channel>& channel,
                              const std::string& token) {
  AgentSvid out;
  KeyAndCsr key = freshKeyAndCsr();
  out.key_pem = key.key_pem;
  auto stub = agentv1::Agent::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto stream = stub->AttestAgent(&ctx);
  agentv1::AttestAgentRequest request;
  request.mutable_params()->mutable_data()->set_type("join_token");
  request.mutable_params()->mutable_data()->set_payload(token);
  request.mutable_params()->mutable_params()->set_csr(key.csr_der);
  stream->Write(request);
  stream->WritesDone();
  agentv1::AttestAgentResponse response;
  bool got = stream->Read(&response);
  out.status = stream->Finish();
  if (out.status.ok() && got && response.has_result()) {
    fillSvid(response.result().svid(), out);
  } else if (out.status.ok()) {
    out.status = grpc::Status(grpc::StatusCode::INTERNAL, "no attestation result");
  }
  return out;
}

AgentSvid renewAgent(const std::shared_ptr<grpc::Channel>& channel) {
  AgentSvid out;
  KeyAndCsr key = freshKeyAndCsr();
  out.key_pem = key.key_pem;
  auto stub = agentv1::Agent::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  agentv1::RenewAgentRequest request;
  request.mutable_params()->set_csr(key.csr_der);
  agentv1::RenewAgentResponse response;
  out.status = stub->RenewAgent(&ctx, request, &response);
  if (out.status.ok()) {
    fillSvid(response.svid(), out);
  }
  return out;
}

std::string describe(const grpc::Status& status) {
  return std::to_string(static_cast<int>(status.error_code())) + ": " + status.error_message();
}

} // namespace spire::integration
