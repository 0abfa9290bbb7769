#pragma once

// The agent's `sds { ... }` settings (spiffe-standards.md §7.2; defaults from SPIRE's
// cmd/spire-agent/cli/run/run.go) plus the agent's trust domain, which names the own bundle.

#include <functional>
#include <string>
#include <string_view>

#include "spiffe/trust_domain.h"

namespace spire::agent::sds {

struct SdsConfig {
  spiffe::TrustDomain trust_domain;
  std::string default_svid_name = "default";
  std::string default_bundle_name = "ROOTCA";
  std::string default_all_bundles_name = "ALL";
  bool disable_spiffe_cert_validation = false;
  // Receives SPIRE's log lines for tolerated client faults (NACKs, stale nonces, error_detail);
  // the agent has no logger yet. May be empty. Called from gRPC handler threads.
  std::function<void(std::string_view)> log;
};

} // namespace spire::agent::sds
