#include "crypto/openssl_ptr.h"

#include <openssl/err.h>

namespace spire::crypto {

std::string takeOpenSslErrors() {
  std::string out;
  char buf[256];
  while (unsigned long code = ERR_get_error()) {
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!out.empty()) {
      out += "; ";
    }
    out += buf;
  }
  return out;
}

} // namespace spire::crypto
