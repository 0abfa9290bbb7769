#pragma once

// C++ base classes of the agent and server sides of a NodeAttestor plugin. Each attestation is a
// Session object created per attestation and destroyed when it ends.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "spire/plugin/agent_node_attestor.h"
#include "spire/plugin/cpp/boundary.hpp"
#include "spire/plugin/server_node_attestor.h"

namespace spire::plugin {

// ---- Agent side ----
class AgentNodeAttestor : public PluginBase {
public:
  static constexpr spire_plugin_type kPluginType = SPIRE_PLUGIN_TYPE_AGENT_NODE_ATTESTOR;
  static constexpr std::size_t kVtableSize = sizeof(spire_agent_node_attestor_vtable);

  class Session {
  public:
    virtual ~Session() = default;
    // The attestation payload sent to the server first.
    virtual Bytes payload() = 0;
    // The answer to one server challenge.
    virtual Bytes answer(const Bytes& challenge) {
      (void)challenge;
      throw Error(SPIRE_UNIMPLEMENTED, "this attestor does not answer challenges");
    }
  };

  virtual std::unique_ptr<Session> newSession() = 0;

  template <class T> static const void* vtableFor();
};

// ---- Server side ----

// The final result of a server attestation.
struct AgentResult {
  std::string spiffe_id;
  std::vector<std::string> selector_values; // type = plugin name
  bool can_reattest = false;
};

// What one step of a server attestation ends with: a challenge for the agent, or the result.
struct AttestStep {
  std::optional<Bytes> challenge;
  AgentResult result;

  static AttestStep challengeWith(Bytes challenge) {
    AttestStep step;
    step.challenge = std::move(challenge);
    return step;
  }
  static AttestStep done(AgentResult result) {
    AttestStep step;
    step.result = std::move(result);
    return step;
  }
};

class ServerNodeAttestor : public PluginBase {
public:
  static constexpr spire_plugin_type kPluginType = SPIRE_PLUGIN_TYPE_SERVER_NODE_ATTESTOR;
  static constexpr std::size_t kVtableSize = sizeof(spire_server_node_attestor_vtable);

  class Session {
  public:
    virtual ~Session() = default;
    // Verify the agent's payload. `ctx.agentInfo()` looks up already attested agents.
    virtual AttestStep begin(const CallContext& ctx, const Bytes& payload) = 0;
    // Verify the agent's answer to the previous challenge.
    virtual AttestStep step(const CallContext& ctx, const Bytes& response) {
      (void)ctx;
      (void)response;
      throw Error(SPIRE_UNIMPLEMENTED, "this attestor does not challenge");
    }
  };

  virtual std::unique_ptr<Session> newSession() = 0;

  template <class T> static const void* vtableFor();
};

namespace detail {

inline void emitStep(const spire_host_api* api, spire_call* call, const AttestStep& step) {
  if (step.challenge) {
    checkEmit(api->emit_bytes(call, toBytes(*step.challenge)));
    return;
  }
  spire_agent_attributes attrs{};
  attrs.struct_size = sizeof(attrs);
  attrs.spiffe_id = toStr(step.result.spiffe_id);
  attrs.can_reattest = step.result.can_reattest;
  checkEmit(api->emit_agent_attributes(call, &attrs));
  for (const std::string& value : step.result.selector_values) {
    checkEmit(api->emit_selector_value(call, toStr(value)));
  }
}

template <class T>
spire_status agentBeginThunk(spire_plugin* self, spire_call* call,
                             spire_agent_attest_session** out) noexcept {
  Instance<T>* in = instanceOf<T>(self);
  return guard(in->api, call, [&] {
    std::unique_ptr<AgentNodeAttestor::Session> session = in->plugin->newSession();
    checkEmit(in->api->emit_bytes(call, toBytes(session->payload())));
    *out = reinterpret_cast<spire_agent_attest_session*>(session.release());
  });
}
template <class T>
spire_status agentStepThunk(spire_plugin* self, spire_agent_attest_session* s, spire_call* call,
                            spire_bytes challenge) noexcept {
  Instance<T>* in = instanceOf<T>(self);
  auto* session = reinterpret_cast<AgentNodeAttestor::Session*>(s);
  return guard(in->api, call, [&] {
    checkEmit(in->api->emit_bytes(call, toBytes(session->answer(fromBytes(challenge)))));
  });
}
inline void agentEndThunk(spire_plugin*, spire_agent_attest_session* s) noexcept {
  delete reinterpret_cast<AgentNodeAttestor::Session*>(s);
}

template <class T>
spire_status serverBeginThunk(spire_plugin* self, spire_call* call, spire_bytes payload,
                              spire_server_attest_session** out) noexcept {
  Instance<T>* in = instanceOf<T>(self);
  return guard(in->api, call, [&] {
    std::unique_ptr<ServerNodeAttestor::Session> session = in->plugin->newSession();
    CallContext ctx(in->host, call);
    emitStep(in->api, call, session->begin(ctx, fromBytes(payload)));
    *out = reinterpret_cast<spire_server_attest_session*>(session.release());
  });
}
template <class T>
spire_status serverStepThunk(spire_plugin* self, spire_server_attest_session* s, spire_call* call,
                             spire_bytes response) noexcept {
  Instance<T>* in = instanceOf<T>(self);
  auto* session = reinterpret_cast<ServerNodeAttestor::Session*>(s);
  return guard(in->api, call, [&] {
    CallContext ctx(in->host, call);
    emitStep(in->api, call, session->step(ctx, fromBytes(response)));
  });
}
inline void serverEndThunk(spire_plugin*, spire_server_attest_session* s) noexcept {
  delete reinterpret_cast<ServerNodeAttestor::Session*>(s);
}

} // namespace detail

template <class T> const void* AgentNodeAttestor::vtableFor() {
  static const spire_agent_node_attestor_vtable vtable = {
      sizeof(spire_agent_node_attestor_vtable),
      &detail::agentBeginThunk<T>,
      &detail::agentStepThunk<T>,
      &detail::agentEndThunk,
  };
  return &vtable;
}

template <class T> const void* ServerNodeAttestor::vtableFor() {
  static const spire_server_node_attestor_vtable vtable = {
      sizeof(spire_server_node_attestor_vtable),
      &detail::serverBeginThunk<T>,
      &detail::serverStepThunk<T>,
      &detail::serverEndThunk,
  };
  return &vtable;
}

} // namespace spire::plugin
