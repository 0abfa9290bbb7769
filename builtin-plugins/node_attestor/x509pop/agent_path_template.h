#pragma once

// The subset of Go text/template that SPIRE's agent_path_template uses: literal text and
// `{{ .Field }}` / `{{ .Subject.CommonName }}` actions (spaces and `-` trim markers allowed).
// Unknown fields are refused when the template is parsed, i.e. at Configure time, not at the
// first attestation.

#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "shared/status.h"

namespace spire::builtin::x509pop {

class AgentPathTemplate {
public:
  // The fields a template may reference.
  static const std::vector<std::string>& knownFields();

  static Result<AgentPathTemplate> parse(std::string_view text);
  // values maps field names ("Fingerprint", "Subject.CommonName") to their values.
  std::string render(const std::map<std::string, std::string>& values) const;

private:
  struct Field {
    std::string name;
  };
  std::vector<std::variant<std::string, Field>> parts_;
};

// "spiffe://<td>/spire/agent/<path>" with the path cleaned like Go's path.Join; InvalidArgument
// when a segment is empty or not [A-Za-z0-9._-].
Result<std::string> agentIdFromPath(const std::string& trust_domain, std::string_view path);

} // namespace spire::builtin::x509pop
