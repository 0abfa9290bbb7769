#include "server/ca/remote_jws.h"

#include <openssl/ecdsa.h>

#include "common/encoding.h"

namespace spire::server::ca {
namespace {

using EcdsaSigPtr = crypto::OpenSslPtr<ECDSA_SIG, ECDSA_SIG_free>;

} // namespace

std::string_view jwsAlgorithmFor(const RemoteSigner& signer) {
  switch (signer.keyType()) {
  case crypto::KeyType::kEcP256:
    return "ES256";
  case crypto::KeyType::kEcP384:
    return "ES384";
  case crypto::KeyType::kRsa2048:
  case crypto::KeyType::kRsa4096:
    return "RS256";
  }
  return "RS256";
}

Result<std::string> ecdsaDerToJose(std::string_view der, std::size_t coordinate_size) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return invalidArgument("malformed ECDSA signature");
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string out(2 * coordinate_size, '\0');
  auto* buf = reinterpret_cast<unsigned char*>(out.data());
  int size = static_cast<int>(coordinate_size);
  if (BN_bn2binpad(r, buf, size) != size || BN_bn2binpad(s, buf + coordinate_size, size) != size) {
    return invalidArgument("malformed ECDSA signature");
  }
  return out;
}

Result<std::string> signCompactJwsRemote(std::string_view header_json, std::string_view payload,
                                         const RemoteSigner& signer) {
  std::string token = base64UrlEncode(header_json);
  token += '.';
  token += base64UrlEncode(payload);
  Result<std::string> signature = signer.sign(token);
  if (!signature) {
    return signature.status();
  }
  std::string jose_signature;
  switch (signer.keyType()) {
  case crypto::KeyType::kEcP256:
  case crypto::KeyType::kEcP384: {
    std::size_t size = signer.keyType() == crypto::KeyType::kEcP256 ? 32 : 48;
    Result<std::string> converted = ecdsaDerToJose(*signature, size);
    if (!converted) {
      return internalError("key manager returned a malformed ECDSA signature for \"" +
                           signer.keyId() + "\"");
    }
    jose_signature = std::move(*converted);
    break;
  }
  case crypto::KeyType::kRsa2048:
  case crypto::KeyType::kRsa4096:
    jose_signature = std::move(*signature);
    break;
  }
  token += '.';
  token += base64UrlEncode(jose_signature);
  return token;
}

} // namespace spire::server::ca
