#include "crypto/digest.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/encoding.h"
#include "crypto/openssl_ptr.h"

namespace spire::crypto {

const EVP_MD* evpMd(HashAlgorithm hash) {
  switch (hash) {
  case HashAlgorithm::kSha256:
    return EVP_sha256();
  case HashAlgorithm::kSha384:
    return EVP_sha384();
  case HashAlgorithm::kSha512:
    return EVP_sha512();
  }
  return EVP_sha256();
}

namespace {

std::string errnoText(int err) {
  return std::strerror(err);
}

} // namespace

std::string_view hashAlgorithmName(HashAlgorithm hash) {
  switch (hash) {
  case HashAlgorithm::kSha256:
    return "SHA256";
  case HashAlgorithm::kSha384:
    return "SHA384";
  case HashAlgorithm::kSha512:
    return "SHA512";
  }
  return "unknown";
}

std::size_t digestSize(HashAlgorithm hash) {
  return static_cast<std::size_t>(EVP_MD_get_size(evpMd(hash)));
}

std::string digest(HashAlgorithm hash, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest only fails on allocation failure; treat that as impossible, like operator new.
  if (EVP_Digest(data.data(), data.size(), out, &len, evpMd(hash), nullptr) != 1) {
    std::abort();
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string sha256(std::string_view data) {
  return digest(HashAlgorithm::kSha256, data);
}
std::string sha384(std::string_view data) {
  return digest(HashAlgorithm::kSha384, data);
}
std::string sha512(std::string_view data) {
  return digest(HashAlgorithm::kSha512, data);
}
std::string sha256Hex(std::string_view data) {
  return hexEncode(sha256(data));
}

Result<std::string> sha256File(int fd) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return internalError("cannot initialise SHA-256: " + takeOpenSslErrors());
  }
  char buf[64 * 1024];
  off_t offset = 0;
  while (true) {
    ssize_t n = ::pread(fd, buf, sizeof(buf), offset);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return Status(StatusCode::kInternal, "cannot read file: " + errnoText(errno));
    }
    if (n == 0) {
      break;
    }
    EVP_DigestUpdate(ctx.get(), buf, static_cast<std::size_t>(n));
    offset += n;
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), out, &len) != 1) {
    return internalError("cannot finish SHA-256: " + takeOpenSslErrors());
  }
  return hexEncode(std::string_view(reinterpret_cast<const char*>(out), len));
}

Result<std::string> sha256FilePath(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    StatusCode code = err == ENOENT ? StatusCode::kNotFound : StatusCode::kInternal;
    return Status(code, "cannot open \"" + path + "\": " + errnoText(err));
  }
  Result<std::string> result = sha256File(fd);
  ::close(fd);
  return result;
}

} // namespace spire::crypto
