#pragma once

// What the CA manager needs from the DataStore: its journal row and the local trust bundle.
// DataStoreCaStore forwards to the DataStore plugin; tests may supply their own.

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "plugin_host/datastore_results.h"

namespace spire::plugin_host {
class DataStorePlugin;
}

namespace spire::server::ca {

// THREADS: called from the CA manager's rotation path only (never on the issuance hot path).
class CaStore {
public:
  virtual ~CaStore() = default;
  // Every journal row, newest (highest id) first. Several servers sharing one database (HA)
  // each keep their own row; the CA manager picks the one whose CA keys its KeyManager holds.
  virtual Result<std::vector<plugin_host::CaJournal>> journals() const = 0;
  // Creates (id 0) or updates the row; returns it with its id.
  virtual Result<plugin_host::CaJournal>
  setJournal(const plugin_host::CaJournal& journal) const = 0;
  // DataStore AppendBundle / FetchBundle / PruneBundle semantics.
  virtual Result<plugin_host::Bundle> appendBundle(const plugin_host::Bundle& bundle) const = 0;
  virtual Result<std::optional<plugin_host::Bundle>>
  fetchBundle(const std::string& trust_domain) const = 0;
  virtual Result<bool> pruneBundle(const std::string& trust_domain,
                                   std::int64_t expires_before) const = 0;
};

// LIFETIME: `plugin` must outlive this object.
class DataStoreCaStore final : public CaStore {
public:
  explicit DataStoreCaStore(const plugin_host::DataStorePlugin& plugin) : plugin_(plugin) {}

  Result<std::vector<plugin_host::CaJournal>> journals() const override;
  Result<plugin_host::CaJournal> setJournal(const plugin_host::CaJournal& journal) const override;
  Result<plugin_host::Bundle> appendBundle(const plugin_host::Bundle& bundle) const override;
  Result<std::optional<plugin_host::Bundle>>
  fetchBundle(const std::string& trust_domain) const override;
  Result<bool> pruneBundle(const std::string& trust_domain,
                           std::int64_t expires_before) const override;

private:
  const plugin_host::DataStorePlugin& plugin_;
};

} // namespace spire::server::ca
