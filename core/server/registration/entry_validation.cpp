#include "server/registration/entry_validation.h"

#include <algorithm>
#include <cstdio>
#include <tuple>
#include <utility>

namespace spire::server::registration {
namespace {

// Go's %q for the strings we quote: SPIFFE IDs and trust domain names that have already been
// validated, so they hold only printable ASCII without quotes or backslashes.
std::string quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  out += text;
  out += '"';
  return out;
}

bool isGoSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

std::string_view trimSpace(std::string_view s) {
  while (!s.empty() && isGoSpace(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && isGoSpace(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// golang.org/x/net/idna error texts.
std::string idnaLabelError(std::string_view label) {
  return "idna error\nidna: invalid label " + quoted(label);
}

std::string idnaRuneError(unsigned char c) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "U+%04X", static_cast<unsigned>(c));
  return std::string("idna error\nidna: disallowed rune ") + buf;
}

bool isDnsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

// x509util.validNonwildcardLabel: trim, empty, trailing dot, then the IDNA registration checks.
Status validateNonWildcardName(std::string_view raw) {
  const std::string_view name = trimSpace(raw);
  if (name.empty()) {
    return invalidArgument("empty or only whitespace");
  }
  if (name.back() == '.') {
    return invalidArgument("domain ends with dot");
  }
  // Go's idna maps/normalises the whole string before looking at labels, so a bad character is
  // reported before any label problem. We refuse anything that cannot appear in a dNSName SAN.
  for (char c : name) {
    if (!isDnsNameChar(c)) {
      return invalidArgument(idnaRuneError(static_cast<unsigned char>(c)));
    }
  }
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) {
      dot = name.size();
    }
    const std::string_view label = name.substr(start, dot - start);
    if (label.empty()) {
      // idna reports an empty label with the whole name (labelError{s, "A4"}).
      return invalidArgument(idnaLabelError(name));
    }
    // CheckHyphens: "--" in positions 3-4 (V2; "xn--" A-labels are punycode and decoded by Go's
    // idna, which we do not do: they pass as ASCII), then a leading or trailing hyphen (V3).
    const bool ace = label.size() >= 4 && label.substr(0, 4) == "xn--";
    if (!ace && label.size() > 4 && label[2] == '-' && label[3] == '-') {
      return invalidArgument(idnaLabelError(label));
    }
    if (label.front() == '-' || label.back() == '-') {
      return invalidArgument(idnaLabelError(label));
    }
    if (label.size() > 63) {
      return invalidArgument(idnaLabelError(label));
    }
    start = dot + 1;
  }
  if (name.size() > 253) {
    return invalidArgument(idnaLabelError(name));
  }
  return {};
}

bool isEntryIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

Status withPrefix(std::string_view prefix, const Status& status) {
  return invalidArgument(std::string(prefix) + ": " + status.message());
}

// "spiffe://..." string of a trust domain name or ID, as SPIRE normalises federates_with.
Result<std::string> federatedTrustDomain(std::string_view text) {
  auto td = spiffe::TrustDomain::parse(text);
  if (!td) {
    return withPrefix("invalid federated trust domain", td.status());
  }
  return td->idString();
}

std::vector<Selector> sortedUniqueSelectors(const std::vector<Selector>& selectors) {
  std::vector<Selector> out = selectors;
  std::sort(out.begin(), out.end(), [](const Selector& a, const Selector& b) {
    return std::tie(a.type, a.value) < std::tie(b.type, b.value);
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

} // namespace

Status validateDnsName(std::string_view name) {
  for (char c : name) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      return invalidArgument("name must be ascii");
    }
  }
  const auto stars = std::count(name.begin(), name.end(), '*');
  if (stars == 0) {
    return validateNonWildcardName(name);
  }
  if (stars > 1) {
    return invalidArgument("too many wildcards");
  }
  if (name.substr(0, 2) != "*.") {
    return invalidArgument("wildcard must be first label");
  }
  return validateNonWildcardName(name.substr(2));
}

Status verifyTrustDomainMemberId(const spiffe::TrustDomain& td, const spiffe::SpiffeId& id) {
  if (!id.memberOf(td)) {
    return invalidArgument(quoted(id.toString()) + " is not a member of trust domain " +
                           quoted(td.name()));
  }
  if (id.path().empty()) {
    return invalidArgument(quoted(id.toString()) + " is not a member of trust domain " +
                           quoted(td.name()) + "; path is empty");
  }
  return {};
}

Status verifyTrustDomainWorkloadId(const spiffe::TrustDomain& td, const spiffe::SpiffeId& id) {
  if (!id.memberOf(td)) {
    return invalidArgument(quoted(id.toString()) + " is not a member of trust domain " +
                           quoted(td.name()));
  }
  if (id.path().empty()) {
    return invalidArgument(quoted(id.toString()) + " is not a workload in trust domain " +
                           quoted(td.name()) + "; path is empty");
  }
  // idutil.IsReservedPath: "/spire" itself and everything below it.
  const std::string& path = id.path();
  if (path == "/spire" || path.rfind("/spire/", 0) == 0) {
    return invalidArgument(quoted(id.toString()) + " is not a workload in trust domain " +
                           quoted(td.name()) + "; path is in the reserved namespace");
  }
  return {};
}

Result<spiffe::SpiffeId> idFromProtoParts(std::string_view trust_domain, std::string_view path) {
  auto td = spiffe::TrustDomain::parse(trust_domain);
  if (!td) {
    return td.status();
  }
  return spiffe::SpiffeId::fromPath(*td, path);
}

Status validateSelector(const Selector& selector) {
  if (selector.type.empty()) {
    return invalidArgument("missing selector type");
  }
  if (selector.type.find(':') != std::string::npos) {
    return invalidArgument("selector type contains ':'");
  }
  if (selector.value.empty()) {
    return invalidArgument("missing selector value");
  }
  return {};
}

Result<Selector> parseSelector(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return invalidArgument("selector \"" + std::string(text) +
                           "\" must be formatted as type:value");
  }
  return Selector{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

Result<Entry> validateEntry(const spiffe::TrustDomain& td, const Entry& entry,
                            const EntryFieldMask& mask) {
  Entry out = entry;
  if (mask.parent_id) {
    auto parent = spiffe::SpiffeId::parse(entry.parent_id);
    if (!parent) {
      return withPrefix("invalid parent ID", parent.status());
    }
    if (Status s = verifyTrustDomainMemberId(td, *parent); !s.isOk()) {
      return withPrefix("invalid parent ID", s);
    }
    out.parent_id = parent->toString();
  }
  if (mask.spiffe_id) {
    auto id = spiffe::SpiffeId::parse(entry.spiffe_id);
    if (!id) {
      return withPrefix("invalid spiffe ID", id.status());
    }
    if (Status s = verifyTrustDomainWorkloadId(td, *id); !s.isOk()) {
      return withPrefix("invalid spiffe ID", s);
    }
    out.spiffe_id = id->toString();
  }
  if (mask.dns_names) {
    for (const std::string& name : entry.dns_names) {
      if (Status s = validateDnsName(name); !s.isOk()) {
        return withPrefix("invalid DNS name", s);
      }
    }
  }
  if (mask.federates_with) {
    out.federates_with.clear();
    for (const std::string& name : entry.federates_with) {
      auto id = federatedTrustDomain(name);
      if (!id) {
        return id.status();
      }
      out.federates_with.push_back(std::move(*id));
    }
  }
  if (mask.selectors) {
    if (entry.selectors.empty()) {
      return invalidArgument("selector list is empty");
    }
    for (const Selector& selector : entry.selectors) {
      if (Status s = validateSelector(selector); !s.isOk()) {
        return s;
      }
    }
  }
  if (mask.hint && entry.hint.size() > kHintMaximumLength) {
    return invalidArgument("hint is too long, max length is " + std::to_string(kHintMaximumLength) +
                           " characters");
  }
  // The datastore's own checks (sqlstore validateRegistrationEntry), run after the API's.
  if (entry.entry_id.size() > kMaxEntryIdLength) {
    return invalidArgument("datastore-validation: invalid registration entry: entry ID too long");
  }
  if (!std::all_of(entry.entry_id.begin(), entry.entry_id.end(), isEntryIdChar)) {
    return invalidArgument(
        "datastore-validation: invalid registration entry: entry ID contains invalid characters");
  }
  if (mask.x509_svid_ttl && entry.x509_svid_ttl < 0) {
    return invalidArgument(
        "datastore-validation: invalid registration entry: X509SvidTtl is not set");
  }
  if (mask.jwt_svid_ttl && entry.jwt_svid_ttl < 0) {
    return invalidArgument(
        "datastore-validation: invalid registration entry: JwtSvidTtl is not set");
  }
  return out;
}

std::string similarEntryKey(const Entry& entry) {
  // Every part is length-prefixed, so distinct triples never give the same key.
  std::string key;
  auto append = [&key](std::string_view part) {
    key += std::to_string(part.size());
    key += ':';
    key += part;
  };
  append(entry.parent_id);
  append(entry.spiffe_id);
  for (const Selector& s : sortedUniqueSelectors(entry.selectors)) {
    append(s.type);
    append(s.value);
  }
  return key;
}

bool isSimilarEntry(const Entry& a, const Entry& b) {
  return a.parent_id == b.parent_id && a.spiffe_id == b.spiffe_id &&
         sortedUniqueSelectors(a.selectors) == sortedUniqueSelectors(b.selectors);
}

Status similarEntryExists() {
  return {StatusCode::kAlreadyExists, std::string(kSimilarEntryExists)};
}

} // namespace spire::server::registration
