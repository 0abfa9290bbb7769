#include "jwt/jws.h"

#include <openssl/ec.h>
#include <openssl/rsa.h>

#include "common/encoding.h"
#include "crypto/signer.h"
#include "jwt/go_compat.h"
#include "jwt/jwk.h"

namespace spire::jwt {
namespace {

using EcdsaSigPtr = crypto::OpenSslPtr<ECDSA_SIG, ECDSA_SIG_free>;

struct AlgInfo {
  JwsAlgorithm alg;
  std::string_view name;
  crypto::HashAlgorithm hash;
  enum Family { kEc, kRsaPkcs1, kRsaPss } family;
  std::string_view curve; // EC only
};

constexpr AlgInfo kAlgs[] = {
    {JwsAlgorithm::kEs256, "ES256", crypto::HashAlgorithm::kSha256, AlgInfo::kEc, "P-256"},
    {JwsAlgorithm::kEs384, "ES384", crypto::HashAlgorithm::kSha384, AlgInfo::kEc, "P-384"},
    {JwsAlgorithm::kEs512, "ES512", crypto::HashAlgorithm::kSha512, AlgInfo::kEc, "P-521"},
    {JwsAlgorithm::kRs256, "RS256", crypto::HashAlgorithm::kSha256, AlgInfo::kRsaPkcs1, ""},
    {JwsAlgorithm::kRs384, "RS384", crypto::HashAlgorithm::kSha384, AlgInfo::kRsaPkcs1, ""},
    {JwsAlgorithm::kRs512, "RS512", crypto::HashAlgorithm::kSha512, AlgInfo::kRsaPkcs1, ""},
    {JwsAlgorithm::kPs256, "PS256", crypto::HashAlgorithm::kSha256, AlgInfo::kRsaPss, ""},
    {JwsAlgorithm::kPs384, "PS384", crypto::HashAlgorithm::kSha384, AlgInfo::kRsaPss, ""},
    {JwsAlgorithm::kPs512, "PS512", crypto::HashAlgorithm::kSha512, AlgInfo::kRsaPss, ""},
};

const AlgInfo& infoOf(JwsAlgorithm alg) {
  for (const AlgInfo& info : kAlgs) {
    if (info.alg == alg) {
      return info;
    }
  }
  return kAlgs[0]; // unreachable: every enumerator is listed
}

Status cryptoFailure() {
  return invalidArgument(std::string(kErrCryptoFailure));
}

constexpr std::string_view kThreeParts =
    "go-jose/go-jose: compact JWS format must have three parts";

// ECDSA DER (what OpenSSL produces) -> JOSE r||s, each half `size` bytes.
Result<std::string> derToRaw(std::string_view der, std::size_t size) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) {
    return internalError("cannot decode ECDSA signature: " + crypto::takeOpenSslErrors());
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string out(2 * size, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  if (BN_bn2binpad(r, dst, static_cast<int>(size)) < 0 ||
      BN_bn2binpad(s, dst + size, static_cast<int>(size)) < 0) {
    return internalError("ECDSA signature does not fit the curve size");
  }
  return out;
}

// JOSE r||s -> DER, for OpenSSL's verifier.
Result<std::string> rawToDer(std::string_view raw) {
  std::size_t half = raw.size() / 2;
  const auto* src = reinterpret_cast<const unsigned char*>(raw.data());
  crypto::BignumPtr r(BN_bin2bn(src, static_cast<int>(half), nullptr));
  crypto::BignumPtr s(BN_bin2bn(src + half, static_cast<int>(half), nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return internalError("cannot build ECDSA signature: " + crypto::takeOpenSslErrors());
  }
  r.release(); // now owned by sig
  s.release();
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) {
    return internalError("cannot encode ECDSA signature: " + crypto::takeOpenSslErrors());
  }
  crypto::OpenSslBytesPtr owner(der);
  return std::string(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
}

// RSASSA-PSS verification accepting any salt length: go-jose verifies with
// rsa.PSSSaltLengthAuto, so tokens from signers using another salt length still verify.
Status verifyPssAnySalt(const EVP_PKEY& key, std::string_view message, std::string_view signature,
                        crypto::HashAlgorithm hash) {
  crypto::EvpMdCtxPtr md_ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pkey_ctx = nullptr; // owned by md_ctx
  if (!md_ctx ||
      EVP_DigestVerifyInit(md_ctx.get(), &pkey_ctx, crypto::evpMd(hash), nullptr,
                           const_cast<EVP_PKEY*>(&key)) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PSS_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pkey_ctx, RSA_PSS_SALTLEN_AUTO) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(pkey_ctx, crypto::evpMd(hash)) != 1) {
    crypto::takeOpenSslErrors();
    return cryptoFailure();
  }
  int rc = EVP_DigestVerify(md_ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(),
                            reinterpret_cast<const unsigned char*>(message.data()), message.size());
  if (rc != 1) {
    crypto::takeOpenSslErrors();
    return cryptoFailure();
  }
  return Status::ok();
}

// rawHeader.sanitized(): the members go-jose decodes into typed fields must have their type.
// The message format is go-jose's: "<what>: <json error>: <value as Go %#v>".
Status checkHeaderMembers(const nlohmann::ordered_json& header) {
  struct StringMember {
    const char* name;
    const char* what;
  };
  constexpr StringMember kStringMembers[] = {
      {"kid", "failed to unmarshal key ID"},
      {"alg", "failed to unmarshal algorithm"},
      {"nonce", "failed to unmarshal nonce"},
  };
  for (const StringMember& m : kStringMembers) {
    auto it = header.find(m.name);
    if (it != header.end() && !it->is_null() && !it->is_string()) {
      return invalidArgument(std::string(m.what) + ": " + goUnmarshalTypeError(*it, "string") +
                             ": " + goQuote(it->dump()));
    }
  }
  if (auto it = header.find("x5c"); it != header.end() && !it->is_null()) {
    bool ok = it->is_array();
    for (std::size_t i = 0; ok && i < it->size(); ++i) {
      const auto& item = (*it)[i];
      if (!item.is_string()) {
        ok = false;
        break;
      }
      Result<std::string> der = goDecodeStd(item.get_ref<const std::string&>());
      const unsigned char* p = der ? reinterpret_cast<const unsigned char*>(der->data()) : nullptr;
      crypto::X509Ptr cert(der ? d2i_X509(nullptr, &p, static_cast<long>(der->size())) : nullptr);
      ok = cert != nullptr;
    }
    if (!ok) {
      crypto::takeOpenSslErrors();
      return invalidArgument("failed to unmarshal x5c header: invalid certificate chain: " +
                             goQuote(it->dump()));
    }
  }
  if (auto it = header.find("jwk"); it != header.end() && !it->is_null()) {
    Result<Jwk> jwk = parseJwk(*it);
    if (!jwk) {
      return invalidArgument("failed to unmarshal JWK: " + jwk.status().message() + ": " +
                             goQuote(it->dump()));
    }
  }
  return Status::ok();
}

} // namespace

std::string_view jwsAlgorithmName(JwsAlgorithm alg) {
  return infoOf(alg).name;
}

std::optional<JwsAlgorithm> parseJwsAlgorithm(std::string_view name) {
  for (const AlgInfo& info : kAlgs) {
    if (info.name == name) {
      return info.alg;
    }
  }
  return std::nullopt;
}

const std::vector<std::string>& allowedJwsAlgorithmNames() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const AlgInfo& info : kAlgs) {
      names.emplace_back(info.name);
    }
    return names;
  }();
  return kNames;
}

Result<JwsAlgorithm> defaultJwsAlgorithm(const EVP_PKEY& key) {
  if (EVP_PKEY_get_base_id(&key) == EVP_PKEY_RSA) {
    return JwsAlgorithm::kRs256;
  }
  std::string curve = ecCurveName(key);
  for (const AlgInfo& info : kAlgs) {
    if (info.family == AlgInfo::kEc && info.curve == curve) {
      return info.alg;
    }
  }
  return invalidArgument("unsupported JWT signing key: need an EC P-256/P-384/P-521 or RSA key");
}

Status checkKeyForAlgorithm(const EVP_PKEY& key, JwsAlgorithm alg, bool for_signing) {
  const AlgInfo& info = infoOf(alg);
  if (info.family == AlgInfo::kEc) {
    if (ecCurveName(key) != info.curve) {
      return invalidArgument("algorithm " + std::string(info.name) + " requires an EC " +
                             std::string(info.curve) + " key");
    }
    return Status::ok();
  }
  if (EVP_PKEY_get_base_id(&key) != EVP_PKEY_RSA) {
    return invalidArgument("algorithm " + std::string(info.name) + " requires an RSA key");
  }
  if (for_signing && EVP_PKEY_get_bits(&key) < 2048) {
    return invalidArgument("algorithm " + std::string(info.name) +
                           " requires an RSA key of at least 2048 bits");
  }
  return Status::ok();
}

Result<CompactJws> parseCompactJws(std::string_view token) {
  if (token.empty()) {
    // go-jose's errEmptyInput; SPIRE rejects an empty token before parsing.
    return invalidArgument("go-jose/go-jose: empty input");
  }
  std::size_t first = token.find('.');
  if (first == std::string_view::npos) {
    return invalidArgument(std::string(kThreeParts));
  }
  std::size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return invalidArgument(std::string(kThreeParts));
  }
  CompactJws jws;
  Result<std::string> protected_bytes = goDecodeRawUrl(token.substr(0, first));
  if (!protected_bytes) {
    return protected_bytes.status();
  }
  Result<std::string> payload = goDecodeRawUrl(token.substr(first + 1, second - first - 1));
  if (!payload) {
    return payload.status();
  }
  Result<std::string> signature = goDecodeRawUrl(token.substr(second + 1));
  if (!signature) {
    return signature.status();
  }
  jws.protected_bytes = std::move(protected_bytes).value();
  jws.payload = std::move(payload).value();
  jws.signature = std::move(signature).value();

  jws.header = nlohmann::ordered_json::object();
  if (!jws.protected_bytes.empty()) {
    Result<nlohmann::ordered_json> header = parseJsonText(jws.protected_bytes);
    if (!header) {
      return header.status();
    }
    if (header->is_object()) {
      jws.header = std::move(header).value();
    } else if (!header->is_null()) {
      return invalidArgument(goUnmarshalTypeError(*header, "jose.rawHeader"));
    }
  }
  if (Status st = checkHeaderMembers(jws.header); !st.isOk()) {
    return st;
  }
  std::string alg_name;
  if (auto it = jws.header.find("alg"); it != jws.header.end() && it->is_string()) {
    alg_name = it->get<std::string>();
  }
  std::optional<JwsAlgorithm> alg = parseJwsAlgorithm(alg_name);
  if (!alg) {
    return invalidArgument("unexpected signature algorithm " + goQuote(alg_name) + "; expected " +
                           goQuoteList(allowedJwsAlgorithmNames()));
  }
  jws.alg = *alg;
  if (auto it = jws.header.find("jwk"); it != jws.header.end() && !it->is_null()) {
    // RFC 7515 §4.1.3: only a public key may be embedded (checkHeaderMembers parsed it).
    Result<Jwk> jwk = parseJwk(*it);
    if (!jwk || jwk->has_private_part) {
      return invalidArgument("go-jose/go-jose: invalid embedded jwk, must be public key");
    }
  }
  if (auto it = jws.header.find("kid"); it != jws.header.end() && it->is_string()) {
    jws.kid = it->get<std::string>();
  }
  if (auto it = jws.header.find("typ"); it != jws.header.end() && !it->is_null()) {
    jws.typ = *it;
  }
  return jws;
}

Status verifyCompactJws(const CompactJws& jws, const EVP_PKEY& key) {
  // "crit" may only name extensions go-jose implements, which is "b64" alone.
  bool payload_b64 = true;
  if (auto it = jws.header.find("crit"); it != jws.header.end() && !it->is_null()) {
    if (!it->is_array()) {
      return invalidArgument(goUnmarshalTypeError(*it, "[]string"));
    }
    for (const auto& name : *it) {
      if (!name.is_string()) {
        return invalidArgument(goUnmarshalTypeError(name, "string"));
      }
      if (name.get<std::string>() != "b64") {
        return cryptoFailure();
      }
    }
  }
  if (auto it = jws.header.find("b64"); it != jws.header.end() && it->is_boolean()) {
    payload_b64 = it->get<bool>(); // RFC 7797: the payload is signed as is
  }
  if (!checkKeyForAlgorithm(key, jws.alg, /*for_signing=*/false).isOk()) {
    return cryptoFailure();
  }
  // go-jose rebuilds the signing input from the decoded parts.
  std::string input = base64UrlEncode(jws.protected_bytes) + "." +
                      (payload_b64 ? base64UrlEncode(jws.payload) : jws.payload);
  const AlgInfo& info = infoOf(jws.alg);
  switch (info.family) {
  case AlgInfo::kEc: {
    std::size_t size = ecCoordinateSize(info.curve);
    if (jws.signature.size() != 2 * size) {
      return cryptoFailure(); // go-jose: "invalid signature size", reported as ErrCryptoFailure
    }
    Result<std::string> der = rawToDer(jws.signature);
    if (!der || !crypto::verifyMessage(key, input, *der, info.hash).isOk()) {
      return cryptoFailure();
    }
    return Status::ok();
  }
  case AlgInfo::kRsaPkcs1:
    if (!crypto::verifyMessage(key, input, jws.signature, info.hash, crypto::RsaPadding::kPkcs1v15)
             .isOk()) {
      return cryptoFailure();
    }
    return Status::ok();
  case AlgInfo::kRsaPss:
    return verifyPssAnySalt(key, input, jws.signature, info.hash);
  }
  return cryptoFailure();
}

Result<std::string> signCompactJws(std::string_view header_json, std::string_view payload,
                                   JwsAlgorithm alg, const EVP_PKEY& key) {
  if (Status st = checkKeyForAlgorithm(key, alg, /*for_signing=*/true); !st.isOk()) {
    return st;
  }
  const AlgInfo& info = infoOf(alg);
  std::string input = base64UrlEncode(header_json) + "." + base64UrlEncode(payload);
  crypto::RsaPadding padding =
      info.family == AlgInfo::kRsaPss ? crypto::RsaPadding::kPss : crypto::RsaPadding::kPkcs1v15;
  Result<std::string> signature = crypto::signMessage(key, input, info.hash, padding);
  if (!signature) {
    return signature.status();
  }
  std::string sig = std::move(signature).value();
  if (info.family == AlgInfo::kEc) {
    Result<std::string> raw = derToRaw(sig, ecCoordinateSize(info.curve));
    if (!raw) {
      return raw.status();
    }
    sig = std::move(raw).value();
  }
  return input + "." + base64UrlEncode(sig);
}

} // namespace spire::jwt
