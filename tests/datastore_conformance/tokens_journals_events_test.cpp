// Join tokens (single use under concurrency), CA journals, and entry / node events.

#include <atomic>
#include <latch>
#include <mutex>
#include <thread>

#include "datastore_conformance/datastore_fixture.h"

namespace spire::datastore_conformance {
namespace {

using plugin_host::AttestedNode;
using plugin_host::CaJournal;
using plugin_host::JoinToken;

class JoinTokenTest : public DataStoreTest {};

TEST_P(JoinTokenTest, CreateFetchDelete) {
  ASSERT_TRUE(ds().createJoinToken(JoinToken{"tok", 1234}).isOk());
  auto fetched = ds().fetchJoinToken("tok");
  ASSERT_TRUE(fetched.isOk());
  ASSERT_TRUE(fetched->has_value());
  EXPECT_EQ((*fetched)->expires_at, 1234);
  expectError(ds().createJoinToken(JoinToken{"tok", 1}), StatusCode::kAlreadyExists,
              "join token already exists");
  expectError(ds().createJoinToken(JoinToken{"", 1}), StatusCode::kInvalidArgument,
              "token is required");
  ASSERT_TRUE(ds().deleteJoinToken("tok").isOk());
  EXPECT_FALSE((*ds().fetchJoinToken("tok")).has_value());
  expectError(ds().deleteJoinToken("tok"), StatusCode::kNotFound, "record not found");
}

TEST_P(JoinTokenTest, ConsumeIsSingleUse) {
  ASSERT_TRUE(ds().createJoinToken(JoinToken{"tok", 99}).isOk());
  auto consumed = ds().consumeJoinToken("tok");
  ASSERT_TRUE(consumed.isOk()) << consumed.status().message();
  EXPECT_EQ(consumed->token, "tok");
  EXPECT_EQ(consumed->expires_at, 99);
  expectError(ds().consumeJoinToken("tok").status(), StatusCode::kNotFound,
              "join token does not exist or has already been used");
}

TEST_P(JoinTokenTest, ConsumeReturnsExpiredTokensForTheCallerToCheck) {
  ASSERT_TRUE(ds().createJoinToken(JoinToken{"old", now() - 100}).isOk());
  auto consumed = ds().consumeJoinToken("old");
  ASSERT_TRUE(consumed.isOk());
  EXPECT_LT(consumed->expires_at, now());
  EXPECT_FALSE((*ds().fetchJoinToken("old")).has_value());
}

// Two attestations racing on each token: exactly one consumer wins every token.
TEST_P(JoinTokenTest, ConcurrentConsumersNeverBothWin) {
  constexpr int kTokens = 40;
  for (int i = 0; i < kTokens; ++i) {
    ASSERT_TRUE(ds().createJoinToken(JoinToken{"tok-" + std::to_string(i), 1}).isOk());
  }
  std::atomic<int> wins[kTokens] = {};
  std::atomic<int> not_found{0};
  std::atomic<int> other_errors{0};
  std::mutex mu;
  std::string other_message;
  std::latch start(2);
  auto racer = [&] {
    start.arrive_and_wait();
    for (int i = 0; i < kTokens; ++i) {
      auto r = ds().consumeJoinToken("tok-" + std::to_string(i));
      if (r.isOk()) {
        wins[i]++;
      } else if (r.status().code() == StatusCode::kNotFound) {
        not_found++;
      } else {
        other_errors++;
        std::lock_guard lock(mu);
        other_message = r.status().message();
      }
    }
  };
  std::thread a(racer);
  std::thread b(racer);
  a.join();
  b.join();
  for (int i = 0; i < kTokens; ++i) {
    EXPECT_EQ(wins[i].load(), 1) << "token " << i;
  }
  EXPECT_EQ(not_found.load(), kTokens);
  EXPECT_EQ(other_errors.load(), 0) << other_message;
}

TEST_P(JoinTokenTest, PruneDeletesExpiredTokens) {
  ASSERT_TRUE(ds().createJoinToken(JoinToken{"old", 100}).isOk());
  ASSERT_TRUE(ds().createJoinToken(JoinToken{"new", 1000}).isOk());
  ASSERT_TRUE(ds().pruneJoinTokens(500).isOk());
  EXPECT_FALSE((*ds().fetchJoinToken("old")).has_value());
  EXPECT_TRUE((*ds().fetchJoinToken("new")).has_value());
}

class CaJournalTest : public DataStoreTest {};

TEST_P(CaJournalTest, SetInsertsThenUpdates) {
  CaJournal j{0, {1, 2, 3}, "x509-a", "jwt-a"};
  auto inserted = ds().setCaJournal(j);
  ASSERT_TRUE(inserted.isOk()) << inserted.status().message();
  EXPECT_GT(inserted->id, 0);
  auto fetched = ds().fetchCaJournal("x509-a");
  ASSERT_TRUE(fetched.isOk());
  ASSERT_TRUE(fetched->has_value());
  EXPECT_EQ((*fetched)->data, (plugin_host::Bytes{1, 2, 3}));
  EXPECT_EQ((*fetched)->active_jwt_authority_id, "jwt-a");

  CaJournal change{inserted->id, {9}, "x509-b", "jwt-b"};
  auto updated = ds().setCaJournal(change);
  ASSERT_TRUE(updated.isOk());
  EXPECT_EQ(updated->id, inserted->id);
  EXPECT_FALSE((*ds().fetchCaJournal("x509-a")).has_value());
  EXPECT_EQ((**ds().fetchCaJournal("x509-b")).data, (plugin_host::Bytes{9}));

  expectError(ds().setCaJournal(CaJournal{12345, {}, "", ""}).status(), StatusCode::kNotFound,
              "record not found");
  expectError(ds().setCaJournal(CaJournal{-1, {}, "", ""}).status(), StatusCode::kInvalidArgument,
              "invalid CA journal id");
}

TEST_P(CaJournalTest, ListAndDelete) {
  auto a = ds().setCaJournal(CaJournal{0, {1}, "a", "a"});
  auto b = ds().setCaJournal(CaJournal{0, {2}, "b", "b"});
  auto c = ds().setCaJournal(CaJournal{0, {3}, "c", "c"});
  auto all = ds().listCaJournals();
  ASSERT_TRUE(all.isOk());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, a->id);
  ASSERT_TRUE(ds().deleteCaJournals({a->id, c->id}).isOk());
  all = ds().listCaJournals();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].id, b->id);
  EXPECT_TRUE(ds().deleteCaJournals({}).isOk());
}

class EventTest : public DataStoreTest {};

TEST_P(EventTest, EntryWritesRecordEventsInOrder) {
  auto created = ds().createEntry(makeEntry("/a", "/agent", {{"unix", "uid:1"}}));
  ASSERT_TRUE(created.isOk());
  Entry change = *created;
  change.admin = true;
  ASSERT_TRUE(ds().updateEntry(change, SPIRE_ENTRY_MASK_ADMIN).isOk());
  ASSERT_TRUE(ds().deleteEntry(created->entry_id).isOk());
  auto events = ds().listEntryEvents(0);
  ASSERT_TRUE(events.isOk()) << events.status().message();
  ASSERT_EQ(events->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*events)[i].key, created->entry_id);
    EXPECT_GE((*events)[i].created_at, now() - 5);
  }
  EXPECT_LT((*events)[0].event_id, (*events)[1].event_id);
  EXPECT_LT((*events)[1].event_id, (*events)[2].event_id);
  auto after = ds().listEntryEvents((*events)[1].event_id);
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].event_id, (*events)[2].event_id);
  // A failed write records no event (same transaction).
  EXPECT_FALSE(ds().deleteEntry(created->entry_id).isOk());
  EXPECT_EQ(ds().listEntryEvents(0)->size(), 3u);

  ASSERT_TRUE(ds().pruneEntryEvents(now() - 3600).isOk());
  EXPECT_EQ(ds().listEntryEvents(0)->size(), 3u);
  ASSERT_TRUE(ds().pruneEntryEvents(now() + 3600).isOk());
  EXPECT_TRUE(ds().listEntryEvents(0)->empty());
  // Event ids are never reused after a prune.
  ASSERT_TRUE(ds().createEntry(makeEntry("/b", "/agent", {{"unix", "uid:1"}})).isOk());
  auto later = ds().listEntryEvents(0);
  ASSERT_EQ(later->size(), 1u);
  EXPECT_GT((*later)[0].event_id, (*events)[2].event_id);
}

TEST_P(EventTest, NodeWritesRecordEvents) {
  AttestedNode n;
  n.spiffe_id = "spiffe://example.org/spire/agent/a";
  n.cert_serial_number = "1";
  ASSERT_TRUE(ds().createAttestedNode(n).isOk());
  n.cert_serial_number = "2";
  ASSERT_TRUE(ds().updateAttestedNode(n, SPIRE_NODE_MASK_CERT_SERIAL_NUMBER).isOk());
  ASSERT_TRUE(ds().setNodeSelectors(n.spiffe_id, {{"t", "v"}}).isOk());
  ASSERT_TRUE(ds().deleteAttestedNode(n.spiffe_id).isOk());
  auto events = ds().listNodeEvents(0);
  ASSERT_TRUE(events.isOk());
  ASSERT_EQ(events->size(), 4u);
  for (const auto& e : *events) {
    EXPECT_EQ(e.key, n.spiffe_id);
  }
  ASSERT_TRUE(ds().pruneNodeEvents(now() + 3600).isOk());
  EXPECT_TRUE(ds().listNodeEvents(0)->empty());
}

SPIRE_DATASTORE_SUITE(JoinTokenTest);
SPIRE_DATASTORE_SUITE(CaJournalTest);
SPIRE_DATASTORE_SUITE(EventTest);

} // namespace
} // namespace spire::datastore_conformance
