#include "agent/cache/selector_index.h"

#include <algorithm>
#include <functional>

namespace spire::agent::cache {

std::vector<Selector> normalizeSelectors(std::vector<Selector> selectors) {
  std::sort(selectors.begin(), selectors.end());
  selectors.erase(std::unique(selectors.begin(), selectors.end()), selectors.end());
  return selectors;
}

size_t SelectorHash::operator()(const Selector& selector) const {
  const size_t h1 = std::hash<std::string>{}(selector.type);
  const size_t h2 = std::hash<std::string>{}(selector.value);
  return h1 ^ (h2 + 0x9e3779b97f4a7c15ULL + (h1 << 6) + (h1 >> 2));
}

void SelectorIndex::add(const std::string& entry_id, std::vector<Selector> selectors) {
  remove(entry_id);
  if (selectors.empty()) {
    return;
  }
  const Selector* anchor = &selectors.front();
  size_t anchor_frequency = SIZE_MAX;
  for (const Selector& selector : selectors) {
    auto it = frequency_.find(selector);
    const size_t frequency = it == frequency_.end() ? 0 : it->second;
    if (frequency < anchor_frequency) {
      anchor = &selector;
      anchor_frequency = frequency;
    }
  }
  for (const Selector& selector : selectors) {
    ++frequency_[selector];
  }
  anchored_[*anchor].insert(entry_id);
  Selector anchor_copy = *anchor;
  entries_.insert_or_assign(entry_id, Indexed{std::move(anchor_copy), std::move(selectors)});
}

void SelectorIndex::remove(const std::string& entry_id) {
  auto it = entries_.find(entry_id);
  if (it == entries_.end()) {
    return;
  }
  const Indexed& indexed = it->second;
  auto anchored = anchored_.find(indexed.anchor);
  anchored->second.erase(entry_id);
  if (anchored->second.empty()) {
    anchored_.erase(anchored);
  }
  for (const Selector& selector : indexed.selectors) {
    auto frequency = frequency_.find(selector);
    if (--frequency->second == 0) {
      frequency_.erase(frequency);
    }
  }
  entries_.erase(it);
}

std::vector<std::string> SelectorIndex::match(const std::vector<Selector>& workload) const {
  std::vector<std::string> out;
  for (const Selector& selector : workload) {
    auto anchored = anchored_.find(selector);
    if (anchored == anchored_.end()) {
      continue;
    }
    // Every entry is anchored once, so no entry is visited twice.
    for (const std::string& entry_id : anchored->second) {
      const std::vector<Selector>& selectors = entries_.at(entry_id).selectors;
      const bool subset =
          std::includes(workload.begin(), workload.end(), selectors.begin(), selectors.end());
      if (subset) {
        out.push_back(entry_id);
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace spire::agent::cache
