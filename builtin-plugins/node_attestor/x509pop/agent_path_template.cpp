#include "node_attestor/x509pop/agent_path_template.h"

#include <algorithm>

namespace spire::builtin::x509pop {

const std::vector<std::string>& AgentPathTemplate::knownFields() {
  static const std::vector<std::string> kFields = {
      "PluginName", "Fingerprint", "TrustDomain", "Subject.CommonName", "SerialNumberHex",
  };
  return kFields;
}

Result<AgentPathTemplate> AgentPathTemplate::parse(std::string_view text) {
  AgentPathTemplate out;
  std::string literal;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      literal.append(text.substr(pos));
      break;
    }
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return invalidArgument("invalid agent_path_template: unclosed action");
    }
    literal.append(text.substr(pos, open - pos));
    std::string_view action = text.substr(open + 2, close - open - 2);
    // Trim markers: "{{- x" drops preceding spaces, "x -}}" drops following ones.
    bool trim_left = !action.empty() && action.front() == '-';
    bool trim_right = !action.empty() && action.back() == '-';
    if (trim_left) {
      action.remove_prefix(1);
      while (!literal.empty() && (literal.back() == ' ' || literal.back() == '\t')) {
        literal.pop_back();
      }
    }
    if (trim_right) {
      action.remove_suffix(1);
    }
    while (!action.empty() && action.front() == ' ') {
      action.remove_prefix(1);
    }
    while (!action.empty() && action.back() == ' ') {
      action.remove_suffix(1);
    }
    if (action.empty() || action.front() != '.') {
      return invalidArgument("invalid agent_path_template: unsupported action \"{{" +
                             std::string(action) + "}}\"");
    }
    std::string field(action.substr(1));
    const auto& known = knownFields();
    if (std::find(known.begin(), known.end(), field) == known.end()) {
      return invalidArgument("invalid agent_path_template: unknown field \"." + field + "\"");
    }
    if (!literal.empty()) {
      out.parts_.emplace_back(std::move(literal));
      literal.clear();
    }
    out.parts_.emplace_back(Field{std::move(field)});
    pos = close + 2;
    if (trim_right) {
      while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) {
        ++pos;
      }
    }
  }
  if (!literal.empty()) {
    out.parts_.emplace_back(std::move(literal));
  }
  return out;
}

std::string AgentPathTemplate::render(const std::map<std::string, std::string>& values) const {
  std::string out;
  for (const auto& part : parts_) {
    if (const auto* text = std::get_if<std::string>(&part)) {
      out += *text;
    } else {
      auto it = values.find(std::get<Field>(part).name);
      if (it != values.end()) {
        out += it->second;
      }
    }
  }
  return out;
}

Result<std::string> agentIdFromPath(const std::string& trust_domain, std::string_view path) {
  std::vector<std::string> segments = {"spire", "agent"};
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    std::string_view seg =
        path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    pos = slash == std::string_view::npos ? path.size() + 1 : slash + 1;
    if (seg.empty() || seg == ".") {
      continue;
    }
    if (seg == "..") {
      return invalidArgument("agent path \"" + std::string(path) + "\" must not contain \"..\"");
    }
    for (char c : seg) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-' || c == '_';
      if (!ok) {
        return invalidArgument("agent path \"" + std::string(path) +
                               "\" has a character not allowed in a SPIFFE ID path");
      }
    }
    segments.emplace_back(seg);
  }
  if (segments.size() == 2) {
    return invalidArgument("agent path is empty");
  }
  std::string id = "spiffe://" + trust_domain;
  for (const auto& seg : segments) {
    id += "/" + seg;
  }
  return id;
}

} // namespace spire::builtin::x509pop
