#include "jwt/jwt_bundle.h"

#include "crypto/key.h"
#include "jwt/go_compat.h"

namespace spire::jwt {
namespace {

constexpr std::string_view kPrefix = "jwtbundle: ";

Status bundleError(std::string text) {
  return invalidArgument(std::string(kPrefix) + text);
}

} // namespace

Result<JwtBundle> JwtBundle::parse(const spiffe::TrustDomain& td, std::string_view jwks) {
  Result<nlohmann::ordered_json> doc = parseJsonText(jwks);
  if (!doc) {
    return bundleError("unable to parse JWKS: " + doc.status().message());
  }
  if (!doc->is_object() && !doc->is_null()) {
    return bundleError("unable to parse JWKS: " + goUnmarshalTypeError(*doc, "jose.JSONWebKeySet"));
  }
  JwtBundle bundle(td);
  if (doc->is_null() || !doc->contains("keys") || (*doc)["keys"].is_null()) {
    return bundle; // go-spiffe: no "keys" is simply an empty bundle
  }
  const nlohmann::ordered_json& keys = (*doc)["keys"];
  if (!keys.is_array()) {
    return bundleError("unable to parse JWKS: " +
                       goUnmarshalFieldError(keys, "JSONWebKeySet.keys", "[]jose.JSONWebKey"));
  }
  // First decode the whole set (a malformed key fails the document, an unsupported one is
  // dropped), then add, so errors come in go-spiffe's order and indexes count kept keys.
  std::vector<Jwk> kept;
  for (const auto& item : keys) {
    Result<Jwk> jwk = parseJwk(item);
    if (!jwk) {
      if (jwk.status().code() == StatusCode::kUnimplemented) {
        continue;
      }
      return bundleError("unable to parse JWKS: " + jwk.status().message());
    }
    kept.push_back(std::move(jwk).value());
  }
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (kept[i].kid.empty()) {
      return bundleError("error adding authority " + std::to_string(i) +
                         " of JWKS: keyID cannot be empty");
    }
    bundle.authorities_[kept[i].kid] = kept[i].key;
  }
  return bundle;
}

PublicKey JwtBundle::findAuthority(std::string_view kid) const {
  auto it = authorities_.find(kid);
  return it == authorities_.end() ? nullptr : it->second;
}

Status JwtBundle::addAuthority(std::string kid, PublicKey key) {
  if (kid.empty()) {
    return bundleError("keyID cannot be empty");
  }
  if (!key) {
    return bundleError("authority key cannot be null");
  }
  authorities_[std::move(kid)] = std::move(key);
  return Status::ok();
}

void JwtBundle::removeAuthority(std::string_view kid) {
  auto it = authorities_.find(kid);
  if (it != authorities_.end()) {
    authorities_.erase(it);
  }
}

Result<std::string> JwtBundle::toJwks(JwksStyle style) const {
  nlohmann::ordered_json keys = nlohmann::ordered_json::array();
  for (const auto& [kid, key] : authorities_) {
    Result<nlohmann::ordered_json> jwk = marshalJwk(*key, {}, kid);
    if (!jwk) {
      return jwk.status();
    }
    keys.push_back(std::move(jwk).value());
  }
  nlohmann::ordered_json doc = nlohmann::ordered_json::object();
  doc["keys"] = std::move(keys);
  return goJsonDump(doc, style == JwksStyle::kSpireIndented ? 4 : -1);
}

bool JwtBundle::equals(const JwtBundle& other) const {
  if (td_ != other.td_ || authorities_.size() != other.authorities_.size()) {
    return false;
  }
  for (const auto& [kid, key] : authorities_) {
    PublicKey theirs = other.findAuthority(kid);
    if (!theirs || !crypto::publicKeysEqual(*key, *theirs)) {
      return false;
    }
  }
  return true;
}

void JwtBundleSet::add(JwtBundle bundle) {
  spiffe::TrustDomain td = bundle.trustDomain();
  bundles_[td] = std::make_shared<const JwtBundle>(std::move(bundle));
}

std::shared_ptr<const JwtBundle> JwtBundleSet::jwtBundleFor(const spiffe::TrustDomain& td) const {
  auto it = bundles_.find(td);
  return it == bundles_.end() ? nullptr : it->second;
}

} // namespace spire::jwt
