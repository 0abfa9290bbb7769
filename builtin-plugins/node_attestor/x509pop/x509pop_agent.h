#pragma once

// Agent NodeAttestor "x509pop": sends its certificate chain, then proves possession of the
// leaf's private key by signing the server's nonce. Key and certificates are read at Configure.
// plugin_data: private_key_path, certificate_path (leaf first, then intermediates),
// intermediates_path (optional, appended).

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "shared/ossl.h"
#include "shared/status.h"

namespace spire::builtin::x509pop {

class X509PopAgent {
public:
  Status configure(std::string_view json_config);

  // The key and chain of one configuration. An attestation keeps the snapshot it started with,
  // so a reconfigure in the middle never mixes one chain with another key.
  struct Loaded {
    PkeyPtr key;
    std::vector<std::string> chain_der;
  };
  // FailedPrecondition "not configured" before Configure.
  Result<std::shared_ptr<const Loaded>> snapshot() const;
  static std::string payloadOf(const Loaded& loaded);
  static Result<std::string> respondWith(const Loaded& loaded, std::string_view challenge);

  // The same, with the current snapshot.
  Result<std::string> payload() const;
  Result<std::string> respond(std::string_view challenge) const;

private:
  mutable std::mutex mu_;
  std::shared_ptr<const Loaded> loaded_;
};

} // namespace spire::builtin::x509pop
