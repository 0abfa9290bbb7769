#include "server/api/bundle/bundle_convert.h"

#include <string>
#include <string_view>

#include "crypto/certificate.h"
#include "crypto/key.h"
#include "spiffe/trust_domain.h"
#include "spire/plugin/datastore.h"

namespace spire::server::api::bundle {
namespace {

std::string_view asView(const std::string& bytes) {
  return bytes;
}

plugin_host::Bytes toBytes(const std::string& bytes) {
  return plugin_host::Bytes(bytes.begin(), bytes.end());
}

std::string fromBytes(const plugin_host::Bytes& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

} // namespace

Result<std::vector<plugin_host::X509Authority>>
parseX509Authorities(const google::protobuf::RepeatedPtrField<types::X509Certificate>& in) {
  std::vector<plugin_host::X509Authority> out;
  for (const types::X509Certificate& authority : in) {
    // Go's x509.ParseCertificates accepts concatenated DER (and, unlike us, an empty field: an
    // empty authority would make the stored bundle unreadable, so it is refused here).
    Result<std::vector<crypto::X509Shared>> certs =
        crypto::parseCertificatesDer(asView(authority.asn1()));
    if (!certs || certs->empty()) {
      return invalidArgument("x509: malformed certificate");
    }
    out.push_back(plugin_host::X509Authority{toBytes(authority.asn1()), false});
  }
  return out;
}

Result<std::vector<plugin_host::JwtKey>>
parseJwtAuthorities(const google::protobuf::RepeatedPtrField<types::JWTKey>& in) {
  std::vector<plugin_host::JwtKey> out;
  for (const types::JWTKey& key : in) {
    if (Result<crypto::EvpPkeyPtr> parsed = crypto::parsePublicKeyDer(asView(key.public_key()));
        !parsed) {
      return invalidArgument("x509: " + parsed.status().message());
    }
    if (key.key_id().empty()) {
      return invalidArgument("missing key ID");
    }
    plugin_host::JwtKey record;
    record.public_key_der = toBytes(key.public_key());
    record.key_id = key.key_id();
    record.expires_at = key.expires_at();
    out.push_back(std::move(record));
  }
  return out;
}

Result<plugin_host::Bundle> bundleFromProto(const types::Bundle& in) {
  Result<spiffe::TrustDomain> td = spiffe::TrustDomain::parse(in.trust_domain());
  if (!td) {
    return td.status().withPrefix("invalid trust domain");
  }
  auto x509 = parseX509Authorities(in.x509_authorities());
  if (!x509) {
    return x509.status().withPrefix("unable to parse X.509 authority");
  }
  auto jwt = parseJwtAuthorities(in.jwt_authorities());
  if (!jwt) {
    return jwt.status().withPrefix("unable to parse JWT authority");
  }
  plugin_host::Bundle out;
  out.trust_domain = td->name();
  out.x509_authorities = std::move(*x509);
  out.jwt_authorities = std::move(*jwt);
  out.refresh_hint = in.refresh_hint();
  out.sequence_number = in.sequence_number();
  return out;
}

void jwtKeyToProto(const plugin_host::JwtKey& in, types::JWTKey* out) {
  out->set_public_key(fromBytes(in.public_key_der));
  out->set_key_id(in.key_id);
  out->set_expires_at(in.expires_at);
  out->set_tainted(in.tainted);
}

Result<types::Bundle> bundleToProto(const plugin_host::Bundle& in, const types::BundleMask* mask) {
  Result<spiffe::TrustDomain> td = spiffe::TrustDomain::parse(in.trust_domain);
  if (!td) {
    return Status(StatusCode::kInternal, "invalid trust domain id: " + td.status().message());
  }
  types::Bundle out;
  out.set_trust_domain(td->name());
  if (mask == nullptr || mask->refresh_hint()) {
    out.set_refresh_hint(in.refresh_hint);
  }
  if (mask == nullptr || mask->sequence_number()) {
    out.set_sequence_number(in.sequence_number);
  }
  if (mask == nullptr || mask->x509_authorities()) {
    for (const plugin_host::X509Authority& authority : in.x509_authorities) {
      types::X509Certificate* cert = out.add_x509_authorities();
      cert->set_asn1(fromBytes(authority.der));
      cert->set_tainted(authority.tainted);
    }
  }
  if (mask == nullptr || mask->jwt_authorities()) {
    for (const plugin_host::JwtKey& key : in.jwt_authorities) {
      jwtKeyToProto(key, out.add_jwt_authorities());
    }
  }
  return out;
}

std::uint32_t datastoreBundleMask(const types::BundleMask* mask) {
  if (mask == nullptr) {
    return SPIRE_BUNDLE_MASK_REFRESH_HINT | SPIRE_BUNDLE_MASK_SEQUENCE_NUMBER |
           SPIRE_BUNDLE_MASK_X509_AUTHORITIES | SPIRE_BUNDLE_MASK_JWT_AUTHORITIES;
  }
  std::uint32_t out = 0;
  if (mask->refresh_hint()) {
    out |= SPIRE_BUNDLE_MASK_REFRESH_HINT;
  }
  if (mask->sequence_number()) {
    out |= SPIRE_BUNDLE_MASK_SEQUENCE_NUMBER;
  }
  if (mask->x509_authorities()) {
    out |= SPIRE_BUNDLE_MASK_X509_AUTHORITIES;
  }
  if (mask->jwt_authorities()) {
    out |= SPIRE_BUNDLE_MASK_JWT_AUTHORITIES;
  }
  return out;
}

} // namespace spire::server::api::bundle
