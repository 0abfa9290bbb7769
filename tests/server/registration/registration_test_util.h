#pragma once

// Builders shared by the registration tests.

#include <string>
#include <vector>

#include "plugin_host/datastore_results.h"

namespace spire::server::registration::testing {

inline plugin_host::Entry makeEntry(std::string id, std::string parent, std::string spiffe_id,
                                    std::vector<plugin_host::Selector> selectors = {
                                        {"unix", "uid:1000"}}) {
  plugin_host::Entry e;
  e.entry_id = std::move(id);
  e.parent_id = std::move(parent);
  e.spiffe_id = std::move(spiffe_id);
  e.selectors = std::move(selectors);
  return e;
}

} // namespace spire::server::registration::testing
