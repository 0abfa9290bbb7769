#include "plugin_host/node_attestor.h"

namespace spire::plugin_host {
namespace {

spire_bytes view(const Bytes& b) {
  return spire_bytes{b.data(), b.size()};
}

// Exactly one blob: the payload or an answer.
Result<Bytes> singleBlob(const LoadedPlugin& plugin, CallResults& results, const char* what) {
  if (results.blobs.size() != 1) {
    return Status(StatusCode::kInternal, plugin.prefix() + ": plugin emitted " +
                                             std::to_string(results.blobs.size()) + " " + what +
                                             " messages, expected exactly 1");
  }
  return std::move(results.blobs.front());
}

Result<ServerAttestStep> serverStepFrom(const LoadedPlugin& plugin, CallResults& results) {
  const bool has_challenge = !results.blobs.empty();
  const bool has_result = results.agent_attributes.has_value();
  if (has_challenge == has_result || results.blobs.size() > 1) {
    return Status(StatusCode::kInternal,
                  plugin.prefix() +
                      ": plugin must end each attestation step with exactly one challenge or "
                      "one result");
  }
  ServerAttestStep step;
  if (has_challenge) {
    step.challenge = std::move(results.blobs.front());
    return step;
  }
  step.attributes = std::move(*results.agent_attributes);
  if (step.attributes.spiffe_id.empty()) {
    return Status(StatusCode::kInternal, plugin.prefix() + ": plugin returned no agent ID");
  }
  for (std::string& value : results.selector_values) {
    step.selectors.push_back(Selector{plugin.name(), std::move(value)});
  }
  return step;
}

} // namespace

AgentAttestSession::AgentAttestSession(LoadedPluginPtr plugin, spire_agent_attest_session* session,
                                       Bytes payload)
    : plugin_(std::move(plugin)), session_(session), payload_(std::move(payload)) {}

AgentAttestSession::~AgentAttestSession() {
  const auto& vt = plugin_->vtable<spire_agent_node_attestor_vtable>();
  if (vt.attest_end != nullptr) {
    plugin_->invoke(0, "attest_end", nullptr, nullptr, [&](spire_call*) {
      vt.attest_end(plugin_->self(), session_);
      return SPIRE_OK;
    });
  }
}

Result<Bytes> AgentAttestSession::answer(const Bytes& challenge) {
  const auto& vt = plugin_->vtable<spire_agent_node_attestor_vtable>();
  if (vt.attest_step == nullptr) {
    return Status(StatusCode::kUnimplemented,
                  plugin_->prefix() + ": the server sent a challenge but the plugin cannot answer "
                                      "challenges");
  }
  CallResults results;
  Status st = plugin_->invoke(kEmitBytes, "attest_step", &results, nullptr, [&](spire_call* call) {
    return vt.attest_step(plugin_->self(), session_, call, view(challenge));
  });
  if (!st.isOk()) {
    return st;
  }
  return singleBlob(*plugin_, results, "challenge response");
}

Result<std::unique_ptr<AgentAttestSession>> AgentNodeAttestorPlugin::begin() const {
  const auto& vt = plugin_->vtable<spire_agent_node_attestor_vtable>();
  CallResults results;
  spire_agent_attest_session* session = nullptr;
  Status st = plugin_->invoke(kEmitBytes, "attest_begin", &results, nullptr, [&](spire_call* call) {
    return vt.attest_begin(plugin_->self(), call, &session);
  });
  if (!st.isOk()) {
    return st;
  }
  // From here the session exists: the session object ends it even when the payload is bad.
  Result<Bytes> payload = singleBlob(*plugin_, results, "payload");
  const Status error = payload.status();
  auto out = std::make_unique<AgentAttestSession>(plugin_, session,
                                                  error.isOk() ? std::move(*payload) : Bytes());
  if (!error.isOk()) {
    return error;
  }
  return out;
}

ServerAttestSession::ServerAttestSession(LoadedPluginPtr plugin,
                                         spire_server_attest_session* session)
    : plugin_(std::move(plugin)), session_(session) {}

ServerAttestSession::~ServerAttestSession() {
  const auto& vt = plugin_->vtable<spire_server_node_attestor_vtable>();
  if (vt.attest_end != nullptr) {
    plugin_->invoke(0, "attest_end", nullptr, nullptr, [&](spire_call*) {
      vt.attest_end(plugin_->self(), session_);
      return SPIRE_OK;
    });
  }
}

Result<ServerAttestStep> ServerAttestSession::step(const Bytes& response) {
  const auto& vt = plugin_->vtable<spire_server_node_attestor_vtable>();
  if (vt.attest_step == nullptr) {
    return Status(StatusCode::kInternal,
                  plugin_->prefix() + ": plugin sent a challenge but cannot check answers");
  }
  CallResults results;
  Status st =
      plugin_->invoke(kEmitBytes | kEmitAgentAttributes | kEmitSelectorValue, "attest_step",
                      &results, nullptr, [&](spire_call* call) {
                        return vt.attest_step(plugin_->self(), session_, call, view(response));
                      });
  if (!st.isOk()) {
    return st;
  }
  return serverStepFrom(*plugin_, results);
}

Result<ServerAttestBegin> ServerNodeAttestorPlugin::begin(const Bytes& payload) const {
  const auto& vt = plugin_->vtable<spire_server_node_attestor_vtable>();
  CallResults results;
  spire_server_attest_session* session = nullptr;
  Status st =
      plugin_->invoke(kEmitBytes | kEmitAgentAttributes | kEmitSelectorValue, "attest_begin",
                      &results, nullptr, [&](spire_call* call) {
                        return vt.attest_begin(plugin_->self(), call, view(payload), &session);
                      });
  if (!st.isOk()) {
    return st;
  }
  ServerAttestBegin out;
  out.session = std::make_unique<ServerAttestSession>(plugin_, session);
  Result<ServerAttestStep> first = serverStepFrom(*plugin_, results);
  if (!first.isOk()) {
    return first.status();
  }
  out.first = std::move(*first);
  return out;
}

Result<ServerAttestStep> ServerNodeAttestorPlugin::attest(const Bytes& payload,
                                                          const ChallengeRelay& relay) const {
  Result<ServerAttestBegin> begun = begin(payload);
  if (!begun.isOk()) {
    return begun.status();
  }
  ServerAttestStep step = std::move(begun->first);
  while (!step.done()) {
    Result<Bytes> response = relay(*step.challenge);
    if (!response.isOk()) {
      return response.status();
    }
    Result<ServerAttestStep> next = begun->session->step(*response);
    if (!next.isOk()) {
      return next.status();
    }
    step = std::move(*next);
  }
  return step;
}

} // namespace spire::plugin_host
