#include "shared/crypto_util.h"

#include <array>
#include <cstring>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

namespace spire::builtin {

std::string takeOsslErrors() {
  std::string out;
  while (unsigned long err = ERR_get_error()) {
    std::array<char, 256> buf{};
    ERR_error_string_n(err, buf.data(), buf.size());
    if (!out.empty()) {
      out += "; ";
    }
    out += buf.data();
  }
  return out;
}

std::string hexEncode(std::string_view data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (unsigned char c : data) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64Value(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '+') {
    return 62;
  }
  if (c == '/') {
    return 63;
  }
  return -1;
}

std::string digest(const EVP_MD* md, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr);
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

BioPtr memoryBio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

} // namespace

std::string base64Encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (size_t rest = data.size() - i; rest > 0) {
    uint32_t v = uint8_t(data[i]) << 16;
    if (rest == 2) {
      v |= uint8_t(data[i + 1]) << 8;
    }
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += rest == 2 ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool base64Decode(std::string_view text, std::string& out) {
  out.clear();
  if (text.size() % 4 != 0) {
    return false;
  }
  for (size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    int pad = 0;
    std::array<int, 4> v{};
    for (size_t j = 0; j < 4; ++j) {
      char c = text[i + j];
      if (c == '=' && last && j >= 2) {
        v[j] = 0;
        ++pad;
        continue;
      }
      if (pad > 0) {
        return false;
      }
      v[j] = b64Value(c);
      if (v[j] < 0) {
        return false;
      }
    }
    uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out.push_back(static_cast<char>((n >> 16) & 0xff));
    if (pad < 2) {
      out.push_back(static_cast<char>((n >> 8) & 0xff));
    }
    if (pad < 1) {
      out.push_back(static_cast<char>(n & 0xff));
    }
  }
  return true;
}

std::string sha256(std::string_view data) {
  return digest(EVP_sha256(), data);
}

std::string sha1(std::string_view data) {
  return digest(EVP_sha1(), data);
}

Result<std::string> randomBytes(size_t count) {
  std::string out(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) {
    return internalError("unable to generate random bytes: " + takeOsslErrors());
  }
  return out;
}

Result<std::vector<CertPtr>> parsePemCertificates(std::string_view pem) {
  BioPtr bio = memoryBio(pem);
  std::vector<CertPtr> certs;
  while (true) {
    CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) {
      break;
    }
    certs.push_back(std::move(cert));
  }
  unsigned long err = ERR_peek_last_error();
  // Reaching the end of the text is how the loop above stops; anything else is a broken block.
  if (err != 0 &&
      !(ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE)) {
    return invalidArgument("malformed PEM certificate: " + takeOsslErrors());
  }
  ERR_clear_error();
  if (certs.empty()) {
    return invalidArgument("no PEM certificates found");
  }
  return certs;
}

Result<PkeyPtr> parsePemPrivateKey(std::string_view pem) {
  BioPtr bio = memoryBio(pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    ERR_clear_error();
    return invalidArgument("no PEM private key found");
  }
  return key;
}

Result<CertPtr> parseDerCertificate(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  CertPtr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    ERR_clear_error();
    return invalidArgument("malformed DER certificate");
  }
  return cert;
}

std::string certificateDer(X509* cert) {
  unsigned char* raw = nullptr;
  int len = i2d_X509(cert, &raw);
  if (len <= 0) {
    return {};
  }
  OsslBytesPtr owner(raw);
  return std::string(reinterpret_cast<const char*>(raw), static_cast<size_t>(len));
}

std::string publicKeyDer(const EVP_PKEY* key) {
  unsigned char* raw = nullptr;
  int len = i2d_PUBKEY(key, &raw);
  if (len <= 0) {
    return {};
  }
  OsslBytesPtr owner(raw);
  return std::string(reinterpret_cast<const char*>(raw), static_cast<size_t>(len));
}

std::string privateKeyPkcs8Der(const EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (i2d_PKCS8PrivateKey_bio(bio.get(), const_cast<EVP_PKEY*>(key), nullptr, nullptr, 0, nullptr,
                              nullptr) != 1) {
    return {};
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

Result<PkeyPtr> parsePkcs8Der(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  PkeyPtr key(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size())));
  if (!key) {
    ERR_clear_error();
    return invalidArgument("malformed PKCS#8 private key");
  }
  return key;
}

std::string serialNumberHex(X509* cert) {
  BnPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (!bn || BN_is_zero(bn.get())) {
    return "0";
  }
  std::string bytes(static_cast<size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()));
  std::string hex = hexEncode(bytes);
  size_t first = hex.find_first_not_of('0');
  return hex.substr(first);
}

std::string subjectCommonName(X509* cert) {
  X509_NAME* name = X509_get_subject_name(cert);
  int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (index < 0) {
    return {};
  }
  ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, value);
  if (len < 0) {
    return {};
  }
  OsslBytesPtr owner(utf8);
  return std::string(reinterpret_cast<const char*>(utf8), static_cast<size_t>(len));
}

} // namespace spire::builtin
