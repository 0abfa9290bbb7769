#pragma once

// Signing and verification with the key types of key.h: ECDSA (ASN.1 DER signatures, as Go's
// crypto.Signer and X.509 use) and RSA with PKCS#1 v1.5 or PSS. PSS uses MGF1 with the same hash
// and a salt as long as the hash (Go's rsa.PSSSaltLengthEqualsHash, RFC 7518 PS256/384/512).

#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/digest.h"
#include "crypto/openssl_ptr.h"

namespace spire::crypto {

enum class RsaPadding { kPkcs1v15, kPss };

// Hashes the message with `hash`, then signs. `padding` is ignored for EC keys.
Result<std::string> signMessage(const EVP_PKEY& private_key, std::string_view message,
                                HashAlgorithm hash, RsaPadding padding = RsaPadding::kPkcs1v15);
// Signs a precomputed digest (KeyManager SignData); its size must be digestSize(hash), otherwise
// InvalidArgument.
Result<std::string> signDigest(const EVP_PKEY& private_key, std::string_view digest,
                               HashAlgorithm hash, RsaPadding padding = RsaPadding::kPkcs1v15);

// OK when the signature is valid; InvalidArgument "signature verification failed" when not.
// `key` may be a public or a private key.
Status verifyMessage(const EVP_PKEY& key, std::string_view message, std::string_view signature,
                     HashAlgorithm hash, RsaPadding padding = RsaPadding::kPkcs1v15);
Status verifyDigest(const EVP_PKEY& key, std::string_view digest, std::string_view signature,
                    HashAlgorithm hash, RsaPadding padding = RsaPadding::kPkcs1v15);

} // namespace spire::crypto
