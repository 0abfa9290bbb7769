#include "datastore/sql/bundle_codec.h"

#include <openssl/asn1.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

#include <nlohmann/json.hpp>

#include "spire/plugin/cpp/error.hpp"

namespace spire::datastore::sql {
namespace {

using json = nlohmann::json;

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr parse(const Bytes& der) {
  const unsigned char* p = der.data();
  return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

std::string hex(const unsigned char* data, size_t len) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < len; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 15];
  }
  return out;
}

} // namespace

Bytes encodeBundle(const Bundle& b) {
  json doc = json::object();
  json x509 = json::array();
  for (const auto& a : b.x509_authorities) {
    x509.push_back({{"der", json::binary(a.der)}, {"tainted", a.tainted}});
  }
  json jwt = json::array();
  for (const auto& k : b.jwt_authorities) {
    jwt.push_back({{"der", json::binary(k.public_key_der)},
                   {"kid", k.key_id},
                   {"exp", k.expires_at},
                   {"tainted", k.tainted}});
  }
  doc["x509"] = std::move(x509);
  doc["jwt"] = std::move(jwt);
  doc["refresh_hint"] = b.refresh_hint;
  doc["seq"] = b.sequence_number;
  return json::to_cbor(doc);
}

Bundle decodeBundle(const std::string& trust_domain, const Bytes& data) {
  Bundle b;
  b.trust_domain = trust_domain;
  try {
    json doc = json::from_cbor(data);
    for (const auto& a : doc.at("x509")) {
      b.x509_authorities.push_back(
          X509Authority{a.at("der").get_binary(), a.at("tainted").get<bool>()});
    }
    for (const auto& k : doc.at("jwt")) {
      b.jwt_authorities.push_back(JwtKey{k.at("der").get_binary(), k.at("kid").get<std::string>(),
                                         k.at("exp").get<std::int64_t>(),
                                         k.at("tainted").get<bool>()});
    }
    b.refresh_hint = doc.at("refresh_hint").get<std::int64_t>();
    b.sequence_number = doc.at("seq").get<std::uint64_t>();
  } catch (const json::exception& e) {
    throw spire::plugin::Error(SPIRE_DATA_LOSS, "stored bundle for \"" + trust_domain +
                                                    "\" is unreadable: " + e.what());
  }
  return b;
}

std::optional<std::string> subjectKeyIdHex(const Bytes& der) {
  X509Ptr cert = parse(der);
  if (!cert) {
    return std::nullopt;
  }
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(cert.get());
  if (ski == nullptr) {
    return std::nullopt;
  }
  return hex(ASN1_STRING_get0_data(ski), static_cast<size_t>(ASN1_STRING_length(ski)));
}

std::optional<std::int64_t> certNotAfter(const Bytes& der) {
  X509Ptr cert = parse(der);
  if (!cert) {
    return std::nullopt;
  }
  struct tm tm {};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &tm) != 1) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string newUuid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof(b)) != 1) {
    throw spire::plugin::Error(SPIRE_INTERNAL, "unable to generate an entry id");
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  std::string h = hex(b, sizeof(b));
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

} // namespace spire::datastore::sql
