#pragma once

// DiscoveryRequest + identity snapshot -> DiscoveryResponse, SPIRE's sdsv3 buildResponse rules
// (spiffe-standards.md §7.2, §7.3). Pure functions, so every naming and error rule is testable
// without a socket.

#include <optional>
#include <string>
#include <string_view>

#include "agent/endpoints/workload_identity_source.h"
#include "agent/sds/sds_config.h"
#include "common/status.h"
#include "envoy/service/discovery/v3/discovery.pb.h"

namespace spire::agent::sds {

inline constexpr std::string_view kSpiffeValidatorName = "envoy.tls.cert_validator.spiffe";
inline constexpr std::string_view kDisableValidationKey = "disable_spiffe_cert_validation";

// SPIFFE-validator mode is used unless disabled (config, overridden by node metadata) or the
// Envoy build is older than 1.18.
bool useSpiffeValidator(const SdsConfig& config, const envoy::config::core::v3::Node& node);

// Go's strconv.ParseBool; nullopt for anything else.
std::optional<bool> parseGoBool(std::string_view text);

// The response for `request` (whose node must already be the effective one). `version_info` is
// copied as is; the nonce is left to the caller. Errors: InvalidArgument "workload is not
// authorized for the requested identities [...]", NotFound/Internal "no bundle found for trust
// domain: ...", Internal "unable to use \"SPIFFE validator\" on Envoy below 1.17".
Result<envoy::service::discovery::v3::DiscoveryResponse>
buildResponse(const SdsConfig& config,
              const envoy::service::discovery::v3::DiscoveryRequest& request,
              const endpoints::IdentitySnapshot& snapshot, const std::string& version_info);

} // namespace spire::agent::sds
