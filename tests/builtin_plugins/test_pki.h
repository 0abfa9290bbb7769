#pragma once

// Test-only PKI helpers for the built-in plugin tests: keys, CA and leaf certificates, CSRs,
// PEM files in a temp dir. Built on OpenSSL directly so these tests depend on nothing but the
// plugins under test.

#include <chrono>
#include <string>
#include <vector>

#include "shared/ossl.h"

namespace spire::builtin::testing {

PkeyPtr makeEcKey(const char* curve = "P-256");
PkeyPtr makeRsaKey(int bits = 2048);

struct CertSpec {
  std::string common_name = "test";
  bool is_ca = false;
  bool digital_signature = true; // leaf keyUsage digitalSignature
  bool key_usage = true;         // emit a keyUsage extension at all
  std::vector<std::string> uris;
  long serial = 0; // 0 = random
  std::chrono::seconds not_before_offset{-60};
  std::chrono::seconds lifetime{24 * 3600};
};

// Signs `spec` for `key` with `issuer_key` (issuer == nullptr: self-signed).
CertPtr makeCert(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key);

// A PKCS#10 CSR with the given URI SANs, signed by `key`.
std::string makeCsrDer(EVP_PKEY* key, const std::vector<std::string>& uris,
                       const std::string& common_name = "server");

std::string certPem(X509* cert);
std::string keyPem(EVP_PKEY* key);            // PKCS#8
std::string keyPemTraditional(EVP_PKEY* key); // "EC PRIVATE KEY" / "RSA PRIVATE KEY"
std::string der(X509* cert);
CertPtr fromDer(const std::string& der);

// True when `leaf` verifies up to one of `roots` through `intermediates`.
bool verifies(X509* leaf, const std::vector<X509*>& intermediates, const std::vector<X509*>& roots);

// A fresh directory removed (recursively) on destruction.
class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::string write(const std::string& name, const std::string& content) const;

private:
  std::string path_;
};

} // namespace spire::builtin::testing
