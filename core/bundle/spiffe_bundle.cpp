#include "bundle/spiffe_bundle.h"

#include <limits>

#include "crypto/key.h"
#include "jwt/go_compat.h"

namespace spire::bundle {
namespace {

using nlohmann::ordered_json;

constexpr std::string_view kX509SvidUse = "x509-svid";
constexpr std::string_view kJwtSvidUse = "jwt-svid";
constexpr std::string_view kWitSvidUse = "wit-svid";

Status bundleError(std::string text) {
  return invalidArgument("spiffebundle: " + text);
}

// encoding/json's UnmarshalTypeError for a number that does not fit the field: it quotes the
// number literal ("number -1", "number 1.5").
std::string numberFieldError(const ordered_json& v, std::string_view field, std::string_view type) {
  std::string value = v.is_number() ? "number " + v.dump() : std::string(jwt::goJsonTypeName(v));
  return "json: cannot unmarshal " + value + " into Go struct field bundleDoc." +
         std::string(field) + " of type " + std::string(type);
}

// The decoded bundleDoc: go-jose's JSONWebKeySet plus the two SPIFFE members.
struct BundleDoc {
  bool has_keys = false;
  std::vector<jwt::Jwk> keys; // unsupported key types already dropped
  std::optional<uint64_t> sequence;
  std::optional<int64_t> refresh_hint;
};

Result<BundleDoc> decodeBundleDoc(std::string_view json) {
  Result<ordered_json> doc = jwt::parseJsonText(json);
  if (!doc) {
    return doc.status();
  }
  BundleDoc out;
  if (doc->is_null()) {
    return out;
  }
  if (!doc->is_object()) {
    return invalidArgument(jwt::goUnmarshalTypeError(*doc, "spiffebundle.bundleDoc"));
  }
  std::optional<Status> type_error; // encoding/json reports the first plain mismatch at the end
  auto note = [&](std::string message) {
    if (!type_error) {
      type_error = invalidArgument(std::move(message));
    }
  };
  for (const auto& [name, v] : doc->items()) {
    if (v.is_null()) {
      if (name == "keys") {
        out.has_keys = false;
        out.keys.clear();
      }
      continue;
    }
    if (name == "keys") {
      if (!v.is_array()) {
        note(jwt::goUnmarshalFieldError(v, "bundleDoc.keys", "[]jose.JSONWebKey"));
        continue;
      }
      out.has_keys = true;
      out.keys.clear();
      for (const auto& item : v) {
        Result<jwt::Jwk> jwk = jwt::parseJwk(item);
        if (!jwk) {
          if (jwk.status().code() == StatusCode::kUnimplemented) {
            continue; // RFC 7517 §5: skip key types we do not understand
          }
          return jwk.status();
        }
        out.keys.push_back(std::move(jwk).value());
      }
    } else if (name == "spiffe_sequence") {
      if (v.is_number_unsigned()) {
        out.sequence = v.get<uint64_t>();
      } else {
        note(numberFieldError(v, name, "uint64"));
      }
    } else if (name == "spiffe_refresh_hint") {
      if (v.is_number_integer() &&
          (!v.is_number_unsigned() ||
           v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))) {
        out.refresh_hint = v.get<int64_t>();
      } else {
        note(numberFieldError(v, name, "int64"));
      }
    }
  }
  if (type_error) {
    return *type_error;
  }
  return out;
}

Result<ordered_json> entry(const EVP_PKEY& key, std::string_view use, std::string_view kid,
                           const std::vector<crypto::X509Shared>& certs) {
  return jwt::marshalJwk(key, use, kid, certs);
}

} // namespace

Result<SpiffeBundle> SpiffeBundle::parse(const spiffe::TrustDomain& td, std::string_view json) {
  Result<BundleDoc> doc = decodeBundleDoc(json);
  if (!doc) {
    return bundleError("unable to parse JWKS: " + doc.status().message());
  }
  SpiffeBundle bundle(td);
  if (doc->refresh_hint) {
    bundle.setRefreshHint(std::chrono::seconds(*doc->refresh_hint));
  }
  if (doc->sequence) {
    bundle.setSequenceNumber(*doc->sequence);
  }
  if (!doc->has_keys) {
    // The "keys" member MUST be present (an empty array is fine).
    return bundleError("no authorities found");
  }
  for (std::size_t i = 0; i < doc->keys.size(); ++i) {
    jwt::Jwk& key = doc->keys[i];
    if (key.use == kX509SvidUse) {
      if (key.certificates.size() != 1) {
        return bundleError("expected a single certificate in x509-svid entry " + std::to_string(i) +
                           "; got " + std::to_string(key.certificates.size()));
      }
      bundle.addX509Authority(key.certificates.front());
    } else if (key.use == kJwtSvidUse) {
      if (key.kid.empty()) {
        return bundleError("error adding authority " + std::to_string(i) +
                           " of JWKS: keyID cannot be empty");
      }
      (void)bundle.jwt_.addAuthority(key.kid, key.key);
    } else if (key.use == kWitSvidUse) {
      if (key.kid.empty()) {
        return bundleError("error adding WIT authority " + std::to_string(i) +
                           " of JWKS: keyID cannot be empty");
      }
      (void)bundle.wit_.addAuthority(key.kid, key.key);
    }
    // Any other "use" (or none): ignored, as the spec asks.
  }
  return bundle;
}

SpiffeBundle SpiffeBundle::fromX509Bundle(const x509::X509Bundle& bundle) {
  SpiffeBundle out(bundle.trustDomain());
  out.x509_ = bundle;
  return out;
}

SpiffeBundle SpiffeBundle::fromJwtBundle(const jwt::JwtBundle& bundle) {
  SpiffeBundle out(bundle.trustDomain());
  out.jwt_ = bundle;
  return out;
}

void SpiffeBundle::setX509Authorities(std::vector<crypto::X509Shared> certs) {
  x509_ = x509::X509Bundle(td_, {});
  for (crypto::X509Shared& cert : certs) {
    x509_.addAuthority(std::move(cert));
  }
}

Status SpiffeBundle::addJwtAuthority(std::string kid, jwt::PublicKey key) {
  if (kid.empty()) {
    return bundleError("keyID cannot be empty");
  }
  return jwt_.addAuthority(std::move(kid), std::move(key));
}

Status SpiffeBundle::addWitAuthority(std::string kid, jwt::PublicKey key) {
  if (kid.empty()) {
    return bundleError("keyID cannot be empty");
  }
  return wit_.addAuthority(std::move(kid), std::move(key));
}

Result<ordered_json> SpiffeBundle::toJson() const {
  ordered_json keys = ordered_json::array();
  for (const crypto::X509Shared& cert : x509_.authorities()) {
    crypto::EvpPkeyPtr key(X509_get_pubkey(cert.get()));
    if (!key) {
      return internalError("cannot read certificate key: " + crypto::takeOpenSslErrors());
    }
    Result<ordered_json> e = entry(*key, kX509SvidUse, "", {cert});
    if (!e) {
      return e.status();
    }
    keys.push_back(std::move(e).value());
  }
  for (const auto* set : {&jwt_, &wit_}) {
    std::string_view use = set == &jwt_ ? kJwtSvidUse : kWitSvidUse;
    for (const auto& [kid, key] : set->authorities()) {
      Result<ordered_json> e = entry(*key, use, kid, {});
      if (!e) {
        return e.status();
      }
      keys.push_back(std::move(e).value());
    }
  }
  ordered_json doc = ordered_json::object();
  doc["keys"] = std::move(keys);
  if (sequence_) {
    doc["spiffe_sequence"] = *sequence_;
  }
  if (refresh_hint_) {
    doc["spiffe_refresh_hint"] = refresh_hint_->count();
  }
  return doc;
}

Result<std::string> SpiffeBundle::marshal() const {
  Result<ordered_json> doc = toJson();
  if (!doc) {
    return doc.status();
  }
  return jwt::goJsonDump(*doc);
}

Result<std::string> SpiffeBundle::marshalSpire(const SpireMarshalOptions& options) const {
  auto use = [&](std::string_view u) { return options.standard_jwks ? std::string_view() : u; };
  ordered_json keys = ordered_json::array();
  if (!options.no_x509_svid_keys) {
    for (const crypto::X509Shared& cert : x509_.authorities()) {
      crypto::EvpPkeyPtr key(X509_get_pubkey(cert.get()));
      if (!key) {
        return internalError("cannot read certificate key: " + crypto::takeOpenSslErrors());
      }
      Result<ordered_json> e = entry(*key, use(kX509SvidUse), "", {cert});
      if (!e) {
        return e.status();
      }
      keys.push_back(std::move(e).value());
    }
  }
  if (!options.no_jwt_svid_keys) {
    for (const auto& [kid, key] : jwt_.authorities()) {
      Result<ordered_json> e = entry(*key, use(kJwtSvidUse), kid, {});
      if (!e) {
        return e.status();
      }
      keys.push_back(std::move(e).value());
    }
  }
  ordered_json doc = ordered_json::object();
  doc["keys"] = std::move(keys);
  if (!options.standard_jwks) {
    uint64_t sequence = options.sequence_number.value_or(sequence_.value_or(0));
    int64_t hint =
        options.refresh_hint.value_or(refresh_hint_.value_or(std::chrono::seconds(0))).count();
    if (sequence != 0) {
      doc["spiffe_sequence"] = sequence;
    }
    if (hint != 0) {
      doc["spiffe_refresh_hint"] = hint;
    }
  }
  return jwt::goJsonDump(doc, 4);
}

bool SpiffeBundle::equals(const SpiffeBundle& other) const {
  return td_ == other.td_ && sequence_ == other.sequence_ && refresh_hint_ == other.refresh_hint_ &&
         x509_.equals(other.x509_) && jwt_.equals(other.jwt_) && wit_.equals(other.wit_);
}

} // namespace spire::bundle
