// Example NodeAttestor in C++ (both sides in one .so) using the SDK's C++ layer: a pre-shared key.
//
//   agent  -> server : payload   {"node": "<node name>"}
//   server -> agent  : challenge  32 random bytes
//   agent  -> server : answer     HMAC-SHA256(secret, challenge)
//   server           : result     spiffe://<td>/spire/agent/psk/<node name>, selector "node:<name>"
//
// plugin_data (both sides): { "secret": "<shared secret, at least 16 characters>" }
// agent side also:          { "node_name": "<this node's name>" }
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "spire/plugin/cpp/plugin.hpp"

namespace {

using spire::plugin::Bytes;
using spire::plugin::Error;

constexpr const char* kPluginName = "psk";

Bytes hmac(const std::string& secret, const Bytes& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t out_len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                data.data(), data.size(), out, sizeof(out), &out_len) == nullptr) {
    throw Error(SPIRE_INTERNAL, "HMAC failed");
  }
  return Bytes(out, out + out_len);
}

// Parses plugin_data, rejecting unknown fields as spire-cpp's built-ins do.
nlohmann::json parseConfig(const std::string& json, std::initializer_list<const char*> allowed) {
  nlohmann::json config = nlohmann::json::parse(json, nullptr, false);
  if (!config.is_object()) {
    throw Error(SPIRE_INVALID_ARGUMENT, "plugin_data must be a JSON object");
  }
  for (const auto& [key, value] : config.items()) {
    bool known = false;
    for (const char* name : allowed) {
      known = known || key == name;
    }
    if (!known) {
      throw Error(SPIRE_INVALID_ARGUMENT, "unknown configuration field \"" + key + "\"");
    }
  }
  if (!config.contains("secret") || !config["secret"].is_string() ||
      config["secret"].get<std::string>().size() < 16) {
    throw Error(SPIRE_INVALID_ARGUMENT, "secret must be a string of at least 16 characters");
  }
  return config;
}

// ---- Agent side ----
class PskAgent : public spire::plugin::AgentNodeAttestor {
public:
  static constexpr const char* kName = kPluginName;
  static constexpr const char* kVersion = "1.0.0";
  static constexpr const char* kDescription = "pre-shared key node attestation (agent side)";

  void configure(const spire::plugin::CoreConfig&, const std::string& json) override {
    nlohmann::json config = parseConfig(json, {"secret", "node_name"});
    if (!config.contains("node_name") || !config["node_name"].is_string() ||
        config["node_name"].get<std::string>().empty()) {
      throw Error(SPIRE_INVALID_ARGUMENT, "node_name is required");
    }
    std::lock_guard<std::mutex> lock(mu_);
    secret_ = config["secret"];
    node_name_ = config["node_name"];
  }

  class Session : public AgentNodeAttestor::Session {
  public:
    Session(std::string secret, std::string node_name)
        : secret_(std::move(secret)), node_name_(std::move(node_name)) {}
    Bytes payload() override {
      std::string p = nlohmann::json{{"node", node_name_}}.dump();
      return Bytes(p.begin(), p.end());
    }
    Bytes answer(const Bytes& challenge) override { return hmac(secret_, challenge); }

  private:
    std::string secret_;
    std::string node_name_;
  };

  std::unique_ptr<AgentNodeAttestor::Session> newSession() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (secret_.empty()) {
      throw Error(SPIRE_FAILED_PRECONDITION, "not configured");
    }
    return std::make_unique<Session>(secret_, node_name_);
  }

private:
  std::mutex mu_;
  std::string secret_;
  std::string node_name_;
};

// ---- Server side ----
class PskServer : public spire::plugin::ServerNodeAttestor {
public:
  static constexpr const char* kName = kPluginName;
  static constexpr const char* kVersion = "1.0.0";
  static constexpr const char* kDescription = "pre-shared key node attestation (server side)";

  void configure(const spire::plugin::CoreConfig& core, const std::string& json) override {
    nlohmann::json config = parseConfig(json, {"secret"});
    std::lock_guard<std::mutex> lock(mu_);
    secret_ = config["secret"];
    trust_domain_ = core.trust_domain;
  }

  std::vector<std::string> validate(const spire::plugin::CoreConfig& core,
                                    const std::string& json) override {
    parseConfig(json, {"secret"});
    if (core.trust_domain.empty()) {
      throw Error(SPIRE_INVALID_ARGUMENT, "the server has no trust domain");
    }
    return {"agents attest as spiffe://" + core.trust_domain + "/spire/agent/psk/<node_name>"};
  }

  class Session : public ServerNodeAttestor::Session {
  public:
    Session(std::string secret, std::string trust_domain, const spire::plugin::Host& host)
        : secret_(std::move(secret)), trust_domain_(std::move(trust_domain)), host_(host) {}

    spire::plugin::AttestStep begin(const spire::plugin::CallContext&,
                                    const Bytes& payload) override {
      nlohmann::json p = nlohmann::json::parse(payload.begin(), payload.end(), nullptr, false);
      if (!p.is_object() || !p.contains("node") || !p["node"].is_string()) {
        throw Error(SPIRE_INVALID_ARGUMENT, "malformed psk payload");
      }
      node_ = p["node"];
      if (node_.empty() || node_.find('/') != std::string::npos) {
        throw Error(SPIRE_INVALID_ARGUMENT, "invalid node name");
      }
      challenge_.resize(32);
      if (RAND_bytes(challenge_.data(), static_cast<int>(challenge_.size())) != 1) {
        throw Error(SPIRE_INTERNAL, "no randomness for the challenge");
      }
      return spire::plugin::AttestStep::challengeWith(challenge_);
    }

    spire::plugin::AttestStep step(const spire::plugin::CallContext& ctx,
                                   const Bytes& response) override {
      Bytes expected = hmac(secret_, challenge_);
      if (response.size() != expected.size() ||
          CRYPTO_memcmp(response.data(), expected.data(), expected.size()) != 0) {
        host_.warn("psk attestation failed for node " + node_);
        throw Error(SPIRE_PERMISSION_DENIED, "challenge response does not match");
      }
      spire::plugin::AgentResult result;
      result.spiffe_id = "spiffe://" + trust_domain_ + "/spire/agent/psk/" + node_;
      // The agent store tells us whether this node attested before and whether it was banned.
      std::optional<spire::plugin::AgentInfo> known = ctx.agentInfo(result.spiffe_id);
      if (known && known->banned) {
        throw Error(SPIRE_PERMISSION_DENIED, "agent " + result.spiffe_id + " is banned");
      }
      result.selector_values = {"node:" + node_};
      result.can_reattest = true;
      return spire::plugin::AttestStep::done(std::move(result));
    }

  private:
    std::string secret_;
    std::string trust_domain_;
    const spire::plugin::Host& host_;
    std::string node_;
    Bytes challenge_;
  };

  std::unique_ptr<ServerNodeAttestor::Session> newSession() override {
    std::lock_guard<std::mutex> lock(mu_);
    return std::make_unique<Session>(secret_, trust_domain_, host());
  }

private:
  std::mutex mu_;
  std::string secret_;
  std::string trust_domain_;
};

} // namespace

SPIRE_CPP_PLUGIN(spire::plugin::descriptorOf<PskServer>(), spire::plugin::descriptorOf<PskAgent>())
