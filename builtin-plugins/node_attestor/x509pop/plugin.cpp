// NodeAttestor "x509pop": one .so with the server side and the agent side.

#include "spire/plugin/cpp/plugin.hpp"
#include "node_attestor/x509pop/x509pop_agent.h"
#include "node_attestor/x509pop/x509pop_server.h"
#include "shared/sdk_glue.h"

namespace spire::builtin::x509pop {
namespace {

using spire::plugin::AttestStep;
using spire::plugin::Bytes;
using spire::plugin::CallContext;

class ServerPlugin final : public spire::plugin::ServerNodeAttestor {
public:
  static constexpr const char* kName = "x509pop";
  static constexpr const char* kVersion = kBuiltinPluginVersion;
  static constexpr const char* kDescription = "proof of possession of an X.509 certificate key";

  void configure(const spire::plugin::CoreConfig& core, const std::string& json) override {
    throwIfError(server_.configure(core.trust_domain, json));
  }
  std::vector<std::string> validate(const spire::plugin::CoreConfig& core,
                                    const std::string& json) override {
    X509PopServer probe;
    throwIfError(probe.configure(core.trust_domain, json));
    return {};
  }

  std::unique_ptr<Session> newSession() override {
    return std::make_unique<SessionAdapter>(valueOrThrow(server_.newSession()));
  }

private:
  class SessionAdapter final : public Session {
  public:
    explicit SessionAdapter(std::unique_ptr<X509PopServer::Session> session)
        : session_(std::move(session)) {}
    AttestStep begin(const CallContext&, const Bytes& payload) override {
      return AttestStep::challengeWith(
          toSdkBytes(valueOrThrow(session_->begin(fromSdkBytes(payload)))));
    }
    AttestStep step(const CallContext&, const Bytes& response) override {
      AgentAttributes attrs = valueOrThrow(session_->finish(fromSdkBytes(response)));
      return AttestStep::done(spire::plugin::AgentResult{
          std::move(attrs.spiffe_id), std::move(attrs.selector_values), attrs.can_reattest});
    }

  private:
    std::unique_ptr<X509PopServer::Session> session_;
  };

  X509PopServer server_;
};

class AgentPlugin final : public spire::plugin::AgentNodeAttestor {
public:
  static constexpr const char* kName = "x509pop";
  static constexpr const char* kVersion = kBuiltinPluginVersion;
  static constexpr const char* kDescription = "proof of possession of an X.509 certificate key";

  void configure(const spire::plugin::CoreConfig&, const std::string& json) override {
    throwIfError(agent_.configure(json));
  }
  std::vector<std::string> validate(const spire::plugin::CoreConfig&,
                                    const std::string& json) override {
    X509PopAgent probe;
    throwIfError(probe.configure(json));
    return {};
  }

  std::unique_ptr<Session> newSession() override {
    return std::make_unique<SessionAdapter>(valueOrThrow(agent_.snapshot()));
  }

private:
  class SessionAdapter final : public Session {
  public:
    explicit SessionAdapter(std::shared_ptr<const X509PopAgent::Loaded> loaded)
        : loaded_(std::move(loaded)) {}
    Bytes payload() override { return toSdkBytes(X509PopAgent::payloadOf(*loaded_)); }
    Bytes answer(const Bytes& challenge) override {
      return toSdkBytes(valueOrThrow(X509PopAgent::respondWith(*loaded_, fromSdkBytes(challenge))));
    }

  private:
    std::shared_ptr<const X509PopAgent::Loaded> loaded_;
  };

  X509PopAgent agent_;
};

} // namespace
} // namespace spire::builtin::x509pop

SPIRE_CPP_PLUGIN(spire::plugin::descriptorOf<spire::builtin::x509pop::ServerPlugin>(),
                 spire::plugin::descriptorOf<spire::builtin::x509pop::AgentPlugin>())
