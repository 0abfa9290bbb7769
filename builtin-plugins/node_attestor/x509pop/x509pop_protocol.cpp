#include "node_attestor/x509pop/x509pop_protocol.h"

#include <nlohmann/json.hpp>
#include <openssl/rsa.h>

#include "shared/crypto_util.h"

namespace spire::builtin::x509pop {

namespace {

using nlohmann::json;

Result<json> parseObject(std::string_view text, const char* what) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return invalidArgument(std::string("failed to unmarshal ") + what + ": not a JSON object");
  }
  return doc;
}

// A base64 byte field; absent or null is empty, as Go decodes it.
bool bytesField(const json& object, const char* key, std::string& out) {
  out.clear();
  if (!object.contains(key) || object[key].is_null()) {
    return true;
  }
  return object[key].is_string() && base64Decode(object[key].get<std::string>(), out);
}

const json* member(const json& object, const char* key) {
  if (!object.contains(key) || object[key].is_null()) {
    return nullptr;
  }
  return &object[key];
}

Result<std::string> combineNonces(const std::string& challenge, const std::string& response) {
  if (challenge.size() != kNonceLen) {
    return invalidArgument("invalid challenge nonce");
  }
  if (response.size() != kNonceLen) {
    return invalidArgument("invalid response nonce");
  }
  return sha256(challenge + response);
}

std::string bnBytes(const BIGNUM* bn) {
  std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

} // namespace

std::string encodeAttestationData(const std::vector<std::string>& certificates_der) {
  json certs = json::array();
  for (const auto& der : certificates_der) {
    certs.push_back(base64Encode(der));
  }
  return json{{"certificates", certs}}.dump();
}

Result<std::vector<std::string>> decodeAttestationData(std::string_view text) {
  auto doc = parseObject(text, "data");
  if (!doc) {
    return doc.status();
  }
  std::vector<std::string> out;
  const json* certs = member(*doc, "certificates");
  if (certs == nullptr) {
    return out;
  }
  if (!certs->is_array()) {
    return invalidArgument("failed to unmarshal data: \"certificates\" is not a list");
  }
  for (const auto& item : *certs) {
    std::string der;
    if (!item.is_string() || !base64Decode(item.get<std::string>(), der)) {
      return invalidArgument("failed to unmarshal data: certificate is not base64");
    }
    out.push_back(std::move(der));
  }
  return out;
}

std::string encodeChallenge(const Challenge& challenge) {
  json body = {{"nonce", base64Encode(challenge.nonce)}};
  bool rsa = challenge.kind == SignatureKind::kRsa;
  return json{{"rsa_signature", rsa ? body : json(nullptr)},
              {"ecdsa_signature", rsa ? json(nullptr) : body}}
      .dump();
}

Result<Challenge> decodeChallenge(std::string_view text) {
  auto doc = parseObject(text, "challenge");
  if (!doc) {
    return doc.status();
  }
  const json* rsa = member(*doc, "rsa_signature");
  const json* ec = member(*doc, "ecdsa_signature");
  if ((rsa == nullptr) == (ec == nullptr)) {
    return invalidArgument("failed to unmarshal challenge: expected exactly one signature kind");
  }
  const json& body = rsa != nullptr ? *rsa : *ec;
  Challenge out;
  out.kind = rsa != nullptr ? SignatureKind::kRsa : SignatureKind::kEcdsa;
  if (!body.is_object() || !bytesField(body, "nonce", out.nonce)) {
    return invalidArgument("failed to unmarshal challenge: malformed nonce");
  }
  return out;
}

std::string encodeResponse(const Response& response) {
  json body = {{"nonce", base64Encode(response.nonce)}};
  if (response.kind == SignatureKind::kRsa) {
    body["signature"] = base64Encode(response.signature);
    return json{{"rsa_signature", body}, {"ecdsa_signature", nullptr}}.dump();
  }
  body["r"] = base64Encode(response.r);
  body["s"] = base64Encode(response.s);
  return json{{"rsa_signature", nullptr}, {"ecdsa_signature", body}}.dump();
}

Result<Response> decodeResponse(std::string_view text) {
  auto doc = parseObject(text, "challenge response");
  if (!doc) {
    return doc.status();
  }
  const json* rsa = member(*doc, "rsa_signature");
  const json* ec = member(*doc, "ecdsa_signature");
  if ((rsa == nullptr) == (ec == nullptr)) {
    return invalidArgument(
        "failed to unmarshal challenge response: expected exactly one signature kind");
  }
  Response out;
  bool ok = false;
  if (rsa != nullptr) {
    out.kind = SignatureKind::kRsa;
    ok = rsa->is_object() && bytesField(*rsa, "nonce", out.nonce) &&
         bytesField(*rsa, "signature", out.signature);
  } else {
    out.kind = SignatureKind::kEcdsa;
    ok = ec->is_object() && bytesField(*ec, "nonce", out.nonce) && bytesField(*ec, "r", out.r) &&
         bytesField(*ec, "s", out.s);
  }
  if (!ok) {
    return invalidArgument("failed to unmarshal challenge response: malformed field");
  }
  return out;
}

Result<Challenge> generateChallenge(X509* leaf) {
  uint32_t usage = X509_get_key_usage(leaf);
  // UINT32_MAX means "no keyUsage extension": Go then sees KeyUsage == 0, which SPIRE refuses.
  if (usage == UINT32_MAX || (usage & KU_DIGITAL_SIGNATURE) == 0) {
    return permissionDenied("certificate not intended for digital signature use");
  }
  EVP_PKEY* key = X509_get0_pubkey(leaf);
  Challenge out;
  if (key != nullptr && EVP_PKEY_is_a(key, "RSA")) {
    out.kind = SignatureKind::kRsa;
  } else if (key != nullptr && EVP_PKEY_is_a(key, "EC")) {
    out.kind = SignatureKind::kEcdsa;
  } else {
    return invalidArgument(std::string("unsupported public key type ") +
                           (key != nullptr ? EVP_PKEY_get0_type_name(key) : "(none)"));
  }
  auto nonce = randomBytes(kNonceLen);
  if (!nonce) {
    return nonce.status();
  }
  out.nonce = std::move(*nonce);
  return out;
}

Result<Response> calculateResponse(EVP_PKEY* private_key, const Challenge& challenge) {
  bool rsa = EVP_PKEY_is_a(private_key, "RSA");
  bool ec = EVP_PKEY_is_a(private_key, "EC");
  if (!rsa && !ec) {
    return invalidArgument(std::string("unsupported private key type ") +
                           EVP_PKEY_get0_type_name(private_key));
  }
  if (rsa && challenge.kind != SignatureKind::kRsa) {
    return invalidArgument("expecting RSA challenge");
  }
  if (ec && challenge.kind != SignatureKind::kEcdsa) {
    return invalidArgument("expecting ECDSA challenge");
  }
  auto nonce = randomBytes(kNonceLen);
  if (!nonce) {
    return nonce.status();
  }
  auto combined = combineNonces(challenge.nonce, *nonce);
  if (!combined) {
    return combined.status();
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, private_key, nullptr));
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1) {
    return internalError("signing failed: " + takeOsslErrors());
  }
  if (rsa) {
    // Go's rsa.SignPSS with nil options: SHA-256, salt as long as the key allows.
    if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), RSA_PSS_SALTLEN_MAX) != 1) {
      return internalError("signing failed: " + takeOsslErrors());
    }
  }
  const auto* in = reinterpret_cast<const unsigned char*>(combined->data());
  size_t len = 0;
  if (EVP_PKEY_sign(ctx.get(), nullptr, &len, in, combined->size()) != 1) {
    return internalError("signing failed: " + takeOsslErrors());
  }
  std::string sig(len, '\0');
  if (EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                    combined->size()) != 1) {
    return internalError("signing failed: " + takeOsslErrors());
  }
  sig.resize(len);

  Response out;
  out.nonce = std::move(*nonce);
  if (rsa) {
    out.kind = SignatureKind::kRsa;
    out.signature = std::move(sig);
    return out;
  }
  out.kind = SignatureKind::kEcdsa;
  const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
  EcdsaSigPtr parsed(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())));
  if (!parsed) {
    return internalError("signing failed: malformed ECDSA signature");
  }
  out.r = bnBytes(ECDSA_SIG_get0_r(parsed.get()));
  out.s = bnBytes(ECDSA_SIG_get0_s(parsed.get()));
  return out;
}

Status verifyChallengeResponse(EVP_PKEY* public_key, const Challenge& challenge,
                               const Response& response) {
  bool rsa = EVP_PKEY_is_a(public_key, "RSA");
  bool ec = EVP_PKEY_is_a(public_key, "EC");
  if (!rsa && !ec) {
    return invalidArgument(std::string("unsupported public key type ") +
                           EVP_PKEY_get0_type_name(public_key));
  }
  if (rsa && challenge.kind != SignatureKind::kRsa) {
    return invalidArgument("expecting RSA challenge");
  }
  if (rsa && response.kind != SignatureKind::kRsa) {
    return invalidArgument("expecting RSA response");
  }
  if (ec && challenge.kind != SignatureKind::kEcdsa) {
    return invalidArgument("expecting ECDSA challenge");
  }
  if (ec && response.kind != SignatureKind::kEcdsa) {
    return invalidArgument("expecting ECDSA response");
  }
  auto combined = combineNonces(challenge.nonce, response.nonce);
  if (!combined) {
    return combined.status();
  }
  std::string sig = response.signature;
  if (ec) {
    EcdsaSigPtr ecsig(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(response.r.data()),
                          static_cast<int>(response.r.size()), nullptr);
    BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(response.s.data()),
                          static_cast<int>(response.s.size()), nullptr);
    if (r == nullptr || s == nullptr || ECDSA_SIG_set0(ecsig.get(), r, s) != 1) {
      BN_free(r);
      BN_free(s);
      return internalError("ECDSA signature verify failed");
    }
    unsigned char* der = nullptr;
    int der_len = i2d_ECDSA_SIG(ecsig.get(), &der);
    if (der_len <= 0) {
      return internalError("ECDSA signature verify failed");
    }
    OsslBytesPtr owner(der);
    sig.assign(reinterpret_cast<const char*>(der), static_cast<size_t>(der_len));
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, public_key, nullptr));
  bool ok = ctx && EVP_PKEY_verify_init(ctx.get()) == 1;
  if (ok && rsa) {
    ok = EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), RSA_PSS_SALTLEN_AUTO) == 1;
  }
  ok = ok && EVP_PKEY_verify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()),
                             sig.size(), reinterpret_cast<const unsigned char*>(combined->data()),
                             combined->size()) == 1;
  takeOsslErrors();
  if (!ok) {
    return permissionDenied(rsa ? "RSA signature verify failed" : "ECDSA signature verify failed");
  }
  return okStatus();
}

std::string fingerprint(X509* cert) {
  return hexEncode(sha1(certificateDer(cert)));
}

} // namespace spire::builtin::x509pop
