#pragma once

// What the agent keeps in data_dir between runs, as SPIRE's agent did before agent-data.json:
// agent_svid.der (the agent SVID chain, concatenated DER, leaf first) and bundle.der (the trust
// domain's X.509 authorities, concatenated DER), plus agent_svid.key (PKCS#8 DER, mode 0600) when
// the agent key is persisted. Files are replaced atomically (write to a temp file, rename), so a
// crash never leaves half a file behind.

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/certificate.h"
#include "crypto/openssl_ptr.h"

namespace spire::agent::manager {

class AgentStorage {
public:
  explicit AgentStorage(std::string data_dir) : data_dir_(std::move(data_dir)) {}

  const std::string& dataDir() const { return data_dir_; }
  std::string path(const char* file) const;

  // nullopt when the file does not exist; InvalidArgument when it does not parse.
  Result<std::optional<std::vector<crypto::X509Shared>>> loadBundle() const;
  Status storeBundle(const std::vector<crypto::X509Shared>& authorities) const;

  Result<std::optional<std::vector<crypto::X509Shared>>> loadSvid() const;
  Status storeSvid(const std::vector<crypto::X509Shared>& chain) const;

  Result<std::optional<crypto::EvpPkeyPtr>> loadKey() const;
  Status storeKey(const EVP_PKEY& key) const;

  // Removes the SVID and key (the server told the agent to attest again).
  void deleteSvid() const;

private:
  Result<std::optional<std::string>> read(const char* file) const;
  Status write(const char* file, const std::string& data, bool secret) const;

  std::string data_dir_;
};

} // namespace spire::agent::manager
