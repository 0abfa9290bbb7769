#pragma once

// Shares equal CA certificates between cached SVID chains. Every SVID the server signs carries
// the same intermediates, and each parsed X509 costs several KiB, so without sharing a full
// cache holds 1,000 copies of one intermediate. Holds weak references only: a certificate lives
// as long as some chain uses it. Not synchronised: WorkloadCache guards it with its mutex.

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "crypto/openssl_ptr.h"

namespace spire::agent::cache {

class CertificateInterner {
public:
  // Replaces every certificate after the leaf with the shared copy of a DER-equal certificate
  // seen before, or remembers it as the shared copy. The leaf is unique per SVID and left alone.
  void internChain(std::vector<crypto::X509Shared>& chain);
  // Forgets certificates no chain uses any more.
  void purge();
  size_t size() const { return by_der_.size(); }

private:
  std::unordered_map<std::string, std::weak_ptr<X509>> by_der_;
};

} // namespace spire::agent::cache
