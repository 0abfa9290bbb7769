#include "server/api/svid/svid_convert.h"

#include <nlohmann/json.hpp>
#include <openssl/x509.h>

#include "common/encoding.h"
#include "common/go_quote.h"
#include "crypto/certificate.h"
#include "server/registration/entry_validation.h"

namespace spire::server::api {

Result<spiffe::SpiffeId> idFromProto(const types::SPIFFEID* id) {
  if (id == nullptr) {
    return invalidArgument("request must specify SPIFFE ID");
  }
  return registration::idFromProtoParts(id->trust_domain(), id->path());
}

Status verifyTrustDomainAgentId(const spiffe::TrustDomain& td, const spiffe::SpiffeId& id) {
  if (!id.memberOf(td)) {
    return invalidArgument(goQuote(id.toString()) + " is not a member of trust domain " +
                           goQuote(td.name()));
  }
  if (id.path().empty()) {
    return invalidArgument(goQuote(id.toString()) + " is not an agent in trust domain " +
                           goQuote(td.name()) + "; path is empty");
  }
  // idutil.IsAgentPath.
  if (!id.path().starts_with("/spire/agent/")) {
    return invalidArgument(goQuote(id.toString()) + " is not an agent in trust domain " +
                           goQuote(td.name()) + "; path is not in the agent namespace");
  }
  return {};
}

Result<spiffe::SpiffeId> agentIdFromProto(const spiffe::TrustDomain& td,
                                          const types::SPIFFEID* id) {
  Result<spiffe::SpiffeId> parsed = idFromProto(id);
  if (!parsed) {
    return parsed;
  }
  if (Status st = verifyTrustDomainAgentId(td, *parsed); !st.isOk()) {
    return st;
  }
  return parsed;
}

Result<spiffe::SpiffeId> workloadIdFromProto(const spiffe::TrustDomain& td,
                                             const types::SPIFFEID* id) {
  Result<spiffe::SpiffeId> parsed = idFromProto(id);
  if (!parsed) {
    return parsed;
  }
  if (Status st = registration::verifyTrustDomainWorkloadId(td, *parsed); !st.isOk()) {
    return st;
  }
  return parsed;
}

void fillProtoId(const spiffe::SpiffeId& id, types::SPIFFEID* out) {
  out->set_trust_domain(id.trustDomain().name());
  out->set_path(id.path());
}

std::int64_t unixSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

void fillX509Svid(const spiffe::SpiffeId& id, const std::vector<crypto::X509Shared>& chain,
                  types::X509SVID* out) {
  fillProtoId(id, out->mutable_id());
  auto* certs = out->mutable_cert_chain();
  certs->Reserve(static_cast<int>(chain.size()));
  for (const crypto::X509Shared& cert : chain) {
    // Encode straight into the message's string: one allocation, no intermediate copy.
    std::string* der = certs->Add();
    const int len = i2d_X509(cert.get(), nullptr);
    if (len <= 0) {
      continue; // only an allocation failure can get here for a certificate we just built
    }
    der->resize(static_cast<std::size_t>(len));
    auto* p = reinterpret_cast<unsigned char*>(der->data());
    i2d_X509(cert.get(), &p);
  }
  out->set_expires_at(unixSeconds(crypto::notAfter(*chain.front())));
}

Result<JwtTimes> jwtTimes(std::string_view token) {
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos) {
    return internalError("token is not a compact JWS");
  }
  std::optional<std::string> payload = base64UrlDecode(token.substr(first + 1, second - first - 1));
  if (!payload) {
    return internalError("token payload is not base64url");
  }
  nlohmann::json claims = nlohmann::json::parse(*payload, nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object()) {
    return internalError("token payload is not a JSON object");
  }
  JwtTimes out;
  const auto iat = claims.find("iat");
  const auto exp = claims.find("exp");
  if (iat == claims.end() || !iat->is_number() || exp == claims.end() || !exp->is_number()) {
    return internalError("token has no iat or exp claim");
  }
  out.issued_at = iat->get<std::int64_t>();
  out.expires_at = exp->get<std::int64_t>();
  return out;
}

} // namespace spire::server::api
