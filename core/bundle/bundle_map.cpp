#include "bundle/bundle_map.h"

#include <set>
#include <vector>

#include "jwt/go_compat.h"

namespace spire::bundle {
namespace {

using nlohmann::ordered_json;

constexpr std::string_view kTrustDomains = "trust_domains";

Status mapError(std::string text) {
  return invalidArgument("spiffebundle: " + text);
}

// Parses the document and lists the member names of every top-level "trust_domains" object in
// document order, duplicates included: the parsed object keeps only one value per name.
Result<ordered_json> parseRecordingKeys(std::string_view json, std::vector<std::string>* keys) {
  std::vector<std::string> path; // the member name at each object depth
  auto callback = [&](int depth, ordered_json::parse_event_t event, ordered_json& parsed) {
    if (event == ordered_json::parse_event_t::key) {
      auto d = static_cast<std::size_t>(depth);
      path.resize(d + 1);
      path[d] = parsed.get<std::string>();
      if (d == 2 && path[1] == kTrustDomains) {
        keys->push_back(path[d]);
      }
    }
    return true;
  };
  try {
    return ordered_json::parse(json.begin(), json.end(), callback);
  } catch (const ordered_json::exception& e) {
    // Reuse the shared message clean-up by parsing again without the callback.
    Result<ordered_json> again = jwt::parseJsonText(json);
    return again.isOk() ? invalidArgument(e.what()) : again.status();
  }
}

} // namespace

Result<SpiffeBundleMap> SpiffeBundleMap::parse(std::string_view json) {
  std::vector<std::string> keys;
  Result<ordered_json> doc = parseRecordingKeys(json, &keys);
  if (!doc) {
    return mapError("unable to parse SPIFFE bundle map: " + doc.status().message());
  }
  if (!doc->is_object() && !doc->is_null()) {
    return mapError("unable to parse SPIFFE bundle map: " +
                    jwt::goUnmarshalTypeError(*doc, "spiffebundle.bundleMapDoc"));
  }
  auto it = doc->is_object() ? doc->find(kTrustDomains) : doc->end();
  if (!doc->is_object() || it == doc->end() || it->is_null()) {
    return mapError("no trust_domains found");
  }
  if (!it->is_object()) {
    return mapError("unable to parse SPIFFE bundle map: " +
                    jwt::goUnmarshalFieldError(*it, "bundleMapDoc.trust_domains",
                                               "map[string]json.RawMessage"));
  }
  SpiffeBundleMap map;
  std::set<std::string> seen;
  for (const std::string& name : keys) {
    Result<spiffe::TrustDomain> td = spiffe::TrustDomain::parse(name);
    if (!td) {
      return mapError("invalid trust domain " + goQuote(name) + ": " + td.status().message());
    }
    if (!seen.insert(td->name()).second) {
      return mapError("duplicate entry found for trust domain " + goQuote(name));
    }
    Result<SpiffeBundle> bundle = SpiffeBundle::parse(*td, (*it)[name].dump());
    if (!bundle) {
      std::string reason = bundle.status().message();
      constexpr std::string_view kPrefix = "spiffebundle: ";
      if (reason.rfind(kPrefix, 0) == 0) {
        reason = reason.substr(kPrefix.size()); // go-spiffe unwraps the inner error
      }
      return mapError("error parsing bundle for trust domain " + goQuote(name) + ": " + reason);
    }
    map.add(std::move(bundle).value());
  }
  return map;
}

Result<std::string> SpiffeBundleMap::marshal() const {
  ordered_json domains = ordered_json::object();
  for (const auto& [td, bundle] : bundles_) {
    SpiffeBundle copy = bundle;
    copy.clearRefreshHint(); // the spec: producers SHOULD omit it inside a map
    Result<ordered_json> doc = copy.toJson();
    if (!doc) {
      return mapError("error marshaling bundle for trust domain " + goQuote(td.name()) + ": " +
                      doc.status().message());
    }
    domains[td.name()] = std::move(doc).value();
  }
  ordered_json out = ordered_json::object();
  out[std::string(kTrustDomains)] = std::move(domains);
  return jwt::goJsonDump(out);
}

void SpiffeBundleMap::add(SpiffeBundle bundle) {
  spiffe::TrustDomain td = bundle.trustDomain();
  bundles_.insert_or_assign(std::move(td), std::move(bundle));
}

const SpiffeBundle* SpiffeBundleMap::get(const spiffe::TrustDomain& td) const {
  auto it = bundles_.find(td);
  return it == bundles_.end() ? nullptr : &it->second;
}

} // namespace spire::bundle
