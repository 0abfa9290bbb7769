#include "server/ca/remote_certificate.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

namespace spire::server::ca {
namespace {

using GeneralNamePtr = crypto::OpenSslPtr<GENERAL_NAME, GENERAL_NAME_free>;

Status addExtension(X509* cert, int nid, void* value, bool critical) {
  if (X509_add1_ext_i2d(cert, nid, value, critical ? 1 : 0, X509V3_ADD_DEFAULT) != 1) {
    return internalError("cannot add extension " + std::string(OBJ_nid2sn(nid)) + ": " +
                         crypto::takeOpenSslErrors());
  }
  return Status::ok();
}

Result<crypto::Asn1OctetStringPtr> octetString(std::string_view bytes) {
  crypto::Asn1OctetStringPtr s(ASN1_OCTET_STRING_new());
  if (!s || ASN1_OCTET_STRING_set(s.get(), reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size())) != 1) {
    return internalError("cannot build octet string");
  }
  return s;
}

int ekuNid(crypto::ExtKeyUsage usage) {
  switch (usage) {
  case crypto::ExtKeyUsage::kAny:
    return NID_anyExtendedKeyUsage;
  case crypto::ExtKeyUsage::kServerAuth:
    return NID_server_auth;
  case crypto::ExtKeyUsage::kClientAuth:
    return NID_client_auth;
  case crypto::ExtKeyUsage::kCodeSigning:
    return NID_code_sign;
  case crypto::ExtKeyUsage::kEmailProtection:
    return NID_email_protect;
  case crypto::ExtKeyUsage::kTimeStamping:
    return NID_time_stamp;
  case crypto::ExtKeyUsage::kOcspSigning:
    return NID_OCSP_sign;
  }
  return NID_undef;
}

Status setSerialAndValidity(X509* cert, const crypto::CertificateTemplate& tmpl) {
  std::string bytes = tmpl.serial.empty() ? crypto::randomSerial() : tmpl.serial;
  crypto::BignumPtr bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                                 static_cast<int>(bytes.size()), nullptr));
  crypto::Asn1IntegerPtr serial(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
  if (!serial || X509_set_serialNumber(cert, serial.get()) != 1) {
    return internalError("cannot set serial number");
  }
  using std::chrono::system_clock;
  if (ASN1_TIME_set(X509_getm_notBefore(cert), system_clock::to_time_t(tmpl.not_before)) ==
          nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert), system_clock::to_time_t(tmpl.not_after)) == nullptr) {
    return internalError("cannot set validity");
  }
  return Status::ok();
}

Status addUsages(X509* cert, const crypto::CertificateTemplate& tmpl) {
  if (tmpl.key_usage != 0) {
    crypto::Asn1BitStringPtr bits(ASN1_BIT_STRING_new());
    if (!bits) {
      return internalError("cannot allocate keyUsage");
    }
    for (int n = 0; n < 8; ++n) {
      if ((tmpl.key_usage & (0x80u >> n)) != 0) {
        ASN1_BIT_STRING_set_bit(bits.get(), n, 1);
      }
    }
    if ((tmpl.key_usage & crypto::key_usage::kDecipherOnly) != 0) {
      ASN1_BIT_STRING_set_bit(bits.get(), 8, 1);
    }
    if (Status st = addExtension(cert, NID_key_usage, bits.get(), tmpl.key_usage_critical);
        !st.isOk()) {
      return st;
    }
  }
  if (!tmpl.ext_key_usage.empty()) {
    crypto::ExtendedKeyUsagePtr eku(sk_ASN1_OBJECT_new_null());
    if (!eku) {
      return internalError("cannot allocate extKeyUsage");
    }
    for (crypto::ExtKeyUsage usage : tmpl.ext_key_usage) {
      sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(ekuNid(usage))); // static objects
    }
    if (Status st = addExtension(cert, NID_ext_key_usage, eku.get(), false); !st.isOk()) {
      return st;
    }
  }
  if (tmpl.basic_constraints_valid) {
    crypto::BasicConstraintsPtr bc(BASIC_CONSTRAINTS_new());
    if (!bc) {
      return internalError("cannot allocate basicConstraints");
    }
    bc->ca = tmpl.is_ca ? 0xFF : 0;
    if (tmpl.is_ca && tmpl.max_path_len >= 0) {
      bc->pathlen = ASN1_INTEGER_new();
      ASN1_INTEGER_set(bc->pathlen, tmpl.max_path_len);
    }
    return addExtension(cert, NID_basic_constraints, bc.get(), true);
  }
  return Status::ok();
}

Status addKeyIds(X509* cert, const crypto::CertificateTemplate& tmpl, const X509* issuer) {
  if (tmpl.include_subject_key_id) {
    std::string ski = tmpl.subject_key_id;
    if (ski.empty()) {
      unsigned char md[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      if (X509_pubkey_digest(cert, EVP_sha1(), md, &len) != 1) {
        return internalError("cannot compute subject key id");
      }
      ski.assign(reinterpret_cast<const char*>(md), len);
    }
    Result<crypto::Asn1OctetStringPtr> value = octetString(ski);
    if (!value) {
      return value.status();
    }
    if (Status st = addExtension(cert, NID_subject_key_identifier, value->get(), false);
        !st.isOk()) {
      return st;
    }
  }
  std::string issuer_ski = issuer != nullptr ? crypto::subjectKeyId(*issuer) : std::string();
  if (issuer_ski.empty()) {
    return Status::ok();
  }
  crypto::AuthorityKeyIdPtr aki(AUTHORITY_KEYID_new());
  Result<crypto::Asn1OctetStringPtr> keyid = octetString(issuer_ski);
  if (!aki || !keyid) {
    return internalError("cannot build authorityKeyIdentifier");
  }
  aki->keyid = keyid->release();
  return addExtension(cert, NID_authority_key_identifier, aki.get(), false);
}

// The AlgorithmIdentifier SPIRE's keys sign with: ecdsa-with-SHA256/384 (no parameters, RFC
// 5758) or sha256WithRSAEncryption (NULL parameters, RFC 4055).
void setAlgorithm(X509_ALGOR* alg, const RemoteSigner& signer) {
  bool ec =
      signer.keyType() == crypto::KeyType::kEcP256 || signer.keyType() == crypto::KeyType::kEcP384;
  if (ec) {
    int nid = signer.hash() == crypto::HashAlgorithm::kSha384 ? NID_ecdsa_with_SHA384
                                                              : NID_ecdsa_with_SHA256;
    X509_ALGOR_set0(alg, OBJ_nid2obj(nid), V_ASN1_UNDEF, nullptr);
  } else {
    X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256WithRSAEncryption), V_ASN1_NULL, nullptr);
  }
}

Status setSignatureBits(ASN1_BIT_STRING* bits, const std::string& signature) {
  if (ASN1_BIT_STRING_set(bits,
                          reinterpret_cast<unsigned char*>(const_cast<char*>(signature.data())),
                          static_cast<int>(signature.size())) != 1) {
    return internalError("cannot attach signature");
  }
  // A signature is a whole number of bytes: no unused bits.
  bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
  bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
  return Status::ok();
}

// Nothing before this point computes OpenSSL's lazily cached certificate hash or extension
// flags, so attaching the signature in place leaves no stale cache behind; the TBS encoding is
// the one just signed (i2d_re_X509_tbs refreshed it).
Status signInPlace(X509* cert, const RemoteSigner& signer) {
  const ASN1_BIT_STRING* sig = nullptr;
  const X509_ALGOR* outer_alg = nullptr;
  X509_get0_signature(&sig, &outer_alg, cert);
  // Both AlgorithmIdentifiers are embedded in the certificate; OpenSSL offers no setter that does
  // not also sign, so they are written through the accessors.
  setAlgorithm(const_cast<X509_ALGOR*>(X509_get0_tbs_sigalg(cert)), signer);
  setAlgorithm(const_cast<X509_ALGOR*>(outer_alg), signer);
  unsigned char* tbs = nullptr;
  int tbs_len = i2d_re_X509_tbs(cert, &tbs); // "re": forces a fresh encoding
  if (tbs_len <= 0) {
    return internalError("cannot encode certificate: " + crypto::takeOpenSslErrors());
  }
  crypto::OpenSslBytesPtr tbs_owner(tbs);
  Result<std::string> signature =
      signer.sign(std::string_view(reinterpret_cast<const char*>(tbs), tbs_len));
  if (!signature) {
    return signature.status();
  }
  return setSignatureBits(const_cast<ASN1_BIT_STRING*>(sig), *signature);
}

// As crypto::makeName, into an existing (empty) name.
Status addNameEntries(X509_NAME* name, const std::vector<crypto::NameAttribute>& attributes) {
  for (const auto& [field, value] : attributes) {
    if (X509_NAME_add_entry_by_txt(name, field.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0) != 1) {
      ERR_clear_error();
      return invalidArgument("invalid name attribute " + field + "=" + value);
    }
  }
  return Status::ok();
}

// Appends `from`'s entries to the (empty) `to`, keeping multi-valued RDNs together, so that both
// encode to the same bytes.
Status copyNameEntries(X509_NAME* to, const X509_NAME& from) {
  int previous_set = -1;
  for (int i = 0; i < X509_NAME_entry_count(&from); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(&from, i);
    const int set = X509_NAME_ENTRY_set(entry);
    if (X509_NAME_add_entry(to, entry, -1, i > 0 && set == previous_set ? -1 : 0) != 1) {
      return internalError("cannot copy issuer name: " + crypto::takeOpenSslErrors());
    }
    previous_set = set;
  }
  return Status::ok();
}

// Everything but the subject key, which `set_key` puts in; then signed through `signer`.
template <typename SetKey>
Result<crypto::X509Ptr> buildAndSign(const crypto::CertificateTemplate& tmpl, const X509* issuer,
                                     const RemoteSigner& signer, SetKey set_key) {
  crypto::X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return internalError("cannot allocate certificate");
  }
  if (Status st = setSerialAndValidity(cert.get(), tmpl); !st.isOk()) {
    return st;
  }
  // Names are written into the certificate's own (empty) X509_NAMEs: X509_set_*_name copy a
  // whole name through an encode and a canonicalising decode, per certificate.
  X509_NAME* subject = X509_get_subject_name(cert.get());
  if (Status st = addNameEntries(subject, tmpl.subject); !st.isOk()) {
    return st;
  }
  if (Status st = copyNameEntries(X509_get_issuer_name(cert.get()),
                                  issuer != nullptr ? *X509_get_subject_name(issuer) : *subject);
      !st.isOk()) {
    return st;
  }
  if (Status st = set_key(cert.get()); !st.isOk()) {
    return st;
  }
  if (Status st = addUsages(cert.get(), tmpl); !st.isOk()) {
    return st;
  }
  if (Status st = addKeyIds(cert.get(), tmpl, issuer); !st.isOk()) {
    return st;
  }
  if (!tmpl.uri_sans.empty() || !tmpl.dns_sans.empty()) {
    Result<crypto::GeneralNamesPtr> names =
        crypto::makeSubjectAltNames(tmpl.uri_sans, tmpl.dns_sans);
    if (!names) {
      return names.status();
    }
    bool critical = tmpl.san_critical || tmpl.subject.empty();
    if (Status st = addExtension(cert.get(), NID_subject_alt_name, names->get(), critical);
        !st.isOk()) {
      return st;
    }
  }
  if (Status st = signInPlace(cert.get(), signer); !st.isOk()) {
    return st;
  }
  return cert;
}

Status checkIssuerKey(const X509* issuer, const EVP_PKEY* self_key, const RemoteSigner& signer) {
  const EVP_PKEY* issuer_key = issuer != nullptr ? X509_get0_pubkey(issuer) : self_key;
  if (issuer_key == nullptr || !crypto::publicKeysEqual(*issuer_key, signer.publicKey())) {
    return invalidArgument(issuer != nullptr
                               ? "signer key does not match the issuer certificate"
                               : "signer key does not match the self-signed subject key");
  }
  return Status::ok();
}

} // namespace

Result<crypto::X509Shared> createRemoteCertificate(const crypto::CertificateTemplate& tmpl,
                                                   const EVP_PKEY& subject_key, const X509* issuer,
                                                   const RemoteSigner& signer, bool self_check) {
  if (Status st = checkIssuerKey(issuer, &subject_key, signer); !st.isOk()) {
    return st;
  }
  Result<crypto::X509Ptr> cert = buildAndSign(tmpl, issuer, signer, [&](X509* c) {
    if (X509_set_pubkey(c, const_cast<EVP_PKEY*>(&subject_key)) != 1) {
      return internalError("cannot set key: " + crypto::takeOpenSslErrors());
    }
    return Status::ok();
  });
  if (!cert) {
    return cert.status();
  }
  crypto::X509Shared signed_cert = crypto::shareX509(std::move(*cert));
  if (self_check && !crypto::isSignedBy(*signed_cert, signer.publicKey())) {
    return internalError("key manager signature for \"" + signer.keyId() +
                         "\" does not verify with its public key");
  }
  return signed_cert;
}

Result<crypto::X509Shared>
createRemoteCertificateForKeyInfo(const crypto::CertificateTemplate& tmpl,
                                  std::string_view subject_spki_der, const X509& issuer,
                                  const RemoteSigner& signer) {
  if (Status st = checkIssuerKey(&issuer, nullptr, signer); !st.isOk()) {
    return st;
  }
  Result<crypto::X509Ptr> cert = buildAndSign(tmpl, &issuer, signer, [&](X509* c) {
    return crypto::setSubjectPublicKeyInfo(c, subject_spki_der);
  });
  if (!cert) {
    return cert.status();
  }
  return crypto::shareX509(std::move(*cert));
}

Result<crypto::X509ReqPtr> createRemoteCsr(const crypto::CsrTemplate& tmpl,
                                           const RemoteSigner& signer) {
  crypto::X509ReqPtr req(X509_REQ_new());
  if (!req || X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1) {
    return internalError("cannot allocate certificate request");
  }
  Result<crypto::X509NamePtr> subject = crypto::makeName(tmpl.subject);
  if (!subject) {
    return subject.status();
  }
  if (X509_REQ_set_subject_name(req.get(), subject->get()) != 1 ||
      X509_REQ_set_pubkey(req.get(), const_cast<EVP_PKEY*>(&signer.publicKey())) != 1) {
    return internalError("cannot set request subject or key: " + crypto::takeOpenSslErrors());
  }
  if (!tmpl.uri_sans.empty() || !tmpl.dns_sans.empty()) {
    Result<crypto::GeneralNamesPtr> names =
        crypto::makeSubjectAltNames(tmpl.uri_sans, tmpl.dns_sans);
    if (!names) {
      return names.status();
    }
    crypto::StackOfX509ExtensionPtr exts(sk_X509_EXTENSION_new_null());
    X509_EXTENSION* ext =
        X509V3_EXT_i2d(NID_subject_alt_name, tmpl.subject.empty() ? 1 : 0, names->get());
    if (!exts || ext == nullptr || sk_X509_EXTENSION_push(exts.get(), ext) <= 0 ||
        X509_REQ_add_extensions(req.get(), exts.get()) != 1) {
      X509_EXTENSION_free(ext);
      return internalError("cannot add request extensions: " + crypto::takeOpenSslErrors());
    }
  }
  const ASN1_BIT_STRING* sig = nullptr;
  const X509_ALGOR* alg = nullptr;
  X509_REQ_get0_signature(req.get(), &sig, &alg);
  setAlgorithm(const_cast<X509_ALGOR*>(alg), signer);
  unsigned char* tbs = nullptr;
  int tbs_len = i2d_re_X509_REQ_tbs(req.get(), &tbs);
  if (tbs_len <= 0) {
    return internalError("cannot encode certificate request: " + crypto::takeOpenSslErrors());
  }
  crypto::OpenSslBytesPtr tbs_owner(tbs);
  Result<std::string> signature =
      signer.sign(std::string_view(reinterpret_cast<const char*>(tbs), tbs_len));
  if (!signature) {
    return signature.status();
  }
  if (Status st = setSignatureBits(const_cast<ASN1_BIT_STRING*>(sig), *signature); !st.isOk()) {
    return st;
  }
  Result<crypto::X509ReqPtr> parsed = crypto::parseCsrDer(crypto::csrToDer(*req));
  if (!parsed) {
    return internalError("signed request does not parse: " + parsed.status().message());
  }
  if (Status st = crypto::checkCsrSignature(**parsed); !st.isOk()) {
    return internalError("key manager signature for \"" + signer.keyId() +
                         "\" does not verify with its public key");
  }
  return parsed;
}

} // namespace spire::server::ca
