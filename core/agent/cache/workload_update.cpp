#include "agent/cache/workload_update.h"

namespace spire::agent::cache {

bool WorkloadUpdate::sameAs(const WorkloadUpdate& other) const {
  if (bundle != other.bundle || federated_bundles != other.federated_bundles ||
      identities.size() != other.identities.size()) {
    return false;
  }
  for (size_t i = 0; i < identities.size(); ++i) {
    if (identities[i].entry != other.identities[i].entry ||
        identities[i].svid != other.identities[i].svid) {
      return false;
    }
  }
  return true;
}

} // namespace spire::agent::cache
