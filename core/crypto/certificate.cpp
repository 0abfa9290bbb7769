#include "crypto/certificate.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "crypto/pem.h"

namespace spire::crypto {
namespace {

constexpr std::string_view kCertificatePemType = "CERTIFICATE";

// OpenSSL's cached extension flags mark certificates it could not make sense of: duplicate
// extensions, undecodable basicConstraints/keyUsage/EKU/SAN... Go's parser rejects those at
// parse time, so we do too.
bool extensionsAreSound(X509* cert) {
  X509_check_purpose(cert, -1, 0);
  bool sound = (X509_get_extension_flags(cert) & EXFLAG_INVALID) == 0;
  ERR_clear_error();
  return sound;
}

// Decodes one certificate at *p, advancing it.
Result<X509Ptr> parseOne(const unsigned char** p, long len) {
  X509Ptr cert(d2i_X509(nullptr, p, len));
  if (!cert || !extensionsAreSound(cert.get())) {
    ERR_clear_error();
    return invalidArgument(std::string(kMalformedCertificate));
  }
  return cert;
}

TimePoint toTimePoint(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    return TimePoint{};
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::vector<std::string> generalNames(const X509& cert, int wanted_type) {
  std::vector<std::string> out;
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(&cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) {
    return out;
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != wanted_type) {
      continue;
    }
    // URI and DNS names are both IA5Strings.
    const ASN1_IA5STRING* text =
        wanted_type == GEN_URI ? name->d.uniformResourceIdentifier : name->d.dNSName;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                     static_cast<std::size_t>(ASN1_STRING_length(text)));
  }
  return out;
}

std::string nameToString(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string octets(const ASN1_OCTET_STRING* s) {
  if (s == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

} // namespace

Result<X509Ptr> parseCertificateDer(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* end = p + der.size();
  Result<X509Ptr> cert = parseOne(&p, static_cast<long>(der.size()));
  if (cert && p != end) {
    return invalidArgument(std::string(kTrailingCertificateData));
  }
  return cert;
}

Result<std::vector<X509Shared>> parseCertificatesDer(std::string_view der) {
  std::vector<X509Shared> certs;
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* end = p + der.size();
  while (p < end) {
    Result<X509Ptr> cert = parseOne(&p, static_cast<long>(end - p));
    if (!cert) {
      return cert.status();
    }
    certs.push_back(shareX509(std::move(*cert)));
  }
  return certs;
}

Result<std::vector<X509Shared>> parseCertificatesPem(std::string_view pem) {
  std::vector<PemBlock> blocks = decodePemBlocks(pem);
  if (blocks.empty()) {
    return invalidArgument(std::string(kNoPemBlocksFound));
  }
  std::vector<X509Shared> certs;
  for (const PemBlock& block : blocks) {
    if (block.type != kCertificatePemType) {
      continue;
    }
    Result<X509Ptr> cert = parseCertificateDer(block.der);
    if (!cert) {
      return cert.status();
    }
    certs.push_back(shareX509(std::move(*cert)));
  }
  return certs;
}

std::string certificateToDer(const X509& cert) {
  int len = i2d_X509(&cert, nullptr);
  if (len <= 0) {
    return {};
  }
  std::string out(static_cast<std::size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  i2d_X509(&cert, &p);
  return out;
}

std::string certificateToPem(const X509& cert) {
  return encodePem(kCertificatePemType, certificateToDer(cert));
}

std::string certificatesToDer(const std::vector<X509Shared>& certs) {
  std::string out;
  for (const X509Shared& cert : certs) {
    out += certificateToDer(*cert);
  }
  return out;
}

std::string certificatesToPem(const std::vector<X509Shared>& certs) {
  std::string out;
  for (const X509Shared& cert : certs) {
    out += certificateToPem(*cert);
  }
  return out;
}

bool certificatesEqual(const X509& a, const X509& b) {
  return certificateToDer(a) == certificateToDer(b);
}

std::vector<std::string> uriSans(const X509& cert) {
  return generalNames(cert, GEN_URI);
}

std::vector<std::string> dnsSans(const X509& cert) {
  return generalNames(cert, GEN_DNS);
}

std::string serialNumberDecimal(const X509& cert) {
  BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(&cert), nullptr));
  OpenSslStringPtr text(bn ? BN_bn2dec(bn.get()) : nullptr);
  return text ? std::string(text.get()) : std::string();
}

std::string serialNumberHex(const X509& cert) {
  BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(&cert), nullptr));
  OpenSslStringPtr text(bn ? BN_bn2hex(bn.get()) : nullptr);
  std::string out = text ? std::string(text.get()) : std::string();
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

TimePoint notBefore(const X509& cert) {
  return toTimePoint(X509_get0_notBefore(&cert));
}

TimePoint notAfter(const X509& cert) {
  return toTimePoint(X509_get0_notAfter(&cert));
}

bool isCa(const X509& cert) {
  BasicConstraintsPtr bc(static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(&cert, NID_basic_constraints, nullptr, nullptr)));
  return bc && bc->ca != 0;
}

long maxPathLen(const X509& cert) {
  BasicConstraintsPtr bc(static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(&cert, NID_basic_constraints, nullptr, nullptr)));
  if (!bc || bc->pathlen == nullptr) {
    return -1;
  }
  return ASN1_INTEGER_get(bc->pathlen);
}

uint32_t keyUsage(const X509& cert) {
  Asn1BitStringPtr bits(
      static_cast<ASN1_BIT_STRING*>(X509_get_ext_d2i(&cert, NID_key_usage, nullptr, nullptr)));
  if (!bits) {
    return 0;
  }
  uint32_t out = 0;
  // Bit n of the BIT STRING is digitalSignature (0) ... decipherOnly (8).
  for (int n = 0; n < 8; ++n) {
    if (ASN1_BIT_STRING_get_bit(bits.get(), n)) {
      out |= 0x80u >> n;
    }
  }
  if (ASN1_BIT_STRING_get_bit(bits.get(), 8)) {
    out |= key_usage::kDecipherOnly;
  }
  return out;
}

bool hasKeyUsageExtension(const X509& cert) {
  return X509_get_ext_by_NID(&cert, NID_key_usage, -1) >= 0;
}

bool isKeyUsageCritical(const X509& cert) {
  int idx = X509_get_ext_by_NID(&cert, NID_key_usage, -1);
  return idx >= 0 && X509_EXTENSION_get_critical(X509_get_ext(&cert, idx)) == 1;
}

std::vector<ExtKeyUsage> extKeyUsages(const X509& cert) {
  std::vector<ExtKeyUsage> out;
  ExtendedKeyUsagePtr eku(static_cast<EXTENDED_KEY_USAGE*>(
      X509_get_ext_d2i(&cert, NID_ext_key_usage, nullptr, nullptr)));
  if (!eku) {
    return out;
  }
  for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
    switch (OBJ_obj2nid(sk_ASN1_OBJECT_value(eku.get(), i))) {
    case NID_anyExtendedKeyUsage:
      out.push_back(ExtKeyUsage::kAny);
      break;
    case NID_server_auth:
      out.push_back(ExtKeyUsage::kServerAuth);
      break;
    case NID_client_auth:
      out.push_back(ExtKeyUsage::kClientAuth);
      break;
    case NID_code_sign:
      out.push_back(ExtKeyUsage::kCodeSigning);
      break;
    case NID_email_protect:
      out.push_back(ExtKeyUsage::kEmailProtection);
      break;
    case NID_time_stamp:
      out.push_back(ExtKeyUsage::kTimeStamping);
      break;
    case NID_OCSP_sign:
      out.push_back(ExtKeyUsage::kOcspSigning);
      break;
    default:
      break;
    }
  }
  return out;
}

std::string subjectName(const X509& cert) {
  return nameToString(X509_get_subject_name(&cert));
}

std::string issuerName(const X509& cert) {
  return nameToString(X509_get_issuer_name(&cert));
}

std::string subjectKeyId(const X509& cert) {
  Asn1OctetStringPtr ski(static_cast<ASN1_OCTET_STRING*>(
      X509_get_ext_d2i(&cert, NID_subject_key_identifier, nullptr, nullptr)));
  return octets(ski.get());
}

std::string authorityKeyId(const X509& cert) {
  AuthorityKeyIdPtr aki(static_cast<AUTHORITY_KEYID*>(
      X509_get_ext_d2i(&cert, NID_authority_key_identifier, nullptr, nullptr)));
  return aki ? octets(aki->keyid) : std::string();
}

EvpPkeyPtr publicKeyOf(const X509& cert) {
  EVP_PKEY* key = X509_get0_pubkey(&cert);
  return key == nullptr ? EvpPkeyPtr() : upRef(key);
}

bool isSignedBy(const X509& cert, const EVP_PKEY& issuer_key) {
  // X509_verify only reads both arguments; its prototype predates const-correctness.
  bool ok = X509_verify(const_cast<X509*>(&cert), const_cast<EVP_PKEY*>(&issuer_key)) == 1;
  ERR_clear_error();
  return ok;
}

} // namespace spire::crypto
