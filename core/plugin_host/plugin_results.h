#pragma once

// C++ values of what plugins return through the ABI's emitters, copied out of plugin memory.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace spire::plugin_host {

using Bytes = std::vector<std::uint8_t>;

// A selector as the daemon uses it: type = plugin name.
struct Selector {
  std::string type;
  std::string value;
  bool operator==(const Selector&) const = default;
};

struct AgentAttributes {
  std::string spiffe_id;
  bool can_reattest = false;
};

struct PublicKey {
  std::string id;
  std::int32_t type = 0; // SPIRE_KEY_TYPE_*
  Bytes pkix_der;
  std::string fingerprint;
};

struct Signature {
  Bytes signature;
  std::string fingerprint;
};

struct JwtKey {
  Bytes public_key_der;
  std::string key_id;
  std::int64_t expires_at = 0;
  bool tainted = false;
};

struct X509CaResult {
  std::vector<Bytes> chain; // first = the new CA
  std::vector<Bytes> roots;
};

// An attested agent, for the agent-store host service of server node attestors.
struct AgentInfo {
  std::string agent_id;
  std::string node_attestor_type;
  std::string x509svid_serial_number;
  std::int64_t x509svid_expires_at = 0;
  bool banned = false;
  bool can_reattest = false;
};

// Looks an agent up; nullopt when unknown. Called on the thread of a plugin call.
using AgentStoreLookup = std::function<Result<std::optional<AgentInfo>>(std::string_view agent_id)>;

} // namespace spire::plugin_host
