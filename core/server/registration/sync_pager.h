#pragma once

// SPIRE's SyncAuthorizedEntries paging (pkg/server/api/entry/v1/service.go), as plain logic the
// gRPC handler drives, so that no message grows with the entry count:
//   - the first request carries no IDs (else InvalidArgument "specifying IDs on initial request is
//     not supported");
//   - if the agent is authorized for at most page_size entries, they are sent in full, in one
//     response with more = false;
//   - otherwise revisions {id, revision_number, created_at} are sent, sorted by entry ID, page_size
//     per response, more = true on all but the last; the agent then asks for the IDs it lacks and
//     gets those entries in full, page_size per response, more = true on all but the last. Unknown
//     IDs are skipped; a request that matches nothing gets one empty response (more = false), so
//     the agent never waits for a reply that will not come.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/registration/authorized_entries_index.h"

namespace spire::server::registration {

inline constexpr std::size_t kDefaultEntryPageSize = 500; // SPIRE defaultEntryPageSize

struct EntryRevision {
  std::string id;
  std::int64_t revision_number = 0;
  std::int64_t created_at = 0;
  bool operator==(const EntryRevision&) const = default;
};

// One SyncAuthorizedEntriesResponse: either entries or entry_revisions is filled, never both.
struct SyncPage {
  std::vector<EntryPtr> entries;
  std::vector<EntryRevision> entry_revisions;
  bool more = false;
};

// One agent's sync stream. THREADS: one stream, one thread; not shared.
class SyncPager {
public:
  // `entries` are the agent's authorized entries (AuthorizedEntriesIndex::authorizedEntries). A
  // page_size of 0 means kDefaultEntryPageSize.
  explicit SyncPager(std::vector<EntryPtr> entries, std::size_t page_size = kDefaultEntryPageSize);

  // Checks the first request's IDs (they must be empty).
  static Status checkInitialRequest(const std::vector<std::string>& ids);

  // The responses to the first request.
  std::vector<SyncPage> initialPages() const;
  // True when initialPages() sent revisions, so follow-up requests for IDs are expected.
  bool sendsRevisions() const { return entries_.size() > page_size_; }
  // The responses to a follow-up request for `ids`: the matching entries in request order
  // (duplicates are answered as asked, as SPIRE does).
  std::vector<SyncPage> pagesForIds(const std::vector<std::string>& ids) const;

  std::size_t pageSize() const { return page_size_; }

private:
  std::vector<SyncPage> entryPages(const std::vector<EntryPtr>& entries) const;

  std::vector<EntryPtr> entries_; // sorted by entry ID
  std::size_t page_size_;
};

} // namespace spire::server::registration
