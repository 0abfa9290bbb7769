#include "crypto/key.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "common/encoding.h"
#include "crypto/digest.h"
#include "crypto/pem.h"

namespace spire::crypto {
namespace {

constexpr std::string_view kPrivateKeyPemType = "PRIVATE KEY";
constexpr std::string_view kPublicKeyPemType = "PUBLIC KEY";

std::string withOpenSslDetail(std::string message) {
  std::string detail = takeOpenSslErrors();
  if (!detail.empty()) {
    message += ": " + detail;
  }
  return message;
}

// i2d_* writers share one shape: a first call for the size, a second to fill the buffer.
template <class Fn> Result<std::string> writeDer(Fn&& write, const char* what) {
  int len = write(nullptr);
  if (len <= 0) {
    return internalError(withOpenSslDetail(std::string("cannot encode ") + what));
  }
  std::string out(static_cast<std::size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  if (write(&p) != len) {
    return internalError(withOpenSslDetail(std::string("cannot encode ") + what));
  }
  return out;
}

Result<std::string> firstPemBlock(std::string_view pem, std::string_view type) {
  std::vector<PemBlock> blocks = decodePemBlocks(pem);
  if (blocks.empty()) {
    return invalidArgument(std::string(kNoPemBlocksFound));
  }
  for (PemBlock& block : blocks) {
    if (block.type == type) {
      return std::move(block.der);
    }
  }
  return invalidArgument("no " + std::string(type) + " PEM block found");
}

} // namespace

Result<KeyType> parseKeyType(std::string_view name) {
  if (name == "ec-p256") {
    return KeyType::kEcP256;
  }
  if (name == "ec-p384") {
    return KeyType::kEcP384;
  }
  if (name == "rsa-2048") {
    return KeyType::kRsa2048;
  }
  if (name == "rsa-4096") {
    return KeyType::kRsa4096;
  }
  return invalidArgument("unsupported key type \"" + std::string(name) + "\"");
}

std::string_view keyTypeName(KeyType type) {
  switch (type) {
  case KeyType::kEcP256:
    return "ec-p256";
  case KeyType::kEcP384:
    return "ec-p384";
  case KeyType::kRsa2048:
    return "rsa-2048";
  case KeyType::kRsa4096:
    return "rsa-4096";
  }
  return "unknown";
}

Result<EvpPkeyPtr> generateKey(KeyType type) {
  EVP_PKEY* key = nullptr;
  switch (type) {
  case KeyType::kEcP256:
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    break;
  case KeyType::kEcP384:
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
    break;
  case KeyType::kRsa2048:
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
    break;
  case KeyType::kRsa4096:
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(4096));
    break;
  }
  if (key == nullptr) {
    return internalError(
        withOpenSslDetail("cannot generate " + std::string(keyTypeName(type)) + " key"));
  }
  return EvpPkeyPtr(key);
}

Result<KeyType> keyTypeOf(const EVP_PKEY& key) {
  switch (EVP_PKEY_get_base_id(&key)) {
  case EVP_PKEY_EC: {
    char group[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(&key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &len) != 1) {
      ERR_clear_error();
      return invalidArgument("unsupported EC key: unknown curve");
    }
    std::string_view name(group, len);
    if (name == "prime256v1" || name == "P-256") {
      return KeyType::kEcP256;
    }
    if (name == "secp384r1" || name == "P-384") {
      return KeyType::kEcP384;
    }
    return invalidArgument("unsupported EC curve \"" + std::string(name) + "\"");
  }
  case EVP_PKEY_RSA: {
    int bits = EVP_PKEY_get_bits(&key);
    if (bits == 2048) {
      return KeyType::kRsa2048;
    }
    if (bits == 4096) {
      return KeyType::kRsa4096;
    }
    return invalidArgument("unsupported RSA key size " + std::to_string(bits));
  }
  default:
    return invalidArgument("unsupported key type " +
                           std::string(OBJ_nid2sn(EVP_PKEY_get_base_id(&key))));
  }
}

bool publicKeysEqual(const EVP_PKEY& a, const EVP_PKEY& b) {
  // EVP_PKEY_eq compares parameters and public components only; 1 means equal.
  bool equal = EVP_PKEY_eq(&a, &b) == 1;
  ERR_clear_error();
  return equal;
}

Result<EvpPkeyPtr> parsePkcs8PrivateKeyDer(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* end = p + der.size();
  Pkcs8PrivKeyInfoPtr info(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size())));
  if (!info) {
    ERR_clear_error();
    return invalidArgument(std::string(kMalformedPrivateKey));
  }
  if (p != end) {
    return invalidArgument(std::string(kTrailingKeyData));
  }
  EvpPkeyPtr key(EVP_PKCS82PKEY(info.get()));
  if (!key) {
    ERR_clear_error();
    return invalidArgument(std::string(kMalformedPrivateKey));
  }
  return key;
}

Result<EvpPkeyPtr> parsePkcs8PrivateKeyPem(std::string_view pem) {
  Result<std::string> der = firstPemBlock(pem, kPrivateKeyPemType);
  if (!der) {
    return der.status();
  }
  return parsePkcs8PrivateKeyDer(*der);
}

Result<std::string> marshalPkcs8PrivateKeyDer(const EVP_PKEY& key) {
  Pkcs8PrivKeyInfoPtr info(EVP_PKEY2PKCS8(&key));
  if (!info) {
    return invalidArgument(withOpenSslDetail("cannot encode PKCS#8 private key"));
  }
  return writeDer([&](unsigned char** out) { return i2d_PKCS8_PRIV_KEY_INFO(info.get(), out); },
                  "PKCS#8 private key");
}

Result<std::string> marshalPkcs8PrivateKeyPem(const EVP_PKEY& key) {
  Result<std::string> der = marshalPkcs8PrivateKeyDer(key);
  if (!der) {
    return der.status();
  }
  return encodePem(kPrivateKeyPemType, *der);
}

Result<EvpPkeyPtr> parsePublicKeyDer(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* end = p + der.size();
  EvpPkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!key) {
    ERR_clear_error();
    return invalidArgument(std::string(kMalformedPublicKey));
  }
  if (p != end) {
    return invalidArgument(std::string(kTrailingKeyData));
  }
  return key;
}

Result<EvpPkeyPtr> parsePublicKeyPem(std::string_view pem) {
  Result<std::string> der = firstPemBlock(pem, kPublicKeyPemType);
  if (!der) {
    return der.status();
  }
  return parsePublicKeyDer(*der);
}

Result<std::string> marshalPublicKeyDer(const EVP_PKEY& key) {
  return writeDer([&](unsigned char** out) { return i2d_PUBKEY(&key, out); }, "PKIX public key");
}

Result<std::string> marshalPublicKeyPem(const EVP_PKEY& key) {
  Result<std::string> der = marshalPublicKeyDer(key);
  if (!der) {
    return der.status();
  }
  return encodePem(kPublicKeyPemType, *der);
}

Result<std::string> publicKeyFingerprint(const EVP_PKEY& key) {
  Result<std::string> der = marshalPublicKeyDer(key);
  if (!der) {
    return der.status();
  }
  return sha256Hex(*der);
}

} // namespace spire::crypto
