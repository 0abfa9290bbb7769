// NodeAttestor "join_token": one .so with the agent side (sends the token) and a server side that
// only exists so that a server configuration may name `NodeAttestor "join_token"` as SPIRE's does.
// As in SPIRE, the server verifies join tokens itself (datastore consume_join_token: single use,
// expiry) before any plugin is involved, so the server side refuses to attest.

#include "spire/plugin/cpp/plugin.hpp"
#include "node_attestor/join_token/join_token_agent.h"
#include "shared/config_json.h"
#include "shared/sdk_glue.h"

namespace spire::builtin::join_token {
namespace {

using spire::plugin::Bytes;

class AgentPlugin final : public spire::plugin::AgentNodeAttestor {
public:
  static constexpr const char* kName = "join_token";
  static constexpr const char* kVersion = kBuiltinPluginVersion;
  static constexpr const char* kDescription = "one-time join token";

  void configure(const spire::plugin::CoreConfig&, const std::string& json) override {
    throwIfError(agent_.configure(json));
  }
  std::vector<std::string> validate(const spire::plugin::CoreConfig&,
                                    const std::string& json) override {
    JoinTokenAgent probe;
    throwIfError(probe.configure(json));
    if (!probe.payload().isOk()) {
      return {"no join token configured: attestation will fail until one is set"};
    }
    return {};
  }
  std::unique_ptr<Session> newSession() override {
    return std::make_unique<TokenSession>(valueOrThrow(agent_.payload()));
  }

private:
  class TokenSession final : public Session {
  public:
    explicit TokenSession(std::string token) : token_(std::move(token)) {}
    Bytes payload() override { return toSdkBytes(token_); }

  private:
    std::string token_;
  };

  JoinTokenAgent agent_;
};

class ServerPlugin final : public spire::plugin::ServerNodeAttestor {
public:
  static constexpr const char* kName = "join_token";
  static constexpr const char* kVersion = kBuiltinPluginVersion;
  static constexpr const char* kDescription = "one-time join token (verified by the server)";

  void configure(const spire::plugin::CoreConfig&, const std::string& json) override {
    auto config = ConfigObject::parse(json, {}); // SPIRE documents no configuration
    throwIfError(config.status());
  }
  std::unique_ptr<Session> newSession() override {
    throw spire::plugin::Error(SPIRE_FAILED_PRECONDITION,
                               "join tokens are verified by the server against its datastore, "
                               "not by the plugin");
  }
};

} // namespace
} // namespace spire::builtin::join_token

SPIRE_CPP_PLUGIN(spire::plugin::descriptorOf<spire::builtin::join_token::AgentPlugin>(),
                 spire::plugin::descriptorOf<spire::builtin::join_token::ServerPlugin>())
