#pragma once

// Daemon-side facades of NodeAttestor plugins: the agent side produces the payload and answers
// challenges; the server side verifies them. A session object is one attestation; destroying it
// ends the session in the plugin (attest_end).

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "plugin_host/loaded_plugin.h"
#include "spire/plugin/agent_node_attestor.h"
#include "spire/plugin/server_node_attestor.h"

namespace spire::plugin_host {

// ---- Agent side ----
class AgentAttestSession {
public:
  AgentAttestSession(LoadedPluginPtr plugin, spire_agent_attest_session* session, Bytes payload);
  ~AgentAttestSession();
  AgentAttestSession(const AgentAttestSession&) = delete;
  AgentAttestSession& operator=(const AgentAttestSession&) = delete;

  const Bytes& payload() const { return payload_; }
  // The plugin's answer to a server challenge.
  Result<Bytes> answer(const Bytes& challenge);

private:
  LoadedPluginPtr plugin_;
  spire_agent_attest_session* session_;
  Bytes payload_;
};

class AgentNodeAttestorPlugin {
public:
  explicit AgentNodeAttestorPlugin(LoadedPluginPtr plugin) : plugin_(std::move(plugin)) {}
  const std::string& name() const { return plugin_->name(); }

  // Starts an attestation; the session holds the payload to send.
  Result<std::unique_ptr<AgentAttestSession>> begin() const;

private:
  LoadedPluginPtr plugin_;
};

// ---- Server side ----

// What one server step ends with: a challenge to relay, or the final result.
struct ServerAttestStep {
  std::optional<Bytes> challenge;
  AgentAttributes attributes;      // when done
  std::vector<Selector> selectors; // when done; type = plugin name
  bool done() const { return !challenge.has_value(); }
};

class ServerAttestSession {
public:
  ServerAttestSession(LoadedPluginPtr plugin, spire_server_attest_session* session);
  ~ServerAttestSession();
  ServerAttestSession(const ServerAttestSession&) = delete;
  ServerAttestSession& operator=(const ServerAttestSession&) = delete;

  // Verifies the agent's answer to the last challenge.
  Result<ServerAttestStep> step(const Bytes& response);

private:
  LoadedPluginPtr plugin_;
  spire_server_attest_session* session_;
};

struct ServerAttestBegin {
  std::unique_ptr<ServerAttestSession> session;
  ServerAttestStep first;
};

// Relays a challenge to the agent and returns its answer.
using ChallengeRelay = std::function<Result<Bytes>(const Bytes& challenge)>;

class ServerNodeAttestorPlugin {
public:
  explicit ServerNodeAttestorPlugin(LoadedPluginPtr plugin) : plugin_(std::move(plugin)) {}
  const std::string& name() const { return plugin_->name(); }

  // Verifies the agent's payload.
  Result<ServerAttestBegin> begin(const Bytes& payload) const;

  // The whole exchange: begin, then relay challenges until the plugin returns a result.
  Result<ServerAttestStep> attest(const Bytes& payload, const ChallengeRelay& relay) const;

private:
  LoadedPluginPtr plugin_;
};

} // namespace spire::plugin_host
