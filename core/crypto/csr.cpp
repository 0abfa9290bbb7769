#include "crypto/csr.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "crypto/pem.h"

namespace spire::crypto {
namespace {

std::vector<std::string> csrNames(const X509_REQ& csr, int wanted_type) {
  std::vector<std::string> out;
  StackOfX509ExtensionPtr exts(X509_REQ_get_extensions(const_cast<X509_REQ*>(&csr)));
  if (!exts) {
    ERR_clear_error();
    return out;
  }
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509V3_get_d2i(exts.get(), NID_subject_alt_name, nullptr, nullptr)));
  if (!names) {
    return out;
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != wanted_type) {
      continue;
    }
    const ASN1_IA5STRING* text =
        wanted_type == GEN_URI ? name->d.uniformResourceIdentifier : name->d.dNSName;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                     static_cast<std::size_t>(ASN1_STRING_length(text)));
  }
  return out;
}

// One DER TLV with a one-byte tag and a definite, minimally encoded length.
struct Tlv {
  unsigned char tag = 0;
  std::string_view whole;
  std::string_view value;
};

// Takes the next TLV off `in`; false on anything that is not strict DER (those inputs go to
// OpenSSL's general parser, which decides).
bool takeTlv(std::string_view& in, Tlv& out) {
  if (in.size() < 2) {
    return false;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  std::size_t header = 2;
  std::size_t len = p[1];
  if ((p[0] & 0x1F) == 0x1F) {
    return false; // multi-byte tags never occur in a CSR
  }
  if (len >= 0x80) {
    std::size_t octets = len & 0x7F;
    if (octets == 0 || octets > 3 || in.size() < 2 + octets || p[2] == 0) {
      return false; // indefinite, absurdly long or not minimal
    }
    len = 0;
    for (std::size_t i = 0; i < octets; ++i) {
      len = (len << 8) | p[2 + i];
    }
    if (len < 0x80) {
      return false;
    }
    header += octets;
  }
  if (in.size() - header < len) {
    return false;
  }
  out.tag = p[0];
  out.whole = in.substr(0, header + len);
  out.value = in.substr(header, len);
  in.remove_prefix(header + len);
  return true;
}

bool takeTlv(std::string_view& in, unsigned char tag, Tlv& out) {
  return takeTlv(in, out) && out.tag == tag;
}

constexpr unsigned char kSequence = 0x30;
constexpr unsigned char kInteger = 0x02;
constexpr unsigned char kBitString = 0x03;
constexpr unsigned char kOid = 0x06;
constexpr unsigned char kAttributesTag = 0xA0; // [0] IMPLICIT SET OF Attribute

// OID contents (without tag and length).
constexpr std::string_view kIdEcPublicKey("\x2A\x86\x48\xCE\x3D\x02\x01", 7);
constexpr std::string_view kPrime256v1("\x2A\x86\x48\xCE\x3D\x03\x01\x07", 8);
constexpr std::string_view kSecp384r1("\x2B\x81\x04\x00\x22", 5);
constexpr std::string_view kEcdsaWithSha256("\x2A\x86\x48\xCE\x3D\x04\x03\x02", 8);
constexpr std::string_view kEcdsaWithSha384("\x2A\x86\x48\xCE\x3D\x04\x03\x03", 8);
constexpr std::string_view kEcdsaWithSha512("\x2A\x86\x48\xCE\x3D\x04\x03\x04", 8);

// True when `der` is exactly one value OpenSSL parses as `T`.
template <typename T, T* (*D2i)(T**, const unsigned char**, long), void (*Free)(T*)>
bool opensslParsesExactly(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  OpenSslPtr<T, Free> value(D2i(nullptr, &p, static_cast<long>(der.size())));
  return value && p == reinterpret_cast<const unsigned char*>(der.data()) + der.size();
}

// The curve's domain parameters as a key, built once per thread: copying it is far cheaper than
// EVP_PKEY_fromdata, which rebuilds the group (Montgomery constants and all) for every key.
const EVP_PKEY* curveTemplate(bool p384) {
  thread_local EvpPkeyPtr templates[2];
  EvpPkeyPtr& slot = templates[p384 ? 1 : 0];
  if (!slot) {
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    char group[16] = {};
    std::string_view name = p384 ? "secp384r1" : "prime256v1";
    name.copy(group, sizeof(group) - 1);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
        OSSL_PARAM_construct_end(),
    };
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEY_PARAMETERS, params) != 1) {
      ERR_clear_error();
      return nullptr;
    }
    slot.reset(raw);
  }
  return slot.get();
}

// The fields of an EC request in the shape issuance uses; false = not that shape.
struct EcCsrFields {
  std::string_view info;
  std::string_view spki;
  std::string_view point;
  bool p384 = false;
  const char* digest = nullptr;
  std::string_view signature;
};

bool readEcCsr(std::string_view der, EcCsrFields& out) {
  Tlv outer, info, sig_alg, sig;
  if (!takeTlv(der, kSequence, outer) || !der.empty()) {
    return false;
  }
  std::string_view body = outer.value;
  if (!takeTlv(body, kSequence, info) || !takeTlv(body, kSequence, sig_alg) ||
      !takeTlv(body, kBitString, sig) || !body.empty()) {
    return false;
  }
  Tlv version, subject, spki, attributes;
  std::string_view fields = info.value;
  if (!takeTlv(fields, kInteger, version) || version.value != std::string_view("\0", 1) ||
      !takeTlv(fields, kSequence, subject) || !takeTlv(fields, kSequence, spki) ||
      !takeTlv(fields, kAttributesTag, attributes) || !fields.empty()) {
    return false;
  }
  Tlv key_alg, key_bits, alg_oid, curve_oid;
  std::string_view key = spki.value;
  if (!takeTlv(key, kSequence, key_alg) || !takeTlv(key, kBitString, key_bits) || !key.empty()) {
    return false;
  }
  std::string_view alg = key_alg.value;
  if (!takeTlv(alg, kOid, alg_oid) || alg_oid.value != kIdEcPublicKey ||
      !takeTlv(alg, kOid, curve_oid) || !alg.empty()) {
    return false;
  }
  out.p384 = curve_oid.value == kSecp384r1;
  if (!out.p384 && curve_oid.value != kPrime256v1) {
    return false;
  }
  // An uncompressed point only: 0 unused bits, 0x04, X, Y.
  const std::size_t coordinate = out.p384 ? 48 : 32;
  if (key_bits.value.size() != 2 + 2 * coordinate || key_bits.value[0] != 0 ||
      key_bits.value[1] != 0x04) {
    return false;
  }
  Tlv sig_oid;
  std::string_view sig_fields = sig_alg.value;
  if (!takeTlv(sig_fields, kOid, sig_oid) || !sig_fields.empty()) {
    return false; // ECDSA AlgorithmIdentifiers carry no parameters (RFC 5758)
  }
  if (sig_oid.value == kEcdsaWithSha256) {
    out.digest = "SHA256";
  } else if (sig_oid.value == kEcdsaWithSha384) {
    out.digest = "SHA384";
  } else if (sig_oid.value == kEcdsaWithSha512) {
    out.digest = "SHA512";
  } else {
    return false;
  }
  if (sig.value.size() < 2 || sig.value[0] != 0) {
    return false;
  }
  // The parts the cheap path does not use still have to be what OpenSSL accepts.
  if (!opensslParsesExactly<X509_NAME, d2i_X509_NAME, X509_NAME_free>(subject.whole)) {
    return false;
  }
  std::string_view attrs = attributes.value;
  while (!attrs.empty()) {
    Tlv attribute;
    if (!takeTlv(attrs, kSequence, attribute) ||
        !opensslParsesExactly<X509_ATTRIBUTE, d2i_X509_ATTRIBUTE, X509_ATTRIBUTE_free>(
            attribute.whole)) {
      return false;
    }
  }
  out.info = info.whole;
  out.spki = spki.whole;
  out.point = key_bits.value.substr(1);
  out.signature = sig.value.substr(1);
  return true;
}

// This thread's key object for the curve with its public point set to `point`; null when the
// point is not on the curve. Setting the point on a per-thread key costs a fifth of copying the
// template; the key is used only by the verification that follows on the same thread.
EVP_PKEY* threadKeyForPoint(bool p384, std::string_view point) {
  thread_local EvpPkeyPtr keys[2];
  EvpPkeyPtr& key = keys[p384 ? 1 : 0];
  if (!key) {
    const EVP_PKEY* tmpl = curveTemplate(p384);
    key.reset(tmpl != nullptr ? EVP_PKEY_dup(const_cast<EVP_PKEY*>(tmpl)) : nullptr);
  }
  if (!key || EVP_PKEY_set1_encoded_public_key(key.get(),
                                               reinterpret_cast<const unsigned char*>(point.data()),
                                               point.size()) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return key.get();
}

} // namespace

Result<IssuanceCsr> IssuanceCsr::parse(std::string_view der) {
  IssuanceCsr csr;
  EcCsrFields fields;
  if (readEcCsr(der, fields)) {
    // A point off the curve parses, as with d2i_X509_REQ; checkSignature then fails.
    csr.spki_der_.assign(fields.spki);
    csr.point_.assign(fields.point);
    csr.p384_ = fields.p384;
    csr.signed_.assign(fields.info);
    csr.signature_.assign(fields.signature);
    csr.digest_ = fields.digest;
    return csr;
  }
  Result<X509ReqPtr> req = parseCsrDer(der);
  if (!req) {
    return req.status();
  }
  csr.req_ = std::move(*req);
  // The request's own X509_PUBKEY re-encodes from its parsed fields: no encoder involved.
  const X509_PUBKEY* spki = X509_REQ_get_X509_PUBKEY(csr.req_.get());
  if (X509_REQ_get0_pubkey(csr.req_.get()) != nullptr && spki != nullptr) {
    unsigned char* out = nullptr;
    int len = i2d_X509_PUBKEY(spki, &out);
    OpenSslBytesPtr owner(out);
    if (len > 0) {
      csr.spki_der_.assign(reinterpret_cast<const char*>(out), static_cast<std::size_t>(len));
    }
  }
  ERR_clear_error();
  return csr;
}

Status IssuanceCsr::checkSignature() const {
  if (req_) {
    return checkCsrSignature(*req_);
  }
  EVP_PKEY* key = threadKeyForPoint(p384_, point_);
  EvpMdCtxPtr ctx(key != nullptr ? EVP_MD_CTX_new() : nullptr);
  bool ok =
      ctx &&
      EVP_DigestVerifyInit_ex(ctx.get(), nullptr, digest_, nullptr, nullptr, key, nullptr) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature_.data()),
                       signature_.size(), reinterpret_cast<const unsigned char*>(signed_.data()),
                       signed_.size()) == 1;
  ERR_clear_error();
  if (!ok) {
    return invalidArgument(std::string(kCsrSignatureInvalid));
  }
  return Status::ok();
}

Result<X509ReqPtr> createCsr(const CsrTemplate& tmpl, const EVP_PKEY& key) {
  X509ReqPtr csr(X509_REQ_new());
  if (!csr || X509_REQ_set_version(csr.get(), X509_REQ_VERSION_1) != 1) {
    return internalError("cannot allocate certificate request");
  }
  Result<X509NamePtr> subject = makeName(tmpl.subject);
  if (!subject) {
    return subject.status();
  }
  if (X509_REQ_set_subject_name(csr.get(), subject->get()) != 1 ||
      X509_REQ_set_pubkey(csr.get(), const_cast<EVP_PKEY*>(&key)) != 1) {
    return internalError("cannot set request subject or key: " + takeOpenSslErrors());
  }
  if (!tmpl.uri_sans.empty() || !tmpl.dns_sans.empty()) {
    Result<GeneralNamesPtr> names = makeSubjectAltNames(tmpl.uri_sans, tmpl.dns_sans);
    if (!names) {
      return names.status();
    }
    STACK_OF(X509_EXTENSION)* raw = nullptr;
    bool critical = tmpl.subject.empty();
    int rc = X509V3_add1_i2d(&raw, NID_subject_alt_name, names->get(), critical ? 1 : 0,
                             X509V3_ADD_DEFAULT);
    StackOfX509ExtensionPtr exts(raw);
    if (rc != 1 || X509_REQ_add_extensions(csr.get(), exts.get()) != 1) {
      return internalError("cannot add request extensions: " + takeOpenSslErrors());
    }
  }
  if (X509_REQ_sign(csr.get(), const_cast<EVP_PKEY*>(&key), signatureDigestFor(key)) <= 0) {
    return internalError("cannot sign certificate request: " + takeOpenSslErrors());
  }
  return csr;
}

Result<X509ReqPtr> parseCsrDer(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* end = p + der.size();
  X509ReqPtr csr(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  if (!csr || p != end) {
    return invalidArgument(std::string(kMalformedCsr));
  }
  return csr;
}

Result<X509ReqPtr> parseCsrPem(std::string_view pem) {
  std::vector<PemBlock> blocks = decodePemBlocks(pem);
  if (blocks.empty()) {
    return invalidArgument(std::string(kNoPemBlocksFound));
  }
  for (const PemBlock& block : blocks) {
    if (block.type == "CERTIFICATE REQUEST" || block.type == "NEW CERTIFICATE REQUEST") {
      return parseCsrDer(block.der);
    }
  }
  return invalidArgument("no CERTIFICATE REQUEST PEM block found");
}

std::string csrToDer(const X509_REQ& csr) {
  int len = i2d_X509_REQ(&csr, nullptr);
  if (len <= 0) {
    return {};
  }
  std::string out(static_cast<std::size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  i2d_X509_REQ(&csr, &p);
  return out;
}

std::string csrToPem(const X509_REQ& csr) {
  return encodePem("CERTIFICATE REQUEST", csrToDer(csr));
}

Status checkCsrSignature(const X509_REQ& csr) {
  // Both calls only read the request; their prototypes are not const-qualified.
  auto* req = const_cast<X509_REQ*>(&csr);
  EVP_PKEY* key = X509_REQ_get0_pubkey(req);
  bool ok = key != nullptr && X509_REQ_verify(req, key) == 1;
  ERR_clear_error();
  if (!ok) {
    return invalidArgument(std::string(kCsrSignatureInvalid));
  }
  return Status::ok();
}

EvpPkeyPtr csrPublicKey(const X509_REQ& csr) {
  EVP_PKEY* key = X509_REQ_get0_pubkey(const_cast<X509_REQ*>(&csr));
  ERR_clear_error();
  return key == nullptr ? EvpPkeyPtr() : upRef(key);
}

std::string csrSubjectName(const X509_REQ& csr) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), X509_REQ_get_subject_name(&csr), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::vector<std::string> csrUriSans(const X509_REQ& csr) {
  return csrNames(csr, GEN_URI);
}

std::vector<std::string> csrDnsSans(const X509_REQ& csr) {
  return csrNames(csr, GEN_DNS);
}

} // namespace spire::crypto
