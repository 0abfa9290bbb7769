#pragma once

// Server NodeAttestor "x509pop" (mode "external_pki"): verifies the agent's chain against the
// configured CA bundle(s), challenges the agent to prove possession of the leaf key, and then
// names the agent spiffe://<td>/spire/agent/<agent_path_template> with selectors
//   subject:cn:<cn>, ca:fingerprint:<sha1> (each chain cert above the leaf),
//   serialnumber:<hex>, san:<key>:<value> (URI SANs x509pop://<td>/<key>:<value>).
// Agents may re-attest (can_reattest = true).
//
// THREADS: configure() swaps an immutable snapshot; sessions keep the snapshot they started with.

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "node_attestor/x509pop/agent_path_template.h"
#include "node_attestor/x509pop/x509pop_protocol.h"
#include "shared/ossl.h"
#include "shared/status.h"

namespace spire::builtin::x509pop {

inline constexpr const char* kDefaultExternalPkiTemplate = "{{ .PluginName}}/{{ .Fingerprint }}";

struct AgentAttributes {
  std::string spiffe_id;
  std::vector<std::string> selector_values;
  bool can_reattest = true;
};

class X509PopServer {
public:
  struct Config {
    std::string trust_domain;
    std::vector<CertPtr> roots;
    AgentPathTemplate path_template;
  };

  // One attestation: begin(payload) -> challenge, then finish(response) -> attributes.
  class Session {
  public:
    explicit Session(std::shared_ptr<const Config> config) : config_(std::move(config)) {}
    Result<std::string> begin(std::string_view payload);
    Result<AgentAttributes> finish(std::string_view challenge_response);

  private:
    std::shared_ptr<const Config> config_;
    CertPtr leaf_;
    std::vector<std::string> ca_fingerprints_;
    Challenge challenge_;
    bool challenged_ = false;
  };

  Status configure(const std::string& trust_domain, std::string_view json_config);
  // FailedPrecondition "not configured" before Configure.
  Result<std::unique_ptr<Session>> newSession() const;

private:
  mutable std::mutex mu_;
  std::shared_ptr<const Config> config_;
};

} // namespace spire::builtin::x509pop
