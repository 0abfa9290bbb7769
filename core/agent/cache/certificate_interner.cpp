#include "agent/cache/certificate_interner.h"

#include "crypto/certificate.h"

namespace spire::agent::cache {

void CertificateInterner::internChain(std::vector<crypto::X509Shared>& chain) {
  for (size_t i = 1; i < chain.size(); ++i) {
    std::string der = crypto::certificateToDer(*chain[i]);
    std::weak_ptr<X509>& slot = by_der_[std::move(der)];
    if (crypto::X509Shared shared = slot.lock()) {
      chain[i] = std::move(shared);
    } else {
      slot = chain[i];
    }
  }
}

void CertificateInterner::purge() {
  std::erase_if(by_der_, [](const auto& item) { return item.second.expired(); });
}

} // namespace spire::agent::cache
