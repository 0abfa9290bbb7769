#pragma once

// Message digests. Raw digests are returned as byte strings (std::string holding binary);
// the *Hex and file variants return lower-case hex, the form plugin checksums are written in.

#include <cstddef>
#include <string>
#include <string_view>

#include <openssl/evp.h>

#include "common/status.h"

namespace spire::crypto {

enum class HashAlgorithm { kSha256, kSha384, kSha512 };

// "SHA256", "SHA384", "SHA512" (for messages and logs).
std::string_view hashAlgorithmName(HashAlgorithm hash);
// 32, 48, 64.
std::size_t digestSize(HashAlgorithm hash);
// The OpenSSL digest (static, never freed).
const EVP_MD* evpMd(HashAlgorithm hash);

// Raw digest bytes.
std::string digest(HashAlgorithm hash, std::string_view data);
std::string sha256(std::string_view data);
std::string sha384(std::string_view data);
std::string sha512(std::string_view data);

// Lower-case hex of the SHA-256 digest.
std::string sha256Hex(std::string_view data);

// Lower-case hex SHA-256 of a whole open file. Reads with pread from offset 0, so the
// descriptor's position is left untouched and the same descriptor can then be loaded (no swap
// between hashing and loading). Errors carry errno's text.
Result<std::string> sha256File(int fd);
// Same, opening the path read-only; NotFound when it does not exist.
Result<std::string> sha256FilePath(const std::string& path);

} // namespace spire::crypto
