#pragma once

// Self-signed certificates and keys for the bundle and mint tests.

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "crypto/certificate.h"
#include "crypto/certificate_builder.h"
#include "crypto/key.h"

namespace spire::server::commands::testing {

struct TestCert {
  crypto::EvpPkeyPtr key;
  std::string der;
};

// A CA certificate valid from an hour ago for `lifetime`, with `uri` as its URI SAN.
inline TestCert makeCert(const std::string& uri,
                         std::chrono::seconds lifetime = std::chrono::hours(24)) {
  TestCert out;
  auto key = crypto::generateKey(crypto::KeyType::kEcP256);
  EXPECT_TRUE(key.isOk());
  out.key = std::move(*key);
  crypto::CertificateTemplate tmpl;
  tmpl.subject = {{"O", "SPIFFE"}};
  const auto now = std::chrono::system_clock::now();
  tmpl.not_before = std::chrono::time_point_cast<std::chrono::seconds>(now - std::chrono::hours(1));
  tmpl.not_after = std::chrono::time_point_cast<std::chrono::seconds>(now + lifetime);
  tmpl.uri_sans = {uri};
  tmpl.is_ca = true;
  tmpl.key_usage = crypto::key_usage::kKeyCertSign;
  auto cert = crypto::createCertificate(tmpl, *out.key, nullptr, *out.key);
  EXPECT_TRUE(cert.isOk());
  out.der = crypto::certificateToDer(**cert);
  return out;
}

} // namespace spire::server::commands::testing
