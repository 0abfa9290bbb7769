#include "agent/manager/trust_bootstrap.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "bundle/spiffe_bundle.h"

namespace spire::agent::manager {

Result<x509::X509Bundle> parseTrustBundle(const spiffe::TrustDomain& td, std::string_view text,
                                          TrustBundleFormat format) {
  Result<x509::X509Bundle> parsed = invalidArgument("unknown trust bundle format");
  if (format == TrustBundleFormat::kPem) {
    parsed = x509::X509Bundle::parsePem(td, text);
  } else {
    Result<bundle::SpiffeBundle> spiffe = bundle::SpiffeBundle::parse(td, text);
    if (spiffe) {
      parsed = spiffe->toX509Bundle();
    } else {
      parsed = spiffe.status();
    }
  }
  if (!parsed) {
    return invalidArgument("could not parse trust bundle: " + parsed.status().message());
  }
  if (parsed->authorities().empty()) {
    return invalidArgument("trust bundle contains no X.509 authorities");
  }
  return parsed;
}

Result<std::optional<x509::X509Bundle>> bootstrapBundle(const ManagerConfig& config,
                                                        const spiffe::TrustDomain& td,
                                                        const AgentStorage& storage) {
  Result<std::optional<std::vector<crypto::X509Shared>>> stored = storage.loadBundle();
  if (!stored) {
    return stored.status();
  }
  if (stored->has_value()) {
    return std::optional<x509::X509Bundle>(x509::X509Bundle(td, std::move(**stored)));
  }
  std::string text = config.trust_bundle_contents;
  if (!config.trust_bundle_path.empty()) {
    std::ifstream in(config.trust_bundle_path, std::ios::binary);
    if (!in) {
      return invalidArgument("could not load trust bundle: open " + config.trust_bundle_path +
                             ": " + std::strerror(errno));
    }
    std::ostringstream data;
    data << in.rdbuf();
    text = data.str();
  } else if (text.empty()) {
    if (config.insecure_bootstrap) {
      return std::optional<x509::X509Bundle>();
    }
    return invalidArgument("no trust bundle configured: set trust_bundle_path or "
                           "insecure_bootstrap");
  }
  Result<x509::X509Bundle> parsed = parseTrustBundle(td, text, config.trust_bundle_format);
  if (!parsed) {
    return parsed.status();
  }
  return std::optional<x509::X509Bundle>(std::move(*parsed));
}

} // namespace spire::agent::manager
