#include "agent/endpoints/workload_responses.h"

#include <algorithm>
#include <set>

#include <google/protobuf/util/json_util.h>

namespace spire::agent::endpoints {

namespace {

Status notSerializable(const std::string& why) {
  return {StatusCode::kUnavailable, "could not serialize response: " + why};
}

Status noIdentity() {
  return {StatusCode::kPermissionDenied, std::string(kNoIdentityIssued)};
}

} // namespace

std::vector<std::shared_ptr<const x509::X509Svid>>
filterByHint(const std::vector<std::shared_ptr<const x509::X509Svid>>& svids) {
  std::vector<std::shared_ptr<const x509::X509Svid>> kept;
  std::set<std::string, std::less<>> seen;
  for (const auto& svid : svids) {
    if (svid->hint.empty() || seen.insert(svid->hint).second) {
      kept.push_back(svid);
    }
  }
  return kept;
}

Result<X509SVIDResponse> composeX509SvidResponse(const IdentitySnapshot& snapshot) {
  const auto svids = filterByHint(snapshot.svids);
  if (svids.empty()) {
    return noIdentity();
  }
  if (snapshot.bundle == nullptr) {
    return notSerializable("bundle not available");
  }
  X509SVIDResponse response;
  auto& federated = *response.mutable_federated_bundles();
  for (const auto& bundle : snapshot.federated_bundles) {
    federated[bundle->trustDomain().idString()] = bundle->toDer();
  }
  const std::string own_bundle = snapshot.bundle->toDer();
  for (const auto& svid : svids) {
    Result<x509::EncodedX509Svid> der = svid->toDer();
    if (!der) {
      return notSerializable("marshal key for " + svid->id.toString() + ": " +
                             der.status().message());
    }
    X509SVID* out = response.add_svids();
    out->set_spiffe_id(svid->id.toString());
    out->set_x509_svid(std::move(der->certificates));
    out->set_x509_svid_key(std::move(der->private_key));
    out->set_bundle(own_bundle);
    out->set_hint(svid->hint);
  }
  return response;
}

Result<X509BundlesResponse> composeX509BundlesResponse(const IdentitySnapshot& snapshot,
                                                       bool allow_unauthenticated_verifiers) {
  const bool has_identity = !snapshot.svids.empty();
  if (!has_identity && !allow_unauthenticated_verifiers) {
    return noIdentity();
  }
  if (snapshot.bundle == nullptr) {
    return notSerializable("bundle not available");
  }
  X509BundlesResponse response;
  auto& bundles = *response.mutable_bundles();
  bundles[snapshot.bundle->trustDomain().idString()] = snapshot.bundle->toDer();
  if (has_identity) {
    for (const auto& bundle : snapshot.federated_bundles) {
      bundles[bundle->trustDomain().idString()] = bundle->toDer();
    }
  }
  return response;
}

Result<JWTBundlesResponse> composeJwtBundlesResponse(const IdentitySnapshot& snapshot,
                                                     bool allow_unauthenticated_verifiers) {
  const bool has_identity = !snapshot.svids.empty();
  if (!has_identity && !allow_unauthenticated_verifiers) {
    return noIdentity();
  }
  if (snapshot.jwt_bundle == nullptr) {
    return notSerializable("bundle not available");
  }
  JWTBundlesResponse response;
  auto& bundles = *response.mutable_bundles();
  auto add = [&bundles](const jwt::JwtBundle& bundle) -> Status {
    Result<std::string> jwks = bundle.toJwks(jwt::JwksStyle::kSpireIndented);
    if (!jwks) {
      return notSerializable(jwks.status().message());
    }
    bundles[bundle.trustDomain().idString()] = std::move(*jwks);
    return {};
  };
  if (Status st = add(*snapshot.jwt_bundle); !st.isOk()) {
    return st;
  }
  if (has_identity) {
    for (const auto& bundle : snapshot.federated_jwt_bundles) {
      if (Status st = add(*bundle); !st.isOk()) {
        return st;
      }
    }
  }
  return response;
}

Result<google::protobuf::Struct> claimsToStruct(nlohmann::json claims, bool foreign,
                                                const std::vector<std::string>& allowed_foreign) {
  if (!claims.is_object()) {
    return internalError("claims are not a JSON object");
  }
  if (foreign) {
    for (auto it = claims.begin(); it != claims.end();) {
      const std::string& key = it.key();
      const bool keep =
          key == "sub" || key == "exp" || key == "aud" ||
          std::find(allowed_foreign.begin(), allowed_foreign.end(), key) != allowed_foreign.end();
      it = keep ? std::next(it) : claims.erase(it);
    }
  }
  if (auto aud = claims.find("aud"); aud != claims.end() && aud->is_string()) {
    *aud = nlohmann::json::array({*aud});
  }
  google::protobuf::Struct result;
  auto status = google::protobuf::util::JsonStringToMessage(claims.dump(), &result);
  if (!status.ok()) {
    return internalError("unable to convert claims: " + std::string(status.message()));
  }
  return result;
}

} // namespace spire::agent::endpoints
