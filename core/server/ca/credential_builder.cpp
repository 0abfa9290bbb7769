#include "server/ca/credential_builder.h"

#include <algorithm>

#include <openssl/bn.h>

#include "crypto/openssl_ptr.h"

namespace spire::server::ca {
namespace {

constexpr std::chrono::seconds kSevenDays{7 * 24 * 3600};

std::string serialDecimal(const std::string& serial_bytes) {
  crypto::BignumPtr bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(serial_bytes.data()),
                                 static_cast<int>(serial_bytes.size()), nullptr));
  crypto::OpenSslStringPtr text(bn ? BN_bn2dec(bn.get()) : nullptr);
  return text ? std::string(text.get()) : std::string();
}

TimePoint truncateToSeconds(TimePoint t) {
  return std::chrono::time_point_cast<std::chrono::seconds>(t);
}

} // namespace

std::chrono::seconds maxSvidTtlForCaTtl(std::chrono::seconds ca_ttl) {
  return std::min(ca_ttl / 6, kSevenDays);
}

spiffe::SpiffeId CredentialBuilder::serverId() const {
  return *spiffe::SpiffeId::fromPath(config_.trust_domain, "/spire/server");
}

crypto::CertificateTemplate CredentialBuilder::selfSignedCa(TimePoint now) const {
  crypto::CertificateTemplate tmpl;
  tmpl.serial = crypto::randomSerial();
  tmpl.subject = config_.ca_subject;
  tmpl.subject.emplace_back("serialNumber", serialDecimal(tmpl.serial));
  now = truncateToSeconds(now);
  tmpl.not_before = now - kNotBeforeCushion;
  tmpl.not_after = now + config_.ca_ttl;
  tmpl.uri_sans = {config_.trust_domain.idString()};
  tmpl.is_ca = true;
  tmpl.key_usage = crypto::key_usage::kKeyCertSign | crypto::key_usage::kCrlSign;
  return tmpl;
}

crypto::CsrTemplate CredentialBuilder::upstreamCaCsr() const {
  crypto::CsrTemplate tmpl;
  tmpl.subject = config_.ca_subject;
  tmpl.uri_sans = {config_.trust_domain.idString()};
  return tmpl;
}

Result<crypto::CertificateTemplate>
CredentialBuilder::leaf(const spiffe::SpiffeId& id, const std::vector<std::string>& dns_names,
                        std::chrono::seconds ttl, TimePoint now, TimePoint ca_not_after) const {
  if (id.isZero()) {
    return invalidArgument("invalid X509-SVID ID: SPIFFE ID is empty");
  }
  if (!id.memberOf(config_.trust_domain)) {
    return invalidArgument("invalid X509-SVID ID: \"" + id.toString() +
                           "\" is not a member of trust domain \"" + config_.trust_domain.name() +
                           "\"");
  }
  if (ttl.count() < 0) {
    return invalidArgument("invalid X509-SVID TTL: must not be negative");
  }
  crypto::CertificateTemplate tmpl;
  tmpl.subject = {{"C", "US"}, {"O", "SPIRE"}};
  if (!dns_names.empty()) {
    tmpl.subject.emplace_back("CN", dns_names.front());
  }
  now = truncateToSeconds(now);
  tmpl.not_before = now - kNotBeforeCushion;
  tmpl.not_after = std::min(now + (ttl.count() == 0 ? config_.x509_svid_ttl : ttl),
                            truncateToSeconds(ca_not_after));
  tmpl.uri_sans = {id.toString()};
  tmpl.dns_sans = dns_names;
  tmpl.is_ca = false;
  tmpl.key_usage = crypto::key_usage::kDigitalSignature | crypto::key_usage::kKeyEncipherment |
                   crypto::key_usage::kKeyAgreement;
  tmpl.ext_key_usage = {crypto::ExtKeyUsage::kServerAuth, crypto::ExtKeyUsage::kClientAuth};
  return tmpl;
}

Result<crypto::CertificateTemplate> CredentialBuilder::workloadX509Svid(
    const spiffe::SpiffeId& id, const std::vector<std::string>& dns_names, std::chrono::seconds ttl,
    TimePoint now, TimePoint ca_not_after) const {
  return leaf(id, dns_names, ttl, now, ca_not_after);
}

Result<crypto::CertificateTemplate>
CredentialBuilder::agentX509Svid(const spiffe::SpiffeId& agent_id, TimePoint now,
                                 TimePoint ca_not_after) const {
  std::chrono::seconds ttl =
      config_.agent_ttl.count() > 0 ? config_.agent_ttl : config_.x509_svid_ttl;
  return leaf(agent_id, {}, ttl, now, ca_not_after);
}

crypto::CertificateTemplate CredentialBuilder::serverX509Svid(TimePoint now,
                                                              TimePoint ca_not_after) const {
  return *leaf(serverId(), {}, config_.x509_svid_ttl, now, ca_not_after);
}

Result<nlohmann::json> CredentialBuilder::jwtSvidClaims(const spiffe::SpiffeId& id,
                                                        const std::vector<std::string>& audience,
                                                        std::chrono::seconds ttl, TimePoint now,
                                                        TimePoint key_not_after,
                                                        const nlohmann::json& extra_claims) const {
  if (id.isZero()) {
    return invalidArgument("invalid JWT-SVID ID: SPIFFE ID is empty");
  }
  if (!id.memberOf(config_.trust_domain)) {
    return invalidArgument("invalid JWT-SVID ID: \"" + id.toString() +
                           "\" is not a member of trust domain \"" + config_.trust_domain.name() +
                           "\"");
  }
  std::vector<std::string> aud;
  for (const std::string& value : audience) {
    if (!value.empty()) {
      aud.push_back(value);
    }
  }
  if (aud.empty()) {
    return invalidArgument(std::string(kErrNoAudience));
  }
  if (ttl.count() < 0) {
    return invalidArgument("invalid JWT-SVID TTL: must not be negative");
  }
  if (!extra_claims.is_null() && !extra_claims.is_object()) {
    return invalidArgument("extra claims must be a JSON object");
  }
  using std::chrono::duration_cast;
  using std::chrono::seconds;
  TimePoint expiry = std::min(now + (ttl.count() == 0 ? config_.jwt_svid_ttl : ttl), key_not_after);
  nlohmann::json claims = extra_claims.is_object() ? extra_claims : nlohmann::json::object();
  claims["sub"] = id.toString();
  claims["aud"] = aud;
  claims["exp"] = duration_cast<seconds>(expiry.time_since_epoch()).count();
  claims["iat"] = duration_cast<seconds>(now.time_since_epoch()).count();
  if (!config_.jwt_issuer.empty()) {
    claims["iss"] = config_.jwt_issuer;
  }
  return claims;
}

} // namespace spire::server::ca
