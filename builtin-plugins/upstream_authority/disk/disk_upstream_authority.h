#pragma once

// UpstreamAuthority "disk": signs the server's intermediate CA with a CA key and certificate read
// from files. plugin_data: cert_file_path, key_file_path, bundle_file_path (optional; without it
// the certificate must be one self-signed CA, which is then also the upstream root).
// The files are re-read on every mint so a rotated upstream CA needs no restart; if the re-read
// fails the last good credentials are used, as SPIRE does.
//
// THREADS: mint() may run concurrently with configure(); state is swapped under a mutex.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "shared/ossl.h"
#include "shared/status.h"

namespace spire::builtin::upstream_authority {

struct MintResult {
  std::vector<std::string> x509_ca_chain;       // DER; first = the new CA
  std::vector<std::string> upstream_x509_roots; // DER
};

class DiskUpstreamAuthority {
public:
  static constexpr std::chrono::seconds kDefaultTtl{3600};
  static constexpr std::chrono::seconds kBackdate{10};

  Status configure(const std::string& trust_domain, std::string_view json_config);
  // csr: PKCS#10 DER; preferred_ttl_seconds <= 0 lets the plugin decide (1h). NotAfter never
  // exceeds the upstream certificate's.
  Result<MintResult> mint(std::string_view csr, int32_t preferred_ttl_seconds);

private:
  struct Paths {
    std::string cert, key, bundle;
  };
  struct Credentials {
    PkeyPtr key;
    CertPtr cert;
    std::vector<std::string> chain_der; // certificate file, when a bundle is configured
    std::vector<std::string> roots_der;
  };
  static Result<std::shared_ptr<const Credentials>> load(const Paths& paths);
  Result<CertPtr> sign(const Credentials& creds, X509_REQ* csr, EVP_PKEY* csr_key,
                       int32_t preferred_ttl_seconds) const;

  std::mutex mu_;
  std::string trust_domain_;
  Paths paths_;
  std::shared_ptr<const Credentials> creds_;
};

} // namespace spire::builtin::upstream_authority
