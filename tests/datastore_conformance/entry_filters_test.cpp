// Entry list filters (parent, SPIFFE ID, hint, downstream, selectors and federates_with with
// each match behaviour), counts and pagination.

#include <set>

#include "datastore_conformance/datastore_fixture.h"

namespace spire::datastore_conformance {
namespace {

using plugin_host::EntryFilter;
using plugin_host::Pagination;

class EntryFilterTest : public DataStoreTest {
protected:
  void SetUp() override {
    DataStoreTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) {
      return;
    }
    ASSERT_TRUE(ds().createBundle(makeBundle("x.org")).isOk());
    ASSERT_TRUE(ds().createBundle(makeBundle("y.org")).isOk());
    add("e1", "/w1", "/a1", {{"t", "a"}, {"t", "b"}}, {"x.org"}, false, "h1");
    add("e2", "/w2", "/a1", {{"t", "a"}}, {"x.org", "y.org"}, true, "");
    add("e3", "/w1", "/a2", {{"t", "a"}, {"t", "b"}, {"t", "c"}}, {}, false, "h1");
    add("e4", "/w3", "/a2", {{"t", "c"}}, {"y.org"}, false, "");
  }

  void add(const std::string& id, const std::string& spiffe, const std::string& parent,
           std::vector<Selector> selectors, std::vector<std::string> federates, bool downstream,
           const std::string& hint) {
    Entry e = makeEntry(spiffe, parent, std::move(selectors));
    e.entry_id = id;
    e.federates_with = std::move(federates);
    e.downstream = downstream;
    e.hint = hint;
    auto created = ds().createEntry(e);
    ASSERT_TRUE(created.isOk()) << created.status().message();
  }

  // Entry ids the filter lists (in order), after checking count agrees.
  std::vector<std::string> ids(const EntryFilter& filter) {
    auto page = ds().listEntries(&filter, Pagination{});
    EXPECT_TRUE(page.isOk()) << page.status().message();
    std::vector<std::string> out;
    if (!page.isOk()) {
      return out;
    }
    for (const auto& e : page->items) {
      out.push_back(e.entry_id);
    }
    EXPECT_EQ(*ds().countEntries(&filter), static_cast<std::int64_t>(out.size()));
    return out;
  }

  static EntryFilter bySelectors(std::vector<Selector> selectors, spire_match match) {
    EntryFilter f;
    f.selectors = std::move(selectors);
    f.selectors_match = match;
    return f;
  }
  static EntryFilter byFederation(std::vector<std::string> tds, spire_match match) {
    EntryFilter f;
    f.federates_with = std::move(tds);
    f.federates_with_match = match;
    return f;
  }
};

using Ids = std::vector<std::string>;

TEST_P(EntryFilterTest, NoFilterListsEverythingInIdOrder) {
  EXPECT_EQ(ids(EntryFilter{}), (Ids{"e1", "e2", "e3", "e4"}));
  auto all = ds().listEntries(nullptr, Pagination{});
  ASSERT_TRUE(all.isOk());
  EXPECT_EQ(all->items.size(), 4u);
  EXPECT_EQ(*ds().countEntries(nullptr), 4);
}

TEST_P(EntryFilterTest, ByParentSpiffeIdHintAndDownstream) {
  EntryFilter f;
  f.parent_id = "spiffe://example.org/a1";
  EXPECT_EQ(ids(f), (Ids{"e1", "e2"}));
  f = EntryFilter{};
  f.spiffe_id = "spiffe://example.org/w1";
  EXPECT_EQ(ids(f), (Ids{"e1", "e3"}));
  f = EntryFilter{};
  f.hint = "h1";
  EXPECT_EQ(ids(f), (Ids{"e1", "e3"}));
  f = EntryFilter{};
  f.downstream = true;
  EXPECT_EQ(ids(f), (Ids{"e2"}));
  f.downstream = false;
  EXPECT_EQ(ids(f), (Ids{"e1", "e3", "e4"}));
  f = EntryFilter{};
  f.parent_id = "spiffe://example.org/nobody";
  EXPECT_EQ(ids(f), Ids{});
}

TEST_P(EntryFilterTest, SelectorMatchBehaviours) {
  std::vector<Selector> ab = {{"t", "a"}, {"t", "b"}};
  EXPECT_EQ(ids(bySelectors(ab, SPIRE_MATCH_EXACT)), (Ids{"e1"}));
  EXPECT_EQ(ids(bySelectors(ab, SPIRE_MATCH_SUBSET)), (Ids{"e1", "e2"}));
  EXPECT_EQ(ids(bySelectors(ab, SPIRE_MATCH_SUPERSET)), (Ids{"e1", "e3"}));
  EXPECT_EQ(ids(bySelectors(ab, SPIRE_MATCH_ANY)), (Ids{"e1", "e2", "e3"}));
  // Duplicates in the filter do not change the answer.
  std::vector<Selector> dup = {{"t", "a"}, {"t", "a"}};
  EXPECT_EQ(ids(bySelectors(dup, SPIRE_MATCH_EXACT)), (Ids{"e2"}));
  EXPECT_EQ(ids(bySelectors({{"t", "zzz"}}, SPIRE_MATCH_ANY)), Ids{});
}

TEST_P(EntryFilterTest, FederatesWithMatchBehaviours) {
  EXPECT_EQ(ids(byFederation({"x.org"}, SPIRE_MATCH_EXACT)), (Ids{"e1"}));
  EXPECT_EQ(ids(byFederation({"x.org"}, SPIRE_MATCH_SUBSET)), (Ids{"e1"}));
  EXPECT_EQ(ids(byFederation({"x.org"}, SPIRE_MATCH_SUPERSET)), (Ids{"e1", "e2"}));
  EXPECT_EQ(ids(byFederation({"x.org"}, SPIRE_MATCH_ANY)), (Ids{"e1", "e2"}));
  std::vector<std::string> xy = {"x.org", "y.org"};
  EXPECT_EQ(ids(byFederation(xy, SPIRE_MATCH_EXACT)), (Ids{"e2"}));
  EXPECT_EQ(ids(byFederation(xy, SPIRE_MATCH_SUBSET)), (Ids{"e1", "e2", "e4"}));
  EXPECT_EQ(ids(byFederation(xy, SPIRE_MATCH_SUPERSET)), (Ids{"e2"}));
  EXPECT_EQ(ids(byFederation(xy, SPIRE_MATCH_ANY)), (Ids{"e1", "e2", "e4"}));
}

TEST_P(EntryFilterTest, FiltersCombineWithAnd) {
  EntryFilter f = bySelectors({{"t", "c"}}, SPIRE_MATCH_ANY);
  f.parent_id = "spiffe://example.org/a2";
  EXPECT_EQ(ids(f), (Ids{"e3", "e4"}));
  f.hint = "h1";
  EXPECT_EQ(ids(f), (Ids{"e3"}));
}

TEST_P(EntryFilterTest, EmptySetsAreInvalid) {
  EntryFilter f;
  f.selectors = std::vector<Selector>{};
  expectError(ds().listEntries(&f, Pagination{}).status(), StatusCode::kInvalidArgument,
              "cannot list by empty selector set");
  expectError(ds().countEntries(&f).status(), StatusCode::kInvalidArgument,
              "cannot list by empty selector set");
  EntryFilter g;
  g.federates_with = std::vector<std::string>{};
  expectError(ds().listEntries(&g, Pagination{}).status(), StatusCode::kInvalidArgument,
              "cannot list by empty federates with set");
  EntryFilter h = bySelectors({{"t", "a"}}, 9);
  expectError(ds().listEntries(&h, Pagination{}).status(), StatusCode::kInvalidArgument,
              "unknown match behavior 9");
}

TEST_P(EntryFilterTest, PaginationWalksEveryEntryOnce) {
  auto first = ds().listEntries(nullptr, Pagination{"", 3});
  ASSERT_TRUE(first.isOk());
  ASSERT_EQ(first->items.size(), 3u);
  EXPECT_EQ(first->next_token, "e3");
  auto second = ds().listEntries(nullptr, Pagination{first->next_token, 3});
  ASSERT_TRUE(second.isOk());
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].entry_id, "e4");
  EXPECT_EQ(second->next_token, "");
  // An exactly full last page has no token either.
  auto exact = ds().listEntries(nullptr, Pagination{"", 4});
  EXPECT_EQ(exact->items.size(), 4u);
  EXPECT_EQ(exact->next_token, "");
}

TEST_P(EntryFilterTest, PaginationWithAFilter) {
  EntryFilter f = bySelectors({{"t", "a"}}, SPIRE_MATCH_ANY);
  auto first = ds().listEntries(&f, Pagination{"", 2});
  ASSERT_TRUE(first.isOk());
  ASSERT_EQ(first->items.size(), 2u);
  EXPECT_EQ(first->items[1].entry_id, "e2");
  auto second = ds().listEntries(&f, Pagination{first->next_token, 2});
  ASSERT_TRUE(second.isOk());
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].entry_id, "e3");
  EXPECT_EQ(second->next_token, "");
  // Children are loaded for paged results too.
  EXPECT_EQ(second->items[0].selectors.size(), 3u);
}

TEST_P(EntryFilterTest, NegativePageSizeIsInvalid) {
  expectError(ds().listEntries(nullptr, Pagination{"", -1}).status(), StatusCode::kInvalidArgument,
              "page size must not be negative");
}

SPIRE_DATASTORE_SUITE(EntryFilterTest);

} // namespace
} // namespace spire::datastore_conformance
