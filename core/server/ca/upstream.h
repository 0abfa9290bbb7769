#pragma once

// How the CA manager reaches an UpstreamAuthority: a function from CSR to signed chain, so tests
// can stand in for the plugin and the manager does not depend on the plugin's stream handling.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/openssl_ptr.h"

namespace spire::plugin_host {
class UpstreamAuthorityPlugin;
}

namespace spire::server::ca {

struct UpstreamCa {
  std::vector<crypto::X509Shared> chain; // the new intermediate CA first, then its issuers
  std::vector<crypto::X509Shared> roots; // upstream trust anchors for the bundle
};

// csr_der: PKCS#10 DER; preferred_ttl: ca_ttl. THREADS: called from the rotation path.
using UpstreamMinter = std::function<Result<UpstreamCa>(const std::string& csr_der,
                                                        std::chrono::seconds preferred_ttl)>;

// A minter over the plugin's MintX509CA. The plugin's follow-up root updates are not consumed yet:
// each stream is closed when the next mint replaces it. LIFETIME: `plugin` outlives the minter.
UpstreamMinter pluginUpstreamMinter(const plugin_host::UpstreamAuthorityPlugin& plugin);

// Parses and checks a minted answer: a non-empty chain whose first certificate is a CA, and
// non-empty roots. InvalidArgument with the reason otherwise. (The CA manager checks that the
// minted CA holds its key.)
Result<UpstreamCa> parseUpstreamAnswer(const std::vector<std::vector<std::uint8_t>>& chain,
                                       const std::vector<std::vector<std::uint8_t>>& roots);

} // namespace spire::server::ca
