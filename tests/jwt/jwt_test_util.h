#pragma once

// Keys and hand-built tokens for the jwt and bundle tests.

#include <chrono>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "common/encoding.h"
#include "crypto/certificate_builder.h"
#include "crypto/key.h"
#include "jwt/jwk.h"
#include "jwt/jws.h"

namespace spire::jwt::testing {

// A fresh private key: "P-256", "P-384", "P-521", "RSA2048", "RSA3072", "RSA1024", "ED25519".
inline crypto::EvpPkeyPtr makeKey(std::string_view kind) {
  EVP_PKEY* raw = nullptr;
  if (kind == "P-256") {
    raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  } else if (kind == "P-384") {
    raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
  } else if (kind == "P-521") {
    raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521");
  } else if (kind == "RSA2048") {
    raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
  } else if (kind == "RSA3072") {
    raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{3072});
  } else if (kind == "RSA1024") {
    raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024});
  } else if (kind == "ED25519") {
    raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  }
  EXPECT_NE(raw, nullptr) << kind;
  return crypto::EvpPkeyPtr(raw);
}

// RSA generation is slow; tests share one 2048-bit key.
inline const EVP_PKEY& sharedRsaKey() {
  static crypto::EvpPkeyPtr key = makeKey("RSA2048");
  return *key;
}

// The public half of a key, as a separate object (what a bundle holds).
inline PublicKey publicOf(const EVP_PKEY& key) {
  Result<std::string> der = crypto::marshalPublicKeyDer(key);
  EXPECT_TRUE(der.isOk()) << der.status().toString();
  Result<crypto::EvpPkeyPtr> pub = crypto::parsePublicKeyDer(*der);
  EXPECT_TRUE(pub.isOk()) << pub.status().toString();
  return sharePublicKey(std::move(pub).value());
}

// A compact token from a literal header and payload, signed with `key` under `alg` (the header
// text is not checked against `alg`, so tests can lie in it).
inline std::string signRaw(std::string_view header, std::string_view payload, JwsAlgorithm alg,
                           const EVP_PKEY& key) {
  Result<std::string> token = signCompactJws(header, payload, alg, key);
  EXPECT_TRUE(token.isOk()) << token.status().toString();
  return token.isOk() ? *token : std::string();
}

// A compact token with an arbitrary (unsigned) signature part.
inline std::string unsignedToken(std::string_view header, std::string_view payload,
                                 std::string_view signature = "sig") {
  return base64UrlEncode(header) + "." + base64UrlEncode(payload) + "." +
         base64UrlEncode(signature);
}

// A self-signed CA certificate for `key` (what a bundle's x509-svid entry holds).
inline crypto::X509Shared makeCaCert(const EVP_PKEY& key, const std::string& name = "CA") {
  crypto::CertificateTemplate tmpl;
  tmpl.subject = {{"C", "US"}, {"O", "SPIFFE"}, {"CN", name}};
  tmpl.not_before = std::chrono::system_clock::now() - std::chrono::hours(1);
  tmpl.not_after = std::chrono::system_clock::now() + std::chrono::hours(24);
  tmpl.uri_sans = {"spiffe://example.org"};
  tmpl.is_ca = true;
  tmpl.key_usage = crypto::key_usage::kKeyCertSign | crypto::key_usage::kCrlSign;
  Result<crypto::X509Ptr> cert = crypto::createCertificate(tmpl, key, nullptr, key);
  EXPECT_TRUE(cert.isOk()) << cert.status().toString();
  return cert.isOk() ? crypto::shareX509(std::move(cert).value()) : nullptr;
}

inline std::chrono::system_clock::time_point at(int64_t unix_seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds));
}

} // namespace spire::jwt::testing
