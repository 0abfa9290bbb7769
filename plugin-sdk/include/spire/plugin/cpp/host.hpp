#pragma once

// Host services as a C++ object: logging into the daemon's log (tagged with the plugin's name by
// the host) and the agent store. A Host is valid from construction of the plugin object until its
// destruction, on any thread.

#include <optional>
#include <string>
#include <string_view>

#include "spire/plugin/cpp/error.hpp"
#include "spire/plugin/host.h"

namespace spire::plugin {

struct AgentInfo {
  std::string agent_id;
  std::string node_attestor_type;
  std::string x509svid_serial_number;
  std::int64_t x509svid_expires_at = 0;
  bool banned = false;
  bool can_reattest = false;
};

class Host {
public:
  Host() = default;
  Host(const spire_host_api* api, spire_host* host) : api_(api), host_(host) {}

  bool logEnabled(spire_log_level level) const {
    return api_ != nullptr && api_->log_enabled(host_, level);
  }
  void log(spire_log_level level, std::string_view message) const {
    if (api_ != nullptr) {
      api_->log(host_, level, toStr(message));
    }
  }
  void debug(std::string_view m) const { log(SPIRE_LOG_DEBUG, m); }
  void info(std::string_view m) const { log(SPIRE_LOG_INFO, m); }
  void warn(std::string_view m) const { log(SPIRE_LOG_WARN, m); }
  void error(std::string_view m) const { log(SPIRE_LOG_ERROR, m); }

  const spire_host_api* api() const { return api_; }
  spire_host* handle() const { return host_; }

private:
  const spire_host_api* api_ = nullptr;
  spire_host* host_ = nullptr;
};

// The current call, for host services tied to a call (agent store). Passed to methods that need it.
class CallContext {
public:
  CallContext(const Host& host, spire_call* call) : host_(host), call_(call) {}

  // Server only: the attested agent `agent_id`, or nullopt when unknown. Throws Error for other
  // failures (e.g. SPIRE_UNIMPLEMENTED in the agent).
  std::optional<AgentInfo> agentInfo(std::string_view agent_id) const {
    spire_agent_info out{};
    out.struct_size = sizeof(out);
    spire_status st =
        host_.api()->agent_store_get_agent_info(host_.handle(), call_, toStr(agent_id), &out);
    if (st == SPIRE_NOT_FOUND) {
      return std::nullopt;
    }
    if (st != SPIRE_OK) {
      throw Error(st, "agent store lookup failed");
    }
    AgentInfo info;
    info.agent_id = fromStr(out.agent_id);
    info.node_attestor_type = fromStr(out.node_attestor_type);
    info.x509svid_serial_number = fromStr(out.x509svid_serial_number);
    info.x509svid_expires_at = out.x509svid_expires_at;
    info.banned = out.banned;
    info.can_reattest = out.can_reattest;
    return info;
  }

  const Host& host() const { return host_; }
  spire_call* raw() const { return call_; }

private:
  const Host& host_;
  spire_call* call_;
};

} // namespace spire::plugin
