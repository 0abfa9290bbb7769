#include "server/ca/ca_store.h"

#include <algorithm>

#include "plugin_host/datastore.h"

namespace spire::server::ca {

Result<std::vector<plugin_host::CaJournal>> DataStoreCaStore::journals() const {
  Result<std::vector<plugin_host::CaJournal>> all = plugin_.listCaJournals();
  if (!all) {
    return all.status();
  }
  std::sort(
      all->begin(), all->end(),
      [](const plugin_host::CaJournal& a, const plugin_host::CaJournal& b) { return a.id > b.id; });
  return std::move(*all);
}

Result<plugin_host::CaJournal>
DataStoreCaStore::setJournal(const plugin_host::CaJournal& journal) const {
  return plugin_.setCaJournal(journal);
}

Result<plugin_host::Bundle>
DataStoreCaStore::appendBundle(const plugin_host::Bundle& bundle) const {
  return plugin_.appendBundle(bundle);
}

Result<std::optional<plugin_host::Bundle>>
DataStoreCaStore::fetchBundle(const std::string& trust_domain) const {
  return plugin_.fetchBundle(trust_domain);
}

Result<bool> DataStoreCaStore::pruneBundle(const std::string& trust_domain,
                                           std::int64_t expires_before) const {
  return plugin_.pruneBundle(trust_domain, expires_before);
}

} // namespace spire::server::ca
