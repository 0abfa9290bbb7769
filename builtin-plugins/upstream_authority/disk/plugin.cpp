// UpstreamAuthority "disk" as a plugin .so. It never pushes root updates (the next mint re-reads
// the files), so the layer closes each sink when mint returns, as SPIRE's plugin ends its stream.

#include "spire/plugin/cpp/plugin.hpp"
#include "shared/sdk_glue.h"
#include "upstream_authority/disk/disk_upstream_authority.h"

namespace spire::builtin::upstream_authority {
namespace {

class DiskUpstreamAuthorityPlugin final : public spire::plugin::UpstreamAuthority {
public:
  static constexpr const char* kName = "disk";
  static constexpr const char* kVersion = kBuiltinPluginVersion;
  static constexpr const char* kDescription = "intermediate CA signed by a CA key and cert on disk";

  void configure(const spire::plugin::CoreConfig& core, const std::string& json) override {
    throwIfError(ua_.configure(core.trust_domain, json));
  }
  std::vector<std::string> validate(const spire::plugin::CoreConfig& core,
                                    const std::string& json) override {
    DiskUpstreamAuthority probe;
    throwIfError(probe.configure(core.trust_domain, json));
    return {};
  }

  spire::plugin::X509CaResult mintX509Ca(const spire::plugin::Bytes& csr_der,
                                         std::int32_t preferred_ttl_seconds,
                                         spire::plugin::UpstreamSink&) override {
    MintResult minted = valueOrThrow(ua_.mint(fromSdkBytes(csr_der), preferred_ttl_seconds));
    spire::plugin::X509CaResult out;
    for (const auto& der : minted.x509_ca_chain) {
      out.chain.push_back(toSdkBytes(der));
    }
    for (const auto& der : minted.upstream_x509_roots) {
      out.roots.push_back(toSdkBytes(der));
    }
    return out;
  }

  std::vector<spire::plugin::JwtKey> publishJwtKey(const spire::plugin::JwtKey&,
                                                   spire::plugin::UpstreamSink&) override {
    throw spire::plugin::Error(SPIRE_UNIMPLEMENTED, "publishing upstream is unsupported");
  }

private:
  DiskUpstreamAuthority ua_;
};

} // namespace
} // namespace spire::builtin::upstream_authority

SPIRE_CPP_PLUGIN(
    spire::plugin::descriptorOf<spire::builtin::upstream_authority::DiskUpstreamAuthorityPlugin>())
