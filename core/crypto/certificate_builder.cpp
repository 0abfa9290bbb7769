#include "crypto/certificate_builder.h"

#include <cstring>
#include <ctime>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "crypto/key.h"

namespace spire::crypto {
namespace {

Status addExtension(X509* cert, int nid, void* value, bool critical) {
  if (X509_add1_ext_i2d(cert, nid, value, critical ? 1 : 0, X509V3_ADD_DEFAULT) != 1) {
    return internalError("cannot add extension " + std::string(OBJ_nid2sn(nid)) + ": " +
                         takeOpenSslErrors());
  }
  return Status::ok();
}

Result<Asn1OctetStringPtr> makeOctetString(std::string_view bytes) {
  Asn1OctetStringPtr s(ASN1_OCTET_STRING_new());
  if (!s || ASN1_OCTET_STRING_set(s.get(), reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size())) != 1) {
    return internalError("cannot build octet string: " + takeOpenSslErrors());
  }
  return s;
}

int ekuNid(ExtKeyUsage usage) {
  switch (usage) {
  case ExtKeyUsage::kAny:
    return NID_anyExtendedKeyUsage;
  case ExtKeyUsage::kServerAuth:
    return NID_server_auth;
  case ExtKeyUsage::kClientAuth:
    return NID_client_auth;
  case ExtKeyUsage::kCodeSigning:
    return NID_code_sign;
  case ExtKeyUsage::kEmailProtection:
    return NID_email_protect;
  case ExtKeyUsage::kTimeStamping:
    return NID_time_stamp;
  case ExtKeyUsage::kOcspSigning:
    return NID_OCSP_sign;
  }
  return NID_undef;
}

Status setSerial(X509* cert, const std::string& serial_bytes) {
  std::string bytes = serial_bytes.empty() ? randomSerial() : serial_bytes;
  BignumPtr bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                         static_cast<int>(bytes.size()), nullptr));
  Asn1IntegerPtr serial(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
  if (!serial || X509_set_serialNumber(cert, serial.get()) != 1) {
    return internalError("cannot set serial number: " + takeOpenSslErrors());
  }
  return Status::ok();
}

Status setValidity(X509* cert, TimePoint not_before, TimePoint not_after) {
  // ASN1_TIME_set picks UTCTime before 2050 and GeneralizedTime after, as RFC 5280 requires.
  if (ASN1_TIME_set(X509_getm_notBefore(cert), std::chrono::system_clock::to_time_t(not_before)) ==
          nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert), std::chrono::system_clock::to_time_t(not_after)) ==
          nullptr) {
    return internalError("cannot set validity: " + takeOpenSslErrors());
  }
  return Status::ok();
}

Status addKeyUsage(X509* cert, uint32_t usage, bool critical) {
  Asn1BitStringPtr bits(ASN1_BIT_STRING_new());
  if (!bits) {
    return internalError("cannot allocate keyUsage");
  }
  for (int n = 0; n < 8; ++n) {
    if ((usage & (0x80u >> n)) != 0) {
      ASN1_BIT_STRING_set_bit(bits.get(), n, 1);
    }
  }
  if ((usage & key_usage::kDecipherOnly) != 0) {
    ASN1_BIT_STRING_set_bit(bits.get(), 8, 1);
  }
  return addExtension(cert, NID_key_usage, bits.get(), critical);
}

Status addExtKeyUsage(X509* cert, const std::vector<ExtKeyUsage>& usages) {
  ExtendedKeyUsagePtr eku(sk_ASN1_OBJECT_new_null());
  if (!eku) {
    return internalError("cannot allocate extKeyUsage");
  }
  for (ExtKeyUsage usage : usages) {
    // OBJ_nid2obj returns a static object; freeing the stack later leaves it alone.
    sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(ekuNid(usage)));
  }
  return addExtension(cert, NID_ext_key_usage, eku.get(), false);
}

Status addBasicConstraints(X509* cert, bool is_ca, int max_path_len) {
  BasicConstraintsPtr bc(BASIC_CONSTRAINTS_new());
  if (!bc) {
    return internalError("cannot allocate basicConstraints");
  }
  bc->ca = is_ca ? 0xFF : 0;
  if (is_ca && max_path_len >= 0) {
    bc->pathlen = ASN1_INTEGER_new();
    ASN1_INTEGER_set(bc->pathlen, max_path_len);
  }
  return addExtension(cert, NID_basic_constraints, bc.get(), true);
}

Result<std::string> computeSubjectKeyId(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_pubkey_digest(cert, EVP_sha1(), md, &len) != 1) {
    return internalError("cannot compute subject key id: " + takeOpenSslErrors());
  }
  return std::string(reinterpret_cast<const char*>(md), len);
}

Status addKeyIds(X509* cert, const CertificateTemplate& tmpl, const X509* issuer) {
  if (tmpl.include_subject_key_id) {
    std::string ski = tmpl.subject_key_id;
    if (ski.empty()) {
      Result<std::string> computed = computeSubjectKeyId(cert);
      if (!computed) {
        return computed.status();
      }
      ski = std::move(*computed);
    }
    Result<Asn1OctetStringPtr> value = makeOctetString(ski);
    if (!value) {
      return value.status();
    }
    if (Status st = addExtension(cert, NID_subject_key_identifier, value->get(), false);
        !st.isOk()) {
      return st;
    }
  }
  // As Go: the AKI is the issuer's SKI; self-signed certificates get none.
  std::string issuer_ski = issuer != nullptr ? subjectKeyId(*issuer) : std::string();
  if (!issuer_ski.empty()) {
    AuthorityKeyIdPtr aki(AUTHORITY_KEYID_new());
    Result<Asn1OctetStringPtr> keyid = makeOctetString(issuer_ski);
    if (!aki || !keyid) {
      return internalError("cannot build authorityKeyIdentifier");
    }
    aki->keyid = keyid->release();
    return addExtension(cert, NID_authority_key_identifier, aki.get(), false);
  }
  return Status::ok();
}

} // namespace

Status setSubjectPublicKeyInfo(X509* cert, std::string_view spki_der) {
  const Status malformed = invalidArgument("malformed subject public key info");
  // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT
  // STRING }; both parts are parsed by OpenSSL's plain ASN.1 templates (no key decoding).
  const auto* begin = reinterpret_cast<const unsigned char*>(spki_der.data());
  const unsigned char* p = begin;
  long len = 0;
  int tag = 0;
  int cls = 0;
  int ret = ASN1_get_object(&p, &len, &tag, &cls, static_cast<long>(spki_der.size()));
  if ((ret & 0x80) != 0 || ret != V_ASN1_CONSTRUCTED || tag != V_ASN1_SEQUENCE ||
      cls != V_ASN1_UNIVERSAL || p + len != begin + spki_der.size()) {
    ERR_clear_error();
    return malformed;
  }
  const unsigned char* end = p + len;
  OpenSslPtr<X509_ALGOR, X509_ALGOR_free> alg(d2i_X509_ALGOR(nullptr, &p, end - p));
  Asn1BitStringPtr bits(alg ? d2i_ASN1_BIT_STRING(nullptr, &p, end - p) : nullptr);
  ERR_clear_error();
  // A key is a whole number of bytes: a BIT STRING with unused bits is no key OpenSSL writes.
  if (!bits || p != end || (bits->flags & ASN1_STRING_FLAG_BITS_LEFT && (bits->flags & 0x07))) {
    return malformed;
  }
  if (alg->parameter != nullptr && alg->parameter->type == V_ASN1_BOOLEAN) {
    return malformed; // not a pointer value, and no key algorithm has such parameters
  }
  const int key_len = ASN1_STRING_length(bits.get());
  auto* key_bytes = static_cast<unsigned char*>(OPENSSL_malloc(key_len > 0 ? key_len : 1));
  if (key_bytes == nullptr) {
    return internalError("cannot allocate public key");
  }
  if (key_len > 0) {
    std::memcpy(key_bytes, ASN1_STRING_get0_data(bits.get()), static_cast<std::size_t>(key_len));
  }
  // X509_PUBKEY_set0_param takes ownership of what it is given: move the parsed parts out of
  // `alg` (freeing an ASN1_TYPE whose pointer was cleared frees nothing).
  ASN1_OBJECT* object = alg->algorithm;
  alg->algorithm = nullptr;
  int param_type = V_ASN1_UNDEF;
  void* param_value = nullptr;
  if (alg->parameter != nullptr) {
    param_type = alg->parameter->type;
    if (param_type != V_ASN1_NULL) { // a NULL's value is a marker, not an owned pointer
      param_value = alg->parameter->value.ptr;
      alg->parameter->value.ptr = nullptr;
    }
  }
  if (X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(cert), object, param_type, param_value, key_bytes,
                             key_len) != 1) {
    return internalError("cannot set subject public key: " + takeOpenSslErrors());
  }
  return Status::ok();
}

Result<X509NamePtr> makeName(const std::vector<NameAttribute>& attributes) {
  X509NamePtr name(X509_NAME_new());
  if (!name) {
    return internalError("cannot allocate name");
  }
  for (const auto& [field, value] : attributes) {
    if (X509_NAME_add_entry_by_txt(name.get(), field.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0) != 1) {
      ERR_clear_error();
      return invalidArgument("invalid name attribute " + field + "=" + value);
    }
  }
  return name;
}

Result<GeneralNamesPtr> makeSubjectAltNames(const std::vector<std::string>& uris,
                                            const std::vector<std::string>& dns_names) {
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) {
    return internalError("cannot allocate subjectAltName");
  }
  auto add = [&](int type, const std::string& text) {
    OpenSslPtr<GENERAL_NAME, GENERAL_NAME_free> gn(GENERAL_NAME_new());
    OpenSslPtr<ASN1_IA5STRING, ASN1_IA5STRING_free> value(ASN1_IA5STRING_new());
    if (!gn || !value ||
        ASN1_STRING_set(value.get(), text.data(), static_cast<int>(text.size())) != 1) {
      return false;
    }
    GENERAL_NAME_set0_value(gn.get(), type, value.release());
    return sk_GENERAL_NAME_push(names.get(), gn.release()) > 0;
  };
  for (const std::string& uri : uris) {
    if (!add(GEN_URI, uri)) {
      return internalError("cannot build URI SAN");
    }
  }
  for (const std::string& dns : dns_names) {
    if (!add(GEN_DNS, dns)) {
      return internalError("cannot build DNS SAN");
    }
  }
  return names;
}

std::string randomSerial(std::size_t bytes) {
  std::string out(bytes, '\0');
  do {
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(bytes)) != 1) {
      std::abort(); // the system random source failing is not recoverable
    }
    out[0] = static_cast<char>(out[0] & 0x7F); // keep it positive in DER
  } while (out.find_first_not_of('\0') == std::string::npos);
  return out;
}

const EVP_MD* signatureDigestFor(const EVP_PKEY& signer_key) {
  int id = EVP_PKEY_get_base_id(&signer_key);
  if (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448) {
    return nullptr; // EdDSA hashes internally
  }
  Result<KeyType> type = keyTypeOf(signer_key);
  if (type && *type == KeyType::kEcP384) {
    return EVP_sha384();
  }
  return EVP_sha256();
}

Result<X509Ptr> createCertificate(const CertificateTemplate& tmpl, const EVP_PKEY& subject_key,
                                  const X509* issuer, const EVP_PKEY& signer_key) {
  const EVP_PKEY* issuer_key = issuer != nullptr ? X509_get0_pubkey(issuer) : &subject_key;
  if (issuer_key == nullptr || !publicKeysEqual(*issuer_key, signer_key)) {
    return invalidArgument(issuer != nullptr
                               ? "signer key does not match the issuer certificate"
                               : "signer key does not match the self-signed subject key");
  }
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return internalError("cannot allocate certificate");
  }
  if (Status st = setSerial(cert.get(), tmpl.serial); !st.isOk()) {
    return st;
  }
  if (Status st = setValidity(cert.get(), tmpl.not_before, tmpl.not_after); !st.isOk()) {
    return st;
  }
  Result<X509NamePtr> subject = makeName(tmpl.subject);
  if (!subject) {
    return subject.status();
  }
  const X509_NAME* issuer_name = issuer != nullptr ? X509_get_subject_name(issuer) : subject->get();
  if (X509_set_subject_name(cert.get(), subject->get()) != 1 ||
      X509_set_issuer_name(cert.get(), issuer_name) != 1 ||
      X509_set_pubkey(cert.get(), const_cast<EVP_PKEY*>(&subject_key)) != 1) {
    return internalError("cannot set names or key: " + takeOpenSslErrors());
  }
  if (tmpl.key_usage != 0) {
    if (Status st = addKeyUsage(cert.get(), tmpl.key_usage, tmpl.key_usage_critical); !st.isOk()) {
      return st;
    }
  }
  if (!tmpl.ext_key_usage.empty()) {
    if (Status st = addExtKeyUsage(cert.get(), tmpl.ext_key_usage); !st.isOk()) {
      return st;
    }
  }
  if (tmpl.basic_constraints_valid) {
    if (Status st = addBasicConstraints(cert.get(), tmpl.is_ca, tmpl.max_path_len); !st.isOk()) {
      return st;
    }
  }
  if (Status st = addKeyIds(cert.get(), tmpl, issuer); !st.isOk()) {
    return st;
  }
  if (!tmpl.uri_sans.empty() || !tmpl.dns_sans.empty()) {
    Result<GeneralNamesPtr> names = makeSubjectAltNames(tmpl.uri_sans, tmpl.dns_sans);
    if (!names) {
      return names.status();
    }
    bool critical = tmpl.san_critical || tmpl.subject.empty();
    if (Status st = addExtension(cert.get(), NID_subject_alt_name, names->get(), critical);
        !st.isOk()) {
      return st;
    }
  }
  if (X509_sign(cert.get(), const_cast<EVP_PKEY*>(&signer_key), signatureDigestFor(signer_key)) <=
      0) {
    return internalError("cannot sign certificate: " + takeOpenSslErrors());
  }
  return cert;
}

} // namespace spire::crypto
