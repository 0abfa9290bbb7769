#include "server/registration/sync_pager.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "registration_test_util.h"

namespace spire::server::registration {
namespace {

std::string idOf(int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "entry-%06d", i);
  return buf;
}

// n entries with IDs entry-000000.., handed over in reverse order to check the sort.
std::vector<EntryPtr> makeEntries(int n) {
  std::vector<EntryPtr> out;
  for (int i = n - 1; i >= 0; --i) {
    Entry e = testing::makeEntry(idOf(i), "spiffe://example.org/spire/agent/a",
                                 "spiffe://example.org/w/" + std::to_string(i));
    e.revision_number = i % 7;
    e.created_at = 1700000000 + i;
    out.push_back(std::make_shared<const Entry>(std::move(e)));
  }
  return out;
}

std::size_t totalEntries(const std::vector<SyncPage>& pages) {
  std::size_t n = 0;
  for (const auto& p : pages) {
    n += p.entries.size();
  }
  return n;
}

TEST(SyncPagerTest, InitialRequestMustNotCarryIds) {
  EXPECT_TRUE(SyncPager::checkInitialRequest({}).isOk());
  const Status s = SyncPager::checkInitialRequest({"x"});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "specifying IDs on initial request is not supported");
}

TEST(SyncPagerTest, NoEntriesGivesOneEmptyResponse) {
  SyncPager pager({});
  EXPECT_FALSE(pager.sendsRevisions());
  const auto pages = pager.initialPages();
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_TRUE(pages[0].entries.empty());
  EXPECT_TRUE(pages[0].entry_revisions.empty());
  EXPECT_FALSE(pages[0].more);
}

TEST(SyncPagerTest, UpToPageSizeSendsFullEntriesInOneResponse) {
  for (int n : {1, 499, 500}) {
    SyncPager pager(makeEntries(n));
    EXPECT_FALSE(pager.sendsRevisions()) << n;
    const auto pages = pager.initialPages();
    ASSERT_EQ(pages.size(), 1u) << n;
    EXPECT_EQ(pages[0].entries.size(), static_cast<std::size_t>(n));
    EXPECT_TRUE(pages[0].entry_revisions.empty());
    EXPECT_FALSE(pages[0].more);
    EXPECT_EQ(pages[0].entries.front()->entry_id, idOf(0)); // sorted by ID
  }
}

TEST(SyncPagerTest, AbovePageSizeSendsRevisionPages) {
  SyncPager pager(makeEntries(501));
  EXPECT_TRUE(pager.sendsRevisions());
  const auto pages = pager.initialPages();
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_EQ(pages[0].entry_revisions.size(), 500u);
  EXPECT_TRUE(pages[0].more);
  EXPECT_TRUE(pages[0].entries.empty());
  EXPECT_EQ(pages[1].entry_revisions.size(), 1u);
  EXPECT_FALSE(pages[1].more);
  EXPECT_EQ(pages[0].entry_revisions[0], (EntryRevision{idOf(0), 0, 1700000000}));
  EXPECT_EQ(pages[0].entry_revisions[499], (EntryRevision{idOf(499), 499 % 7, 1700000499}));
  EXPECT_EQ(pages[1].entry_revisions[0], (EntryRevision{idOf(500), 500 % 7, 1700000500}));
}

TEST(SyncPagerTest, ExactMultipleOfPageSize) {
  SyncPager pager(makeEntries(1000));
  const auto pages = pager.initialPages();
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_TRUE(pages[0].more);
  EXPECT_FALSE(pages[1].more);
  EXPECT_EQ(pages[1].entry_revisions.size(), 500u);
  EXPECT_EQ(SyncPager(makeEntries(1001)).initialPages().size(), 3u);
}

TEST(SyncPagerTest, FollowUpReturnsRequestedEntriesIgnoringUnknownIds) {
  SyncPager pager(makeEntries(600));
  const auto pages = pager.pagesForIds({idOf(599), "unknown", idOf(3), "", idOf(3)});
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_FALSE(pages[0].more);
  EXPECT_TRUE(pages[0].entry_revisions.empty());
  ASSERT_EQ(pages[0].entries.size(), 3u); // request order, duplicate answered as SPIRE does
  EXPECT_EQ(pages[0].entries[0]->entry_id, idOf(599));
  EXPECT_EQ(pages[0].entries[1]->entry_id, idOf(3));
  EXPECT_EQ(pages[0].entries[2]->entry_id, idOf(3));
}

TEST(SyncPagerTest, FollowUpWithOnlyUnknownIdsGetsOneEmptyResponse) {
  SyncPager pager(makeEntries(600));
  const auto pages = pager.pagesForIds({"nope", "nada"});
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_TRUE(pages[0].entries.empty());
  EXPECT_FALSE(pages[0].more);
}

TEST(SyncPagerTest, FollowUpIsPaged) {
  SyncPager pager(makeEntries(1200));
  std::vector<std::string> all;
  for (int i = 0; i < 1001; ++i) {
    all.push_back(idOf(i));
  }
  const auto pages = pager.pagesForIds(all);
  ASSERT_EQ(pages.size(), 3u);
  EXPECT_EQ(pages[0].entries.size(), 500u);
  EXPECT_EQ(pages[1].entries.size(), 500u);
  EXPECT_EQ(pages[2].entries.size(), 1u);
  EXPECT_TRUE(pages[0].more);
  EXPECT_TRUE(pages[1].more);
  EXPECT_FALSE(pages[2].more);
  EXPECT_EQ(totalEntries(pages), 1001u);
}

TEST(SyncPagerTest, CustomAndZeroPageSize) {
  SyncPager small(makeEntries(5), 2);
  EXPECT_EQ(small.pageSize(), 2u);
  const auto pages = small.initialPages();
  ASSERT_EQ(pages.size(), 3u);
  EXPECT_EQ(pages[2].entry_revisions.size(), 1u);
  EXPECT_EQ(SyncPager(makeEntries(1), 0).pageSize(), kDefaultEntryPageSize);
}

} // namespace
} // namespace spire::server::registration
