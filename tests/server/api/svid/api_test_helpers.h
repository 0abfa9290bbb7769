#pragma once
// Helpers shared by the SVID and agent service tests: CSRs, callers, SVID checks against the
// fixture's CA bundle, and status assertions with exact code and message.
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "crypto/certificate.h"
#include "crypto/csr.h"
#include "crypto/key.h"
#include "server/api/caller.h"
#include "server/api/svid/svid_convert.h"
#include "server_fixture.h"
#include "spire/api/types/x509svid.pb.h"
#include "x509/x509_bundle_source.h"
#include "x509/x509_verify.h"

namespace spire::server::api::testing {

inline std::shared_ptr<EVP_PKEY> newKey(crypto::KeyType type = crypto::KeyType::kEcP256) {
  auto key = crypto::generateKey(type);
  if (!key) {
    ADD_FAILURE() << key.status().message();
    return nullptr;
  }
  return std::shared_ptr<EVP_PKEY>(std::move(*key));
}

// A DER CSR signed by `key`.
inline std::string csrDer(const EVP_PKEY& key, std::vector<std::string> uris = {},
                          std::vector<std::string> dns = {}) {
  crypto::CsrTemplate tmpl;
  tmpl.subject = {{"O", "test"}};
  tmpl.uri_sans = std::move(uris);
  tmpl.dns_sans = std::move(dns);
  auto csr = crypto::createCsr(tmpl, key);
  if (!csr) {
    ADD_FAILURE() << csr.status().message();
    return {};
  }
  return crypto::csrToDer(**csr);
}

// The same CSR with its signature damaged (the last byte of the signature flipped).
inline std::string tamperedCsr(std::string der) {
  der.back() = static_cast<char>(der.back() ^ 0x01);
  return der;
}

inline Caller agentCaller(const std::string& id) {
  Caller caller;
  auto parsed = spiffe::SpiffeId::parse(id);
  EXPECT_TRUE(parsed.isOk()) << id;
  if (parsed) {
    caller.id = *parsed;
  }
  caller.agent = true;
  caller.address = "ipv4:127.0.0.1:5555";
  return caller;
}

inline std::vector<crypto::X509Shared> chainOf(const types::X509SVID& svid) {
  std::vector<crypto::X509Shared> chain;
  for (const std::string& der : svid.cert_chain()) {
    auto cert = crypto::parseCertificateDer(der);
    EXPECT_TRUE(cert.isOk()) << cert.status().message();
    if (cert) {
      chain.emplace_back(std::move(*cert));
    }
  }
  return chain;
}

// Verifies the SVID chain against the fixture CA's bundle; returns the leaf's SPIFFE ID.
inline std::string verifiedId(ServerFixture& fixture, const types::X509SVID& svid) {
  std::vector<crypto::X509Shared> chain = chainOf(svid);
  if (chain.empty()) {
    ADD_FAILURE() << "empty chain";
    return {};
  }
  x509::X509BundleSet bundles;
  bundles.add(*fixture.ca().snapshot()->bundle);
  auto verified = x509::verifyX509Svid(chain, &bundles, fixture.state().now());
  if (!verified) {
    ADD_FAILURE() << verified.status().message();
    return {};
  }
  EXPECT_EQ(svid.expires_at(), unixSeconds(crypto::notAfter(*chain.front())));
  return verified->id.toString();
}

#define EXPECT_STATUS(status_expr, code, message)                                                  \
  do {                                                                                             \
    const grpc::Status status_ = (status_expr);                                                    \
    EXPECT_EQ(status_.error_code(), (code)) << status_.error_message();                            \
    EXPECT_EQ(status_.error_message(), (message));                                                 \
  } while (0)

} // namespace spire::server::api::testing
