#include "server/registration/authorized_entries_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "registration_test_util.h"

namespace spire::server::registration {
namespace {

using testing::makeEntry;

constexpr const char* kServer = "spiffe://example.org/spire/server";
constexpr const char* kAgentA = "spiffe://example.org/spire/agent/a";
constexpr const char* kAgentB = "spiffe://example.org/spire/agent/b";

std::string wl(const std::string& name) {
  return "spiffe://example.org/" + name;
}

std::set<std::string> ids(const AuthorizedEntries& result) {
  std::set<std::string> out;
  for (const EntryPtr& e : result.entries) {
    out.insert(e->entry_id);
  }
  return out;
}

class IndexTest : public ::testing::Test {
protected:
  AuthorizedEntriesIndex index_{*spiffe::TrustDomain::parse("example.org")};

  std::set<std::string> authorized(const std::string& agent) {
    const AuthorizedEntries result = index_.authorizedEntries(agent);
    // Never a duplicate.
    EXPECT_EQ(ids(result).size(), result.entries.size());
    return ids(result);
  }
};

TEST_F(IndexTest, ServerIdOfTrustDomain) {
  EXPECT_EQ(index_.serverId(), kServer);
}

TEST_F(IndexTest, EmptyIndexAuthorizesNothing) {
  EXPECT_TRUE(authorized(kAgentA).empty());
  EXPECT_EQ(index_.revision(), 0u);
}

TEST_F(IndexTest, DirectChildrenAndMultiLevelDescendants) {
  index_.upsertEntry(makeEntry("e1", kAgentA, wl("w1")));
  index_.upsertEntry(makeEntry("e2", wl("w1"), wl("w2")));
  index_.upsertEntry(makeEntry("e3", wl("w2"), wl("w3")));
  index_.upsertEntry(makeEntry("e4", kAgentA, wl("w4")));
  index_.upsertEntry(makeEntry("other", kAgentB, wl("wb")));
  index_.upsertEntry(makeEntry("orphan", wl("nowhere"), wl("w5")));

  EXPECT_EQ(authorized(kAgentA), (std::set<std::string>{"e1", "e2", "e3", "e4"}));
  EXPECT_EQ(authorized(kAgentB), (std::set<std::string>{"other"}));
  EXPECT_TRUE(authorized("spiffe://example.org/spire/agent/unknown").empty());

  // Breadth-first, children of one parent by entry ID.
  const auto result = index_.authorizedEntries(kAgentA);
  std::vector<std::string> order;
  for (const auto& e : result.entries) {
    order.push_back(e->entry_id);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"e1", "e4", "e2", "e3"}));
}

TEST_F(IndexTest, AliasesMatchBySelectorSubset) {
  index_.upsertEntry(makeEntry("alias-c1", kServer, wl("cluster/c1"), {{"k8s", "cluster:c1"}}));
  index_.upsertEntry(
      makeEntry("alias-2", kServer, wl("two"), {{"aws", "region:eu"}, {"aws", "az:eu-1"}}));
  index_.upsertEntry(makeEntry("c1-wl", wl("cluster/c1"), wl("c1/app")));
  index_.upsertEntry(makeEntry("c1-nested", wl("c1/app"), wl("c1/app/sub")));
  index_.upsertEntry(makeEntry("two-wl", wl("two"), wl("two/app")));
  index_.upsertEntry(makeEntry("own", kAgentA, wl("own")));

  // Superset of alias-c1's selectors, only half of alias-2's.
  index_.setNodeSelectors(kAgentA, {{"k8s", "cluster:c1"}, {"aws", "region:eu"}, {"x", "y"}});
  EXPECT_EQ(authorized(kAgentA), (std::set<std::string>{"own", "c1-wl", "c1-nested"}));
  // Alias entries themselves are not authorized (they are children of the server ID).
  EXPECT_EQ(authorized(kAgentA).count("alias-c1"), 0u);

  // Gaining the missing selector moves the agent into alias-2.
  index_.setNodeSelectors(kAgentA,
                          {{"k8s", "cluster:c1"}, {"aws", "region:eu"}, {"aws", "az:eu-1"}});
  EXPECT_EQ(authorized(kAgentA), (std::set<std::string>{"own", "c1-wl", "c1-nested", "two-wl"}));

  // Losing one moves it out again.
  index_.setNodeSelectors(kAgentA, {{"aws", "region:eu"}, {"aws", "az:eu-1"}});
  EXPECT_EQ(authorized(kAgentA), (std::set<std::string>{"own", "two-wl"}));

  // Removing the node removes every alias membership.
  index_.removeNode(kAgentA);
  EXPECT_EQ(authorized(kAgentA), (std::set<std::string>{"own"}));
  EXPECT_EQ(index_.nodeCount(), 0u);
}

TEST_F(IndexTest, AgentMatchingNoAlias) {
  index_.upsertEntry(makeEntry("alias", kServer, wl("alias"), {{"k8s", "cluster:c1"}}));
  index_.upsertEntry(makeEntry("alias-wl", wl("alias"), wl("app")));
  index_.setNodeSelectors(kAgentB, {{"k8s", "cluster:c2"}});
  EXPECT_TRUE(authorized(kAgentB).empty());
  // Same value under another type is another selector.
  index_.setNodeSelectors(kAgentB, {{"k8s2", "cluster:c1"}});
  EXPECT_TRUE(authorized(kAgentB).empty());
  // An agent with no selectors at all.
  index_.setNodeSelectors(kAgentB, {});
  EXPECT_TRUE(authorized(kAgentB).empty());
}

TEST_F(IndexTest, DuplicateSelectorsCountOnce) {
  index_.upsertEntry(
      makeEntry("alias", kServer, wl("alias"), {{"a", "1"}, {"a", "1"}, {"b", "2"}}));
  index_.upsertEntry(makeEntry("alias-wl", wl("alias"), wl("app")));
  index_.setNodeSelectors(kAgentA, {{"a", "1"}, {"a", "1"}});
  EXPECT_TRUE(authorized(kAgentA).empty());
  index_.setNodeSelectors(kAgentA, {{"b", "2"}, {"a", "1"}, {"b", "2"}});
  EXPECT_EQ(authorized(kAgentA), (std::set<std::string>{"alias-wl"}));
}

TEST_F(IndexTest, AliasWithoutSelectorsMatchesNobody) {
  index_.upsertEntry(makeEntry("alias", kServer, wl("alias"), {}));
  index_.upsertEntry(makeEntry("alias-wl", wl("alias"), wl("app")));
  index_.setNodeSelectors(kAgentA, {{"a", "1"}});
  EXPECT_TRUE(authorized(kAgentA).empty());
}

TEST_F(IndexTest, SharedAliasIdsAndOverlapsAreDeduplicated) {
  // Two aliases with one SPIFFE ID, both matching; an entry reachable from the agent and an alias.
  index_.upsertEntry(makeEntry("alias1", kServer, wl("group"), {{"a", "1"}}));
  index_.upsertEntry(makeEntry("alias2", kServer, wl("group"), {{"b", "2"}}));
  index_.upsertEntry(makeEntry("alias3", kServer, kAgentA, {{"a", "1"}})); // alias = agent ID
  index_.upsertEntry(makeEntry("group-wl", wl("group"), wl("app")));
  index_.upsertEntry(makeEntry("own", kAgentA, wl("group")));
  index_.setNodeSelectors(kAgentA, {{"a", "1"}, {"b", "2"}});
  EXPECT_EQ(authorized(kAgentA), (std::set<std::string>{"group-wl", "own"}));
  EXPECT_EQ(index_.aliasCount(), 3u);
}

TEST_F(IndexTest, CyclesTerminateAndListEachEntryOnce) {
  index_.upsertEntry(makeEntry("e1", kAgentA, wl("w1")));
  index_.upsertEntry(makeEntry("e2", wl("w1"), wl("w2")));
  index_.upsertEntry(makeEntry("e3", wl("w2"), wl("w1")));   // back to w1
  index_.upsertEntry(makeEntry("e4", wl("w2"), kAgentA));    // back to the agent
  index_.upsertEntry(makeEntry("self", wl("w3"), wl("w3"))); // self-parented, unreachable
  EXPECT_EQ(authorized(kAgentA), (std::set<std::string>{"e1", "e2", "e3", "e4"}));
  EXPECT_EQ(authorized(wl("w3")), (std::set<std::string>{"self"}));
}

TEST_F(IndexTest, RemovalAndReplacement) {
  const auto r0 = index_.upsertEntry(makeEntry("e1", kAgentA, wl("w1")));
  index_.upsertEntry(makeEntry("e2", wl("w1"), wl("w2")));
  EXPECT_EQ(authorized(kAgentA), (std::set<std::string>{"e1", "e2"}));
  EXPECT_GT(index_.revision(), r0);

  // Re-parenting e1 under agent B moves its subtree along.
  index_.upsertEntry(makeEntry("e1", kAgentB, wl("w1")));
  EXPECT_TRUE(authorized(kAgentA).empty());
  EXPECT_EQ(authorized(kAgentB), (std::set<std::string>{"e1", "e2"}));
  EXPECT_EQ(index_.entryCount(), 2u);
  EXPECT_EQ(index_.entry("e1")->parent_id, kAgentB);

  const auto before = index_.revision();
  EXPECT_EQ(index_.removeEntry("missing"), before); // nothing changes
  EXPECT_EQ(index_.removeNode("spiffe://example.org/spire/agent/none"), before);

  index_.removeEntry("e1");
  EXPECT_TRUE(authorized(kAgentB).empty());
  EXPECT_EQ(index_.entry("e1"), nullptr);
  EXPECT_EQ(index_.entryCount(), 1u);
  EXPECT_GT(index_.revision(), before);
}

TEST_F(IndexTest, AliasUpdateAndRemoval) {
  index_.upsertEntry(makeEntry("alias", kServer, wl("alias"), {{"a", "1"}}));
  index_.upsertEntry(makeEntry("alias-wl", wl("alias"), wl("app")));
  index_.setNodeSelectors(kAgentA, {{"a", "1"}});
  EXPECT_EQ(authorized(kAgentA), (std::set<std::string>{"alias-wl"}));
  // The alias now requires a selector the agent lacks.
  index_.upsertEntry(makeEntry("alias", kServer, wl("alias"), {{"a", "1"}, {"c", "3"}}));
  EXPECT_TRUE(authorized(kAgentA).empty());
  index_.upsertEntry(makeEntry("alias", kServer, wl("alias"), {{"a", "1"}}));
  EXPECT_EQ(authorized(kAgentA), (std::set<std::string>{"alias-wl"}));
  // An alias that stops being an alias (re-parented) stops matching.
  index_.upsertEntry(makeEntry("alias", wl("elsewhere"), wl("alias"), {{"a", "1"}}));
  EXPECT_TRUE(authorized(kAgentA).empty());
  EXPECT_EQ(index_.aliasCount(), 0u);
  index_.upsertEntry(makeEntry("alias", kServer, wl("alias"), {{"a", "1"}}));
  index_.removeEntry("alias");
  EXPECT_TRUE(authorized(kAgentA).empty());
  EXPECT_EQ(index_.aliasCount(), 0u);
}

TEST_F(IndexTest, RebuildReplacesEverything) {
  index_.upsertEntry(makeEntry("old", kAgentA, wl("old")));
  index_.setNodeSelectors(kAgentB, {{"z", "9"}});

  std::vector<Entry> entries = {makeEntry("alias", kServer, wl("alias"), {{"a", "1"}}),
                                makeEntry("alias-wl", wl("alias"), wl("app")),
                                makeEntry("own", kAgentA, wl("own")),
                                makeEntry("dup", kAgentA, wl("first")),
                                makeEntry("dup", kAgentB, wl("second"))}; // last one wins
  std::vector<NodeSelectors> nodes = {{kAgentA, {{"a", "1"}}}};
  const auto rev = index_.rebuild(std::move(entries), std::move(nodes));
  EXPECT_EQ(index_.revision(), rev);
  EXPECT_EQ(index_.entryCount(), 4u);
  EXPECT_EQ(index_.nodeCount(), 1u);
  EXPECT_EQ(authorized(kAgentA), (std::set<std::string>{"alias-wl", "own"}));
  EXPECT_EQ(authorized(kAgentB), (std::set<std::string>{"dup"}));
  EXPECT_EQ(index_.entry("dup")->spiffe_id, wl("second"));
  // Every agent is "changed" by a rebuild.
  EXPECT_TRUE(index_.changedSince(kAgentB, rev - 1));
  EXPECT_FALSE(index_.changedSince(kAgentB, rev));
}

TEST_F(IndexTest, PerAgentChangeDetection) {
  index_.upsertEntry(makeEntry("a1", kAgentA, wl("a1")));
  index_.upsertEntry(makeEntry("a2", wl("a1"), wl("a2")));
  index_.upsertEntry(makeEntry("b1", kAgentB, wl("b1")));
  index_.upsertEntry(makeEntry("alias", kServer, wl("alias"), {{"a", "1"}}));
  index_.setNodeSelectors(kAgentA, {{"a", "1"}});
  index_.setNodeSelectors(kAgentB, {{"b", "1"}});

  auto synced_a = index_.authorizedEntries(kAgentA);
  auto synced_b = index_.authorizedEntries(kAgentB);
  EXPECT_EQ(synced_a.revision, index_.revision());
  EXPECT_LE(synced_a.last_changed, synced_a.revision);
  EXPECT_FALSE(index_.changedSince(kAgentA, synced_a.revision));

  // A change deep under agent A concerns A only.
  index_.upsertEntry(makeEntry("a3", wl("a2"), wl("a3")));
  EXPECT_TRUE(index_.changedSince(kAgentA, synced_a.revision));
  EXPECT_FALSE(index_.changedSince(kAgentB, synced_b.revision));
  synced_a = index_.authorizedEntries(kAgentA);
  EXPECT_EQ(synced_a.last_changed, synced_a.revision);

  // A change under an alias concerns the alias members only.
  index_.upsertEntry(makeEntry("alias-wl", wl("alias"), wl("app")));
  EXPECT_TRUE(index_.changedSince(kAgentA, synced_a.revision));
  EXPECT_FALSE(index_.changedSince(kAgentB, synced_b.revision));
  synced_a = index_.authorizedEntries(kAgentA);

  // An agent's own selector change concerns that agent only.
  index_.setNodeSelectors(kAgentB, {{"b", "2"}});
  EXPECT_TRUE(index_.changedSince(kAgentB, synced_b.revision));
  EXPECT_FALSE(index_.changedSince(kAgentA, synced_a.revision));
  synced_b = index_.authorizedEntries(kAgentB);

  // Any alias change is reported to every agent (the documented approximation).
  index_.upsertEntry(makeEntry("alias-x", kServer, wl("x"), {{"x", "1"}}));
  EXPECT_TRUE(index_.changedSince(kAgentA, synced_a.revision));
  EXPECT_TRUE(index_.changedSince(kAgentB, synced_b.revision));
  synced_a = index_.authorizedEntries(kAgentA);
  synced_b = index_.authorizedEntries(kAgentB);

  // Removing an entry is a change for its parent's agents.
  index_.removeEntry("b1");
  EXPECT_TRUE(index_.changedSince(kAgentB, synced_b.revision));
  EXPECT_FALSE(index_.changedSince(kAgentA, synced_a.revision));
}

TEST_F(IndexTest, WaitForRevisionAfter) {
  const auto start = index_.revision();
  // Deadline already passed: returns at once with the current revision.
  EXPECT_EQ(index_.waitForRevisionAfter(start, std::chrono::steady_clock::now()), start);

  std::thread writer([this] { index_.upsertEntry(makeEntry("e", kAgentA, wl("w"))); });
  const auto woke = index_.waitForRevisionAfter(start, std::chrono::steady_clock::now() +
                                                           std::chrono::minutes(5));
  writer.join();
  EXPECT_GT(woke, start);
  // Already past: no wait.
  EXPECT_EQ(index_.waitForRevisionAfter(start, std::chrono::steady_clock::time_point::max()),
            index_.revision());
}

TEST_F(IndexTest, SubscribeNotifiesEveryWriteUntilReset) {
  std::vector<std::uint64_t> seen;
  auto sub = index_.subscribe([&seen](std::uint64_t rev) { seen.push_back(rev); });
  EXPECT_TRUE(sub.active());
  const auto r1 = index_.upsertEntry(makeEntry("e", kAgentA, wl("w")));
  const auto r2 = index_.setNodeSelectors(kAgentA, {{"a", "1"}});
  const auto r3 = index_.rebuild({}, {});
  index_.removeEntry("not-there"); // no write, no notification
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{r1, r2, r3}));

  auto moved = std::move(sub);
  EXPECT_FALSE(sub.active()); // NOLINT(bugprone-use-after-move): checking the moved-from state
  moved.reset();
  EXPECT_FALSE(moved.active());
  index_.upsertEntry(makeEntry("e2", kAgentA, wl("w2")));
  EXPECT_EQ(seen.size(), 3u);
}

TEST(IndexLifetimeTest, SubscriptionMayOutliveIndex) {
  AuthorizedEntriesIndex::Subscription sub;
  {
    AuthorizedEntriesIndex index(*spiffe::TrustDomain::parse("example.org"));
    sub = index.subscribe([](std::uint64_t) {});
  }
  sub.reset(); // no crash, no leak (checked under ASan)
  EXPECT_FALSE(sub.active());
}

// Readers run while writers change the index; every answer must be one the index held at some
// point: a subtree moves as a whole, and a rebuild is seen entirely or not at all.
TEST_F(IndexTest, ConcurrentReadersSeeWholeUpdates) {
  constexpr int kWrites = 300;
  // A chain mid -> leaf that is re-parented between agents A and B.
  index_.upsertEntry(makeEntry("mid", kAgentA, wl("mid")));
  index_.upsertEntry(makeEntry("leaf", wl("mid"), wl("leaf")));

  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::atomic<int> violations{0};
  auto reader = [&] {
    while (!done.load(std::memory_order_acquire) || reads.load() < 100) {
      for (const char* agent : {kAgentA, kAgentB}) {
        const auto result = index_.authorizedEntries(agent);
        const auto got = ids(result);
        // Either the whole chain or none of it (the rebuild sets also keep the chain whole).
        if (got.count("mid") != got.count("leaf")) {
          violations.fetch_add(1);
        }
        if (result.last_changed > result.revision) {
          violations.fetch_add(1);
        }
      }
      reads.fetch_add(1);
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) {
    readers.emplace_back(reader);
  }
  std::thread writer([&] {
    for (int i = 0; i < kWrites; ++i) {
      const char* parent = (i % 2 == 0) ? kAgentB : kAgentA;
      if (i % 50 == 49) {
        index_.rebuild(
            {makeEntry("mid", parent, wl("mid")), makeEntry("leaf", wl("mid"), wl("leaf"))},
            {{kAgentA, {{"a", "1"}}}});
      } else {
        index_.upsertEntry(makeEntry("mid", parent, wl("mid")));
        index_.setNodeSelectors(kAgentA, {{"a", std::to_string(i)}});
      }
    }
    done.store(true, std::memory_order_release);
  });
  writer.join();
  for (auto& t : readers) {
    t.join();
  }
  EXPECT_EQ(violations.load(), 0);
  EXPECT_GE(reads.load(), 100);
}

// Subscribing, unsubscribing and waiting while another thread writes: no data race, no callback
// after reset(), and a waiter for the last revision always wakes.
TEST_F(IndexTest, SubscribersAndWaitersDuringWrites) {
  constexpr int kWrites = 500;
  std::atomic<int> calls_after_reset{0};
  std::thread writer([this] {
    for (int i = 0; i < kWrites; ++i) {
      index_.upsertEntry(makeEntry("e" + std::to_string(i % 10), kAgentA, wl("w")));
    }
  });
  std::thread waiter([this] {
    const auto woke = index_.waitForRevisionAfter(kWrites - 1, std::chrono::steady_clock::now() +
                                                                   std::chrono::minutes(5));
    EXPECT_GE(woke, static_cast<std::uint64_t>(kWrites));
  });
  for (int i = 0; i < 200; ++i) {
    auto reset_done = std::make_shared<std::atomic<bool>>(false);
    auto sub = index_.subscribe([reset_done, &calls_after_reset](std::uint64_t) {
      if (reset_done->load()) {
        calls_after_reset.fetch_add(1);
      }
    });
    sub.reset();
    reset_done->store(true);
  }
  writer.join();
  waiter.join();
  EXPECT_EQ(calls_after_reset.load(), 0);
  EXPECT_EQ(index_.revision(), static_cast<std::uint64_t>(kWrites));
}

} // namespace
} // namespace spire::server::registration
