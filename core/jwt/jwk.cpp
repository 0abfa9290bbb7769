#include "jwt/jwk.h"

#include <optional>

#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "common/encoding.h"
#include "crypto/key.h"
#include "jwt/go_compat.h"

namespace spire::jwt {
namespace {

using ParamBldPtr = crypto::OpenSslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamPtr = crypto::OpenSslPtr<OSSL_PARAM, OSSL_PARAM_free>;

constexpr std::string_view kJose = "go-jose/go-jose: ";

Status joseError(std::string_view text) {
  return invalidArgument(std::string(kJose) + std::string(text));
}
Status unsupported(std::string text) {
  return {StatusCode::kUnimplemented, std::string(kJose) + text};
}

struct CurveInfo {
  std::string_view jose_name;
  const char* openssl_name;
  std::size_t coordinate_size;
};
constexpr CurveInfo kCurves[] = {
    {"P-256", "prime256v1", 32},
    {"P-384", "secp384r1", 48},
    {"P-521", "secp521r1", 66},
};

const CurveInfo* findCurve(std::string_view jose_name) {
  for (const CurveInfo& c : kCurves) {
    if (c.jose_name == jose_name) {
      return &c;
    }
  }
  return nullptr;
}

Result<PublicKey> keyFromParams(const char* type, const OSSL_PARAM* params) {
  crypto::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return internalError("cannot create " + std::string(type) +
                         " key context: " + crypto::takeOpenSslErrors());
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, const_cast<OSSL_PARAM*>(params)) !=
      1) {
    crypto::takeOpenSslErrors();
    return invalidArgument("invalid key parameters");
  }
  return sharePublicKey(crypto::EvpPkeyPtr(raw));
}

std::optional<std::string> bnParam(const EVP_PKEY& key, const char* name, int pad_to) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(&key, name, &raw) != 1) {
    crypto::takeOpenSslErrors();
    return std::nullopt;
  }
  crypto::BignumPtr bn(raw);
  int size = pad_to > 0 ? pad_to : BN_num_bytes(bn.get());
  std::string out(static_cast<std::size_t>(size), '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), size) != size) {
    return std::nullopt;
  }
  return out;
}

// The JSON members of a JWK, decoded as go-jose's rawJSONWebKey (missing or null -> unset).
struct RawJwk {
  std::string use, kty, kid, crv, alg;
  std::optional<std::string> x, y, n, e, d;
  std::vector<std::string> x5c;
};

// go-jose's byteBuffer.UnmarshalJSON: a string, trailing '=' tolerated, then base64url.
Status decodeBuffer(const nlohmann::ordered_json& v, std::optional<std::string>* out) {
  if (!v.is_string()) {
    return invalidArgument(goUnmarshalTypeError(v, "string"));
  }
  std::string_view text = v.get_ref<const std::string&>();
  while (!text.empty() && text.back() == '=') {
    text.remove_suffix(1);
  }
  Result<std::string> bytes = goDecodeRawUrl(text);
  if (!bytes) {
    return bytes.status();
  }
  *out = std::move(bytes).value();
  return Status::ok();
}

Result<RawJwk> decodeRaw(const nlohmann::ordered_json& value) {
  RawJwk raw;
  if (value.is_null()) {
    return raw;
  }
  if (!value.is_object()) {
    return invalidArgument(goUnmarshalTypeError(value, "jose.rawJSONWebKey"));
  }
  // encoding/json keeps going after a type mismatch on a plain field and reports the first one
  // at the end; errors from custom decoders (byteBuffer) stop it at once.
  std::optional<Status> type_error;
  auto note_type_error = [&](const nlohmann::ordered_json& v, std::string_view field,
                             std::string_view go_type) {
    if (!type_error) {
      type_error =
          invalidArgument(goUnmarshalFieldError(v, "rawJSONWebKey." + std::string(field), go_type));
    }
  };
  for (const auto& [name, v] : value.items()) {
    if (v.is_null()) {
      continue;
    }
    std::string* text_field = nullptr;
    std::optional<std::string>* buffer_field = nullptr;
    if (name == "use") {
      text_field = &raw.use;
    } else if (name == "kty") {
      text_field = &raw.kty;
    } else if (name == "kid") {
      text_field = &raw.kid;
    } else if (name == "crv") {
      text_field = &raw.crv;
    } else if (name == "alg") {
      text_field = &raw.alg;
    } else if (name == "x") {
      buffer_field = &raw.x;
    } else if (name == "y") {
      buffer_field = &raw.y;
    } else if (name == "n") {
      buffer_field = &raw.n;
    } else if (name == "e") {
      buffer_field = &raw.e;
    } else if (name == "d") {
      buffer_field = &raw.d;
    } else if (name == "x5c") {
      if (!v.is_array()) {
        note_type_error(v, name, "[]string");
        continue;
      }
      for (const auto& item : v) {
        if (item.is_string()) {
          raw.x5c.push_back(item.get<std::string>());
        } else if (item.is_null()) {
          raw.x5c.emplace_back();
        } else {
          note_type_error(item, name, "string");
        }
      }
      continue;
    }
    if (text_field != nullptr) {
      if (v.is_string()) {
        *text_field = v.get<std::string>();
      } else {
        note_type_error(v, name, "string");
      }
    } else if (buffer_field != nullptr) {
      if (Status st = decodeBuffer(v, buffer_field); !st.isOk()) {
        return st;
      }
    }
    // Other members (k, p, q, dp, dq, qi, x5u, x5t, ...) play no part for public keys.
  }
  if (type_error) {
    return *type_error;
  }
  return raw;
}

Result<std::vector<crypto::X509Shared>> parseCertificateChain(const std::vector<std::string>& x5c) {
  std::vector<crypto::X509Shared> certs;
  for (const std::string& item : x5c) {
    Result<std::string> der = goDecodeStd(item);
    if (!der) {
      return joseError("failed to unmarshal x5c field: " + der.status().message());
    }
    const auto* p = reinterpret_cast<const unsigned char*>(der->data());
    crypto::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der->size())));
    if (!cert) {
      crypto::takeOpenSslErrors();
      return joseError("failed to unmarshal x5c field: x509: malformed certificate");
    }
    if (p != reinterpret_cast<const unsigned char*>(der->data()) + der->size()) {
      return joseError("failed to unmarshal x5c field: x509: trailing data");
    }
    certs.push_back(crypto::shareX509(std::move(cert)));
  }
  return certs;
}

Result<PublicKey> publicKeyOf(const RawJwk& raw) {
  if (raw.kty == "EC") {
    if (findCurve(raw.crv) == nullptr) {
      return unsupported("unsupported elliptic curve '" + raw.crv + "'");
    }
    if (!raw.x || !raw.y) {
      return joseError("invalid EC key, missing x/y values");
    }
    return ecPublicKeyFromCoordinates(raw.crv, *raw.x, *raw.y);
  }
  if (raw.kty == "RSA") {
    if (!raw.n || !raw.e) {
      return joseError("invalid RSA key, missing n/e values");
    }
    return rsaPublicKeyFromParameters(*raw.n, *raw.e);
  }
  if (raw.kty == "OKP") {
    if (raw.crv != "Ed25519" || !raw.x) {
      return unsupported("unknown curve " + raw.crv + "'"); // sic, go-jose's text
    }
    return ed25519PublicKeyFromBytes(*raw.x);
  }
  // go-jose loads "oct" keys as raw secrets; a SPIFFE bundle has no use for them.
  return unsupported("unknown json web key type '" + raw.kty + "'");
}

} // namespace

PublicKey sharePublicKey(crypto::EvpPkeyPtr key) {
  return PublicKey(key.release(), EVP_PKEY_free);
}

std::size_t ecCoordinateSize(std::string_view curve) {
  const CurveInfo* info = findCurve(curve);
  return info == nullptr ? 0 : info->coordinate_size;
}

std::string ecCurveName(const EVP_PKEY& key) {
  if (EVP_PKEY_get_base_id(&key) != EVP_PKEY_EC) {
    return "";
  }
  char group[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(&key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                     &len) != 1) {
    crypto::takeOpenSslErrors();
    return "";
  }
  std::string_view name(group, len);
  for (const CurveInfo& c : kCurves) {
    if (name == c.openssl_name) {
      return std::string(c.jose_name);
    }
  }
  return "";
}

Result<PublicKey> ecPublicKeyFromCoordinates(std::string_view curve, std::string_view x,
                                             std::string_view y) {
  const CurveInfo* info = findCurve(curve);
  if (info == nullptr) {
    return unsupported("unsupported elliptic curve '" + std::string(curve) + "'");
  }
  if (x.size() != info->coordinate_size) {
    return joseError("invalid EC public key, wrong length for x");
  }
  if (y.size() != info->coordinate_size) {
    return joseError("invalid EC public key, wrong length for y");
  }
  std::string point = "\x04";
  point.append(x);
  point.append(y);
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, info->openssl_name,
                                      0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return internalError("cannot build EC parameters: " + crypto::takeOpenSslErrors());
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) {
    return internalError("cannot build EC parameters: " + crypto::takeOpenSslErrors());
  }
  Result<PublicKey> key = keyFromParams("EC", params.get());
  const Status not_on_curve = joseError("invalid EC key, X/Y are not on declared curve");
  if (!key) {
    return not_on_curve;
  }
  // EVP_PKEY_fromdata already refuses points off the curve; the explicit check also rules out
  // points outside the prime-order subgroup and keeps us independent of that detail.
  crypto::EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key->get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    crypto::takeOpenSslErrors();
    return not_on_curve;
  }
  return key;
}

Result<PublicKey> rsaPublicKeyFromParameters(std::string_view n, std::string_view e) {
  crypto::BignumPtr bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                                   static_cast<int>(n.size()), nullptr));
  crypto::BignumPtr bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                                   static_cast<int>(e.size()), nullptr));
  if (!bn_n || !bn_e) {
    return internalError("cannot decode RSA parameters: " + crypto::takeOpenSslErrors());
  }
  // go-jose accepts any value here and Go's crypto/rsa refuses the key only when it is used;
  // refusing at parse time gives a clearer error for the same keys.
  if (BN_is_zero(bn_n.get()) || !BN_is_odd(bn_n.get())) {
    return invalidArgument("invalid RSA key, modulus must be a positive odd number");
  }
  if (BN_num_bits(bn_e.get()) > 31 || BN_cmp(bn_e.get(), BN_value_one()) <= 0 ||
      !BN_is_odd(bn_e.get())) {
    return invalidArgument("invalid RSA key, public exponent must be odd and in [3, 2^31)");
  }
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return internalError("cannot build RSA parameters: " + crypto::takeOpenSslErrors());
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) {
    return internalError("cannot build RSA parameters: " + crypto::takeOpenSslErrors());
  }
  return keyFromParams("RSA", params.get());
}

Result<PublicKey> ed25519PublicKeyFromBytes(std::string_view x) {
  if (x.size() != 32) {
    return invalidArgument("invalid Ed25519 key, x must be 32 bytes");
  }
  crypto::EvpPkeyPtr key(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x.data()), x.size()));
  if (!key) {
    return invalidArgument("invalid Ed25519 key: " + crypto::takeOpenSslErrors());
  }
  return sharePublicKey(std::move(key));
}

Result<Jwk> parseJwk(const nlohmann::ordered_json& value) {
  Result<RawJwk> raw = decodeRaw(value);
  if (!raw) {
    return raw.status();
  }
  Result<std::vector<crypto::X509Shared>> certs = parseCertificateChain(raw->x5c);
  if (!certs) {
    return certs.status();
  }
  Result<PublicKey> key = publicKeyOf(*raw);
  if (!key) {
    return key.status();
  }
  if (!certs->empty()) {
    crypto::EvpPkeyPtr cert_key(X509_get_pubkey(certs->front().get()));
    if (!cert_key || !crypto::publicKeysEqual(*cert_key, **key)) {
      crypto::takeOpenSslErrors();
      return joseError("invalid JWK, public keys in key and x5c fields do not match");
    }
  }
  Jwk jwk;
  jwk.kty = raw->kty;
  jwk.use = raw->use;
  jwk.kid = raw->kid;
  jwk.alg = raw->alg;
  jwk.key = std::move(key).value();
  jwk.certificates = std::move(certs).value();
  jwk.has_private_part = raw->d.has_value();
  return jwk;
}

Result<nlohmann::ordered_json> marshalJwk(const EVP_PKEY& key, std::string_view use,
                                          std::string_view kid,
                                          const std::vector<crypto::X509Shared>& certificates) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  if (!use.empty()) {
    out["use"] = use;
  }
  auto put_kid = [&] {
    if (!kid.empty()) {
      out["kid"] = kid;
    }
  };
  switch (EVP_PKEY_get_base_id(&key)) {
  case EVP_PKEY_EC: {
    std::string curve = ecCurveName(key);
    if (curve.empty()) {
      return invalidArgument("unsupported elliptic curve for a JWK");
    }
    int size = static_cast<int>(ecCoordinateSize(curve));
    std::optional<std::string> x = bnParam(key, OSSL_PKEY_PARAM_EC_PUB_X, size);
    std::optional<std::string> y = bnParam(key, OSSL_PKEY_PARAM_EC_PUB_Y, size);
    if (!x || !y) {
      return internalError("cannot read EC public point");
    }
    out["kty"] = "EC";
    put_kid();
    out["crv"] = curve;
    out["x"] = base64UrlEncode(*x);
    out["y"] = base64UrlEncode(*y);
    break;
  }
  case EVP_PKEY_RSA: {
    std::optional<std::string> n = bnParam(key, OSSL_PKEY_PARAM_RSA_N, 0);
    std::optional<std::string> e = bnParam(key, OSSL_PKEY_PARAM_RSA_E, 0);
    if (!n || !e) {
      return internalError("cannot read RSA public parameters");
    }
    out["kty"] = "RSA";
    put_kid();
    out["n"] = base64UrlEncode(*n);
    out["e"] = base64UrlEncode(*e);
    break;
  }
  case EVP_PKEY_ED25519: {
    unsigned char raw[32];
    size_t len = sizeof(raw);
    if (EVP_PKEY_get_raw_public_key(&key, raw, &len) != 1 || len != sizeof(raw)) {
      return internalError("cannot read Ed25519 public key: " + crypto::takeOpenSslErrors());
    }
    out["kty"] = "OKP";
    put_kid();
    out["crv"] = "Ed25519";
    out["x"] = base64UrlEncode(std::string_view(reinterpret_cast<const char*>(raw), len));
    break;
  }
  default:
    return invalidArgument("unsupported key type for a JWK");
  }
  if (!certificates.empty()) {
    nlohmann::ordered_json x5c = nlohmann::ordered_json::array();
    for (const crypto::X509Shared& cert : certificates) {
      unsigned char* der = nullptr;
      int len = i2d_X509(cert.get(), &der);
      if (len <= 0) {
        return internalError("cannot encode certificate: " + crypto::takeOpenSslErrors());
      }
      crypto::OpenSslBytesPtr owner(der);
      x5c.push_back(base64Encode(
          std::string_view(reinterpret_cast<const char*>(der), static_cast<size_t>(len))));
    }
    out["x5c"] = std::move(x5c);
  }
  return out;
}

} // namespace spire::jwt
