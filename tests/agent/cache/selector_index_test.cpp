#include "agent/cache/selector_index.h"

#include <gtest/gtest.h>

#include <string>

namespace spire::agent::cache {
namespace {

using Ids = std::vector<std::string>;

Selector sel(std::string type, std::string value) {
  return {std::move(type), std::move(value)};
}

TEST(SelectorIndexTest, NormalizeSortsAndDeduplicates) {
  EXPECT_EQ(normalizeSelectors({sel("unix", "uid:1"), sel("k8s", "ns:a"), sel("unix", "uid:1")}),
            (std::vector<Selector>{sel("k8s", "ns:a"), sel("unix", "uid:1")}));
}

TEST(SelectorIndexTest, EntryMatchesWhenItsSelectorsAreASubset) {
  SelectorIndex index;
  index.add("a", normalizeSelectors({sel("unix", "uid:1")}));
  index.add("b", normalizeSelectors({sel("unix", "uid:1"), sel("unix", "gid:2")}));
  index.add("c", normalizeSelectors({sel("unix", "uid:2")}));
  EXPECT_EQ(index.match(normalizeSelectors({sel("unix", "uid:1")})), Ids{"a"});
  EXPECT_EQ(index.match(normalizeSelectors(
                {sel("unix", "gid:2"), sel("unix", "uid:1"), sel("docker", "x")})),
            (Ids{"a", "b"}));
  EXPECT_EQ(index.match(normalizeSelectors({sel("unix", "gid:2")})), Ids{});
  EXPECT_EQ(index.match({}), Ids{});
}

TEST(SelectorIndexTest, TypeAndValueBothMatter) {
  SelectorIndex index;
  index.add("a", {sel("unix", "uid:1")});
  EXPECT_EQ(index.match({sel("docker", "uid:1")}), Ids{});
  EXPECT_EQ(index.match({sel("unix", "uid:10")}), Ids{});
}

TEST(SelectorIndexTest, EntryWithoutSelectorsNeverMatches) {
  SelectorIndex index;
  index.add("empty", {});
  EXPECT_EQ(index.match({sel("unix", "uid:1")}), Ids{});
  EXPECT_EQ(index.entryCount(), 0u);
}

TEST(SelectorIndexTest, RemoveDropsPostings) {
  SelectorIndex index;
  const auto selectors = normalizeSelectors({sel("unix", "uid:1"), sel("unix", "gid:1")});
  index.add("a", selectors);
  index.add("b", {sel("unix", "uid:1")});
  index.remove("a");
  EXPECT_EQ(index.match(selectors), Ids{"b"});
  EXPECT_EQ(index.entryCount(), 1u);
}

TEST(SelectorIndexTest, ManyEntriesMatchOnlyTheirOwn) {
  SelectorIndex index;
  for (int i = 0; i < 5000; ++i) {
    index.add("e" + std::to_string(i),
              normalizeSelectors({sel("k8s", "ns:shared"), sel("k8s", "sa:" + std::to_string(i))}));
  }
  EXPECT_EQ(index.match(normalizeSelectors({sel("k8s", "ns:shared"), sel("k8s", "sa:42")})),
            Ids{"e42"});
  EXPECT_EQ(index.match({sel("k8s", "ns:shared")}), Ids{});
}

TEST(SelectorIndexTest, ReAddReplacesAndRemoveUnknownIsANoOp) {
  SelectorIndex index;
  index.add("a", {sel("unix", "uid:1")});
  index.add("a", {sel("unix", "uid:2")});
  EXPECT_EQ(index.match({sel("unix", "uid:1")}), Ids{});
  EXPECT_EQ(index.match({sel("unix", "uid:2")}), Ids{"a"});
  index.remove("unknown");
  EXPECT_EQ(index.entryCount(), 1u);
}

TEST(SelectorIndexTest, EntriesAnchoredAtASharedSelectorStillMatch) {
  // The first entries see "ns:shared" as rare and anchor there; later ones anchor at their own
  // selector. Both kinds must match exactly the same way.
  SelectorIndex index;
  index.add("first", normalizeSelectors({sel("k8s", "ns:shared"), sel("k8s", "sa:first")}));
  index.add("only-ns", {sel("k8s", "ns:shared")});
  for (int i = 0; i < 100; ++i) {
    index.add("e" + std::to_string(i),
              normalizeSelectors({sel("k8s", "ns:shared"), sel("k8s", "sa:" + std::to_string(i))}));
  }
  EXPECT_EQ(index.match(normalizeSelectors({sel("k8s", "ns:shared"), sel("k8s", "sa:first")})),
            (Ids{"first", "only-ns"}));
  EXPECT_EQ(index.match(normalizeSelectors({sel("k8s", "ns:shared"), sel("k8s", "sa:7")})),
            (Ids{"e7", "only-ns"}));
  EXPECT_EQ(index.match({sel("k8s", "sa:7")}), Ids{});
  index.remove("first");
  EXPECT_EQ(index.match(normalizeSelectors({sel("k8s", "ns:shared"), sel("k8s", "sa:first")})),
            Ids{"only-ns"});
}

} // namespace
} // namespace spire::agent::cache
