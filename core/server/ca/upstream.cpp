#include "server/ca/upstream.h"

#include <mutex>

#include "common/encoding.h"
#include "crypto/certificate.h"
#include "plugin_host/upstream_authority.h"

namespace spire::server::ca {
namespace {

Result<std::vector<crypto::X509Shared>> parseAll(const std::vector<std::vector<std::uint8_t>>& ders,
                                                 const char* what) {
  std::vector<crypto::X509Shared> out;
  for (const auto& der : ders) {
    Result<crypto::X509Ptr> cert = crypto::parseCertificateDer(asStringView(der));
    if (!cert) {
      return invalidArgument(std::string("upstream authority returned a malformed ") + what + ": " +
                             cert.status().message());
    }
    out.push_back(crypto::shareX509(std::move(*cert)));
  }
  return out;
}

} // namespace

Result<UpstreamCa> parseUpstreamAnswer(const std::vector<std::vector<std::uint8_t>>& chain,
                                       const std::vector<std::vector<std::uint8_t>>& roots) {
  UpstreamCa ca;
  Result<std::vector<crypto::X509Shared>> parsed_chain = parseAll(chain, "X509 CA chain");
  if (!parsed_chain) {
    return parsed_chain.status();
  }
  Result<std::vector<crypto::X509Shared>> parsed_roots = parseAll(roots, "upstream root");
  if (!parsed_roots) {
    return parsed_roots.status();
  }
  ca.chain = std::move(*parsed_chain);
  ca.roots = std::move(*parsed_roots);
  if (ca.chain.empty()) {
    return invalidArgument("upstream authority returned an empty X509 CA chain");
  }
  if (ca.roots.empty()) {
    return invalidArgument("upstream authority returned no upstream roots");
  }
  if (!crypto::isCa(*ca.chain.front())) {
    return invalidArgument("upstream authority returned a non-CA certificate");
  }
  return ca;
}

UpstreamMinter pluginUpstreamMinter(const plugin_host::UpstreamAuthorityPlugin& plugin) {
  // The live stream of the last mint; replaced (and so cancelled) by the next one.
  auto last_stream = std::make_shared<std::unique_ptr<plugin_host::UpstreamStream>>();
  auto mutex = std::make_shared<std::mutex>();
  return [&plugin, last_stream, mutex](const std::string& csr_der,
                                       std::chrono::seconds preferred_ttl) -> Result<UpstreamCa> {
    Result<plugin_host::MintX509CaResult> minted =
        plugin.mintX509Ca(toBytes(csr_der), static_cast<std::int32_t>(preferred_ttl.count()), {});
    if (!minted) {
      return minted.status();
    }
    {
      std::lock_guard<std::mutex> lock(*mutex);
      *last_stream = std::move(minted->stream);
    }
    return parseUpstreamAnswer(minted->ca.chain, minted->ca.roots);
  };
}

} // namespace spire::server::ca
