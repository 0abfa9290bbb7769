#pragma once

// Where the agent's first trust in the server comes from (SPIRE pkg/agent/agent.go
// loadBundle / setupTrustBundle): a bundle already stored in data_dir wins; otherwise the
// configured trust bundle (PEM certificates, or a SPIFFE bundle document); otherwise nothing, which
// is only allowed with insecure_bootstrap.

#include <optional>
#include <string_view>

#include "agent/manager/agent_manager.h"
#include "agent/manager/agent_storage.h"
#include "common/status.h"
#include "spiffe/trust_domain.h"
#include "x509/x509_bundle.h"

namespace spire::agent::manager {

// Parses bundle text in `format`. InvalidArgument "could not parse trust bundle: <reason>"; a
// bundle without X.509 authorities is refused ("trust bundle contains no X.509 authorities").
Result<x509::X509Bundle> parseTrustBundle(const spiffe::TrustDomain& td, std::string_view text,
                                          TrustBundleFormat format);

// The bundle to authenticate the server with; nullopt means insecure bootstrap. Errors:
// the stored bundle or configured file cannot be read or parsed, or no source at all
// ("no trust bundle configured: set trust_bundle_path or insecure_bootstrap").
Result<std::optional<x509::X509Bundle>> bootstrapBundle(const ManagerConfig& config,
                                                        const spiffe::TrustDomain& td,
                                                        const AgentStorage& storage);

} // namespace spire::agent::manager
