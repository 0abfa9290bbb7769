#include "server/registration/sync_pager.h"

#include <algorithm>

namespace spire::server::registration {

SyncPager::SyncPager(std::vector<EntryPtr> entries, std::size_t page_size)
    : entries_(std::move(entries)), page_size_(page_size == 0 ? kDefaultEntryPageSize : page_size) {
  // Sorted by ID so follow-up requests are answered by binary search, as SPIRE does.
  std::sort(entries_.begin(), entries_.end(),
            [](const EntryPtr& a, const EntryPtr& b) { return a->entry_id < b->entry_id; });
}

Status SyncPager::checkInitialRequest(const std::vector<std::string>& ids) {
  if (!ids.empty()) {
    return invalidArgument("specifying IDs on initial request is not supported");
  }
  return {};
}

std::vector<SyncPage> SyncPager::entryPages(const std::vector<EntryPtr>& entries) const {
  std::vector<SyncPage> pages;
  if (entries.empty()) {
    pages.emplace_back();
    return pages;
  }
  for (std::size_t i = 0; i < entries.size(); i += page_size_) {
    const std::size_t j = std::min(i + page_size_, entries.size());
    SyncPage page;
    page.entries.assign(entries.begin() + static_cast<std::ptrdiff_t>(i),
                        entries.begin() + static_cast<std::ptrdiff_t>(j));
    page.more = j < entries.size();
    pages.push_back(std::move(page));
  }
  return pages;
}

std::vector<SyncPage> SyncPager::initialPages() const {
  if (!sendsRevisions()) {
    return entryPages(entries_);
  }
  std::vector<SyncPage> pages;
  for (std::size_t i = 0; i < entries_.size(); i += page_size_) {
    const std::size_t j = std::min(i + page_size_, entries_.size());
    SyncPage page;
    page.entry_revisions.reserve(j - i);
    for (std::size_t k = i; k < j; ++k) {
      const Entry& e = *entries_[k];
      page.entry_revisions.push_back({e.entry_id, e.revision_number, e.created_at});
    }
    page.more = j < entries_.size();
    pages.push_back(std::move(page));
  }
  return pages;
}

std::vector<SyncPage> SyncPager::pagesForIds(const std::vector<std::string>& ids) const {
  std::vector<EntryPtr> found;
  found.reserve(std::min(ids.size(), entries_.size()));
  for (const std::string& id : ids) {
    auto it =
        std::lower_bound(entries_.begin(), entries_.end(), id,
                         [](const EntryPtr& e, const std::string& v) { return e->entry_id < v; });
    if (it != entries_.end() && (*it)->entry_id == id) {
      found.push_back(*it);
    }
  }
  return entryPages(found);
}

} // namespace spire::server::registration
