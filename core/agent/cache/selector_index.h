#pragma once

// An index answering "which entries have all their selectors among the workload's" without
// scanning every entry. Each entry is filed under one "anchor" selector - the one fewest entries
// carried when it was added - and a match visits only the entries anchored at the workload's
// own selectors, checking each for the subset rule. Typical selector sets mix a broad selector
// (k8s:ns:prod, shared by thousands) with a narrow one (k8s:sa:web), so a match touches a
// handful of entries; the worst case (every entry anchored at one selector) stays correct and
// degrades to a scan of those entries. Not synchronised: WorkloadCache guards it.

#include <cstddef>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "agent/cache/entry.h"

namespace spire::agent::cache {

struct SelectorHash {
  size_t operator()(const Selector& selector) const;
};

class SelectorIndex {
public:
  // `selectors` must be normalised (normalizeSelectors). Adding an ID again replaces it. An
  // entry with no selectors is never matched, as in SPIRE whose index is keyed by selector.
  void add(const std::string& entry_id, std::vector<Selector> selectors);
  void remove(const std::string& entry_id);

  // Entry IDs whose selectors are a subset of `workload` (normalised), sorted by entry ID.
  std::vector<std::string> match(const std::vector<Selector>& workload) const;

  size_t entryCount() const { return entries_.size(); }

private:
  struct Indexed {
    Selector anchor;
    std::vector<Selector> selectors;
  };

  std::unordered_map<std::string, Indexed> entries_;
  std::unordered_map<Selector, std::unordered_set<std::string>, SelectorHash> anchored_;
  // How many entries carry each selector (anchored there or not), to pick rare anchors.
  std::unordered_map<Selector, size_t, SelectorHash> frequency_;
};

} // namespace spire::agent::cache
