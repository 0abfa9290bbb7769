#include "crypto/signer.h"

#include <openssl/rsa.h>

namespace spire::crypto {
namespace {

constexpr std::string_view kVerificationFailed = "signature verification failed";

// A context for a raw (digest) sign or verify with the hash and RSA padding set.
Result<EvpPkeyCtxPtr> makeContext(const EVP_PKEY& key, HashAlgorithm hash, RsaPadding padding,
                                  bool for_signing) {
  // OpenSSL takes a non-const key but only reads it (the context holds a reference).
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, const_cast<EVP_PKEY*>(&key), nullptr));
  if (!ctx) {
    return internalError("cannot create key context: " + takeOpenSslErrors());
  }
  int rc = for_signing ? EVP_PKEY_sign_init(ctx.get()) : EVP_PKEY_verify_init(ctx.get());
  if (rc != 1) {
    return invalidArgument("key cannot " + std::string(for_signing ? "sign" : "verify") + ": " +
                           takeOpenSslErrors());
  }
  if (EVP_PKEY_CTX_set_signature_md(ctx.get(), evpMd(hash)) != 1) {
    return invalidArgument("cannot use " + std::string(hashAlgorithmName(hash)) +
                           " with this key: " + takeOpenSslErrors());
  }
  if (EVP_PKEY_get_base_id(&key) == EVP_PKEY_RSA) {
    bool pss = padding == RsaPadding::kPss;
    if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) !=
        1) {
      return internalError("cannot set RSA padding: " + takeOpenSslErrors());
    }
    if (pss && (EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), RSA_PSS_SALTLEN_DIGEST) != 1 ||
                EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), evpMd(hash)) != 1)) {
      return internalError("cannot set RSA-PSS parameters: " + takeOpenSslErrors());
    }
  }
  return ctx;
}

Status checkDigestSize(std::string_view digest, HashAlgorithm hash) {
  if (digest.size() != digestSize(hash)) {
    return invalidArgument("digest is " + std::to_string(digest.size()) + " bytes, " +
                           std::string(hashAlgorithmName(hash)) + " needs " +
                           std::to_string(digestSize(hash)));
  }
  return Status::ok();
}

} // namespace

Result<std::string> signDigest(const EVP_PKEY& private_key, std::string_view digest,
                               HashAlgorithm hash, RsaPadding padding) {
  if (Status st = checkDigestSize(digest, hash); !st.isOk()) {
    return st;
  }
  Result<EvpPkeyCtxPtr> ctx = makeContext(private_key, hash, padding, true);
  if (!ctx) {
    return ctx.status();
  }
  const auto* tbs = reinterpret_cast<const unsigned char*>(digest.data());
  size_t len = 0;
  if (EVP_PKEY_sign(ctx->get(), nullptr, &len, tbs, digest.size()) != 1) {
    return internalError("cannot sign: " + takeOpenSslErrors());
  }
  std::string sig(len, '\0');
  if (EVP_PKEY_sign(ctx->get(), reinterpret_cast<unsigned char*>(sig.data()), &len, tbs,
                    digest.size()) != 1) {
    return internalError("cannot sign: " + takeOpenSslErrors());
  }
  sig.resize(len); // ECDSA DER signatures vary in length below the first call's bound
  return sig;
}

Result<std::string> signMessage(const EVP_PKEY& private_key, std::string_view message,
                                HashAlgorithm hash, RsaPadding padding) {
  return signDigest(private_key, crypto::digest(hash, message), hash, padding);
}

Status verifyDigest(const EVP_PKEY& key, std::string_view digest, std::string_view signature,
                    HashAlgorithm hash, RsaPadding padding) {
  if (Status st = checkDigestSize(digest, hash); !st.isOk()) {
    return st;
  }
  Result<EvpPkeyCtxPtr> ctx = makeContext(key, hash, padding, false);
  if (!ctx) {
    return ctx.status();
  }
  int rc = EVP_PKEY_verify(ctx->get(), reinterpret_cast<const unsigned char*>(signature.data()),
                           signature.size(), reinterpret_cast<const unsigned char*>(digest.data()),
                           digest.size());
  // Malformed signatures leave errors in the queue; they mean the same as a mismatch here.
  takeOpenSslErrors();
  if (rc != 1) {
    return invalidArgument(std::string(kVerificationFailed));
  }
  return Status::ok();
}

Status verifyMessage(const EVP_PKEY& key, std::string_view message, std::string_view signature,
                     HashAlgorithm hash, RsaPadding padding) {
  return verifyDigest(key, crypto::digest(hash, message), signature, hash, padding);
}

} // namespace spire::crypto
