#pragma once

// Asymmetric keys: the four key types SPIRE uses, generation, and the two encodings SPIFFE
// carries on the wire (PKCS#8 for private keys, PKIX SubjectPublicKeyInfo for public keys).

#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/openssl_ptr.h"

namespace spire::crypto {

// SPIRE's key types (server `ca_key_type`, agent `workload_x509_svid_key_type`, KeyManager).
enum class KeyType { kEcP256, kEcP384, kRsa2048, kRsa4096 };

// "ec-p256", "ec-p384", "rsa-2048", "rsa-4096" (SPIRE's config names, exact, case-sensitive).
Result<KeyType> parseKeyType(std::string_view name);
std::string_view keyTypeName(KeyType type);

// A fresh key pair from the default OpenSSL random source.
Result<EvpPkeyPtr> generateKey(KeyType type);

// The KeyType of a key; InvalidArgument for anything else (other curves, other RSA sizes,
// Ed25519...).
Result<KeyType> keyTypeOf(const EVP_PKEY& key);

// True when both keys have the same public part (type and parameters included). Works for a
// private key against a public one, which is how an SVID's key is matched to its leaf.
bool publicKeysEqual(const EVP_PKEY& a, const EVP_PKEY& b);

// Parse error texts (code InvalidArgument).
inline constexpr std::string_view kMalformedPrivateKey = "malformed PKCS#8 private key";
inline constexpr std::string_view kMalformedPublicKey = "malformed PKIX public key";
inline constexpr std::string_view kTrailingKeyData = "trailing data after key";

// PKCS#8 PrivateKeyInfo, DER. Only PKCS#8 is accepted: PKCS#1 ("RSA PRIVATE KEY") and SEC1
// ("EC PRIVATE KEY") encodings are refused, as Go's x509.ParsePKCS8PrivateKey refuses them.
// Trailing bytes after the structure are an error.
Result<EvpPkeyPtr> parsePkcs8PrivateKeyDer(std::string_view der);
// The first "PRIVATE KEY" PEM block; other block types are skipped. Errors: "no PEM blocks
// found" when the text holds no PEM block at all, "no PRIVATE KEY PEM block found" when it holds
// only other types.
Result<EvpPkeyPtr> parsePkcs8PrivateKeyPem(std::string_view pem);
Result<std::string> marshalPkcs8PrivateKeyDer(const EVP_PKEY& key);
Result<std::string> marshalPkcs8PrivateKeyPem(const EVP_PKEY& key);

// PKIX SubjectPublicKeyInfo, DER (JWKS-adjacent APIs, KeyManager `pkix_data`).
Result<EvpPkeyPtr> parsePublicKeyDer(std::string_view der);
// The first "PUBLIC KEY" PEM block; errors as parsePkcs8PrivateKeyPem with "PUBLIC KEY".
Result<EvpPkeyPtr> parsePublicKeyPem(std::string_view pem);
// Also accepts a private key, whose public half is written.
Result<std::string> marshalPublicKeyDer(const EVP_PKEY& key);
Result<std::string> marshalPublicKeyPem(const EVP_PKEY& key);

// Lower-case hex SHA-256 of the PKIX DER public key: SPIRE KeyManager's PublicKey.fingerprint.
Result<std::string> publicKeyFingerprint(const EVP_PKEY& key);

} // namespace spire::crypto
