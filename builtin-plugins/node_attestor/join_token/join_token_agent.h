#pragma once

// Agent NodeAttestor "join_token": the payload is the token itself. SPIRE's agent takes the token
// from `join_token` in the agent {} block; here the host hands it to the plugin as the
// plugin_data key "join_token". The server side is not a plugin: as in SPIRE, the server looks the
// token up in the datastore, deletes it (single use) and names the agent
// spiffe://<td>/spire/agent/join_token/<token>.

#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "shared/status.h"

namespace spire::builtin::join_token {

class JoinTokenAgent {
public:
  Status configure(std::string_view json_config);
  Result<std::string> payload() const;

private:
  mutable std::mutex mu_;
  std::optional<std::string> token_;
};

} // namespace spire::builtin::join_token
