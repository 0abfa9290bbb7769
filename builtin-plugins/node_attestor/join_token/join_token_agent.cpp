#include "node_attestor/join_token/join_token_agent.h"

#include "shared/config_json.h"

namespace spire::builtin::join_token {

Status JoinTokenAgent::configure(std::string_view json_config) {
  auto config = ConfigObject::parse(json_config, {"join_token"});
  if (!config) {
    return config.status();
  }
  auto token = config->getString("join_token");
  if (!token) {
    return token.status();
  }
  std::lock_guard lock(mu_);
  // An empty token is accepted here so that `validate` can load the plugin without one; the
  // attestation itself then fails with a clear message.
  token_ = token->value_or("");
  return okStatus();
}

Result<std::string> JoinTokenAgent::payload() const {
  std::lock_guard lock(mu_);
  if (!token_) {
    return failedPrecondition("not configured");
  }
  if (token_->empty()) {
    return invalidArgument("join token is required: set join_token in the agent configuration");
  }
  return *token_;
}

} // namespace spire::builtin::join_token
