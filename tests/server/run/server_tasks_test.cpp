// The server's periodic tasks over real plugins: pruning reaches the datastore and the index.

#include "server/run/server_tasks.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "server_fixture.h"

namespace spire::server::run {
namespace {

using api::testing::ServerFixture;
using api::testing::ServerFixtureOptions;

std::int64_t unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class ServerTasksTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto fixture = ServerFixture::create();
    ASSERT_TRUE(fixture.isOk()) << fixture.status().message();
    fixture_ = std::move(*fixture);
    reload_ = [this] { return fixture_->bootstrap().reloadIndex(); };
  }
  plugin_host::Entry entry(const std::string& path, std::int64_t expires_at) {
    plugin_host::Entry e;
    e.spiffe_id = "spiffe://example.org/" + path;
    e.parent_id = "spiffe://example.org/spire/agent/x";
    e.selectors = {{"unix", "uid:1000"}};
    e.expires_at = expires_at;
    auto created = fixture_->datastore().createEntry(e);
    EXPECT_TRUE(created.isOk()) << created.status().message();
    return created.isOk() ? *created : e;
  }
  std::unique_ptr<ServerFixture> fixture_;
  IndexReloader reload_;
};

TEST_F(ServerTasksTest, ExpiredEntriesArePrunedFromDatastoreAndIndex) {
  plugin_host::Entry expired = entry("expired", unixNow() - 60);
  plugin_host::Entry live = entry("live", unixNow() + 3600);
  plugin_host::Entry forever = entry("forever", 0);
  ASSERT_TRUE(reload_().isOk());
  ASSERT_EQ(fixture_->index().entryCount(), 3u);

  ASSERT_TRUE(pruneExpiredEntries(fixture_->state(), reload_).isOk());

  auto gone = fixture_->datastore().fetchEntry(expired.entry_id);
  ASSERT_TRUE(gone.isOk());
  EXPECT_FALSE(gone->has_value());
  EXPECT_EQ(fixture_->index().entryCount(), 2u);
  EXPECT_EQ(fixture_->index().entry(expired.entry_id), nullptr);
  EXPECT_NE(fixture_->index().entry(live.entry_id), nullptr);
  EXPECT_NE(fixture_->index().entry(forever.entry_id), nullptr);
}

TEST_F(ServerTasksTest, NothingExpiredLeavesTheIndexAlone) {
  entry("live", unixNow() + 3600);
  ASSERT_TRUE(reload_().isOk());
  const auto revision = fixture_->index().revision();
  ASSERT_TRUE(pruneExpiredEntries(fixture_->state(), reload_).isOk());
  EXPECT_EQ(fixture_->index().revision(), revision);
}

TEST_F(ServerTasksTest, ExpiredJoinTokensArePruned) {
  const auto& ds = fixture_->datastore();
  ASSERT_TRUE(ds.createJoinToken({"old-token", unixNow() - 10}).isOk());
  ASSERT_TRUE(ds.createJoinToken({"new-token", unixNow() + 600}).isOk());
  ASSERT_TRUE(pruneExpiredJoinTokens(fixture_->state()).isOk());
  auto old_token = ds.fetchJoinToken("old-token");
  ASSERT_TRUE(old_token.isOk());
  EXPECT_FALSE(old_token->has_value());
  auto new_token = ds.fetchJoinToken("new-token");
  ASSERT_TRUE(new_token.isOk());
  EXPECT_TRUE(new_token->has_value());
}

TEST_F(ServerTasksTest, NodePruningHonoursTheOption) {
  const auto& ds = fixture_->datastore();
  plugin_host::AttestedNode node;
  node.spiffe_id = "spiffe://example.org/spire/agent/join_token/abc";
  node.attestation_data_type = "join_token";
  node.cert_serial_number = "1";
  node.cert_not_after = unixNow() - 7200;
  node.can_reattest = true;
  ASSERT_TRUE(ds.createAttestedNode(node).isOk());

  // Unset: nothing is pruned.
  ASSERT_TRUE(pruneExpiredNodes(fixture_->state(), reload_).isOk());
  EXPECT_EQ(*ds.countAttestedNodes(nullptr), 1);

  // Expired for 2h, pruned when older than 3h: kept.
  fixture_->state().config.prune_attested_nodes_expired_for = std::chrono::hours(3);
  ASSERT_TRUE(pruneExpiredNodes(fixture_->state(), reload_).isOk());
  EXPECT_EQ(*ds.countAttestedNodes(nullptr), 1);

  // Pruned when older than 1h: gone.
  fixture_->state().config.prune_attested_nodes_expired_for = std::chrono::hours(1);
  ASSERT_TRUE(pruneExpiredNodes(fixture_->state(), reload_).isOk());
  EXPECT_EQ(*ds.countAttestedNodes(nullptr), 0);
}

std::vector<std::string> names(const std::vector<PeriodicTask>& tasks) {
  std::vector<std::string> out;
  for (const auto& t : tasks) {
    out.push_back(t.name);
  }
  return out;
}

TEST_F(ServerTasksTest, TaskListHasSpirePeriods) {
  auto tasks = serverTasks(fixture_->state(), reload_, 1);
  EXPECT_EQ(names(tasks),
            (std::vector<std::string>{"ca.rotate", "ca.prune_bundle", "ca.reload_bundle",
                                      "registration.prune_entries", "join_tokens.prune",
                                      "index.full_reload"}));
  EXPECT_EQ(tasks[0].period, std::chrono::seconds(10));
  EXPECT_EQ(tasks[1].period, std::chrono::hours(6));
  EXPECT_EQ(tasks[2].period, std::chrono::seconds(5));
  EXPECT_EQ(tasks[3].period, std::chrono::minutes(5));
  EXPECT_EQ(tasks[5].period, std::chrono::hours(24));
  for (auto& t : tasks) {
    Status s = t.run();
    EXPECT_TRUE(s.isOk()) << t.name << ": " << s.message();
  }
}

TEST_F(ServerTasksTest, NodePrunerJoinsWithJitterWhenConfigured) {
  fixture_->state().config.prune_attested_nodes_expired_for = std::chrono::hours(24);
  auto tasks = serverTasks(fixture_->state(), reload_, 7);
  auto it = std::find_if(tasks.begin(), tasks.end(),
                         [](const PeriodicTask& t) { return t.name == "node.prune_expired"; });
  ASSERT_NE(it, tasks.end());
  EXPECT_EQ(it->period, std::chrono::hours(1));
  EXPECT_GE(it->first_delay, std::chrono::hours(1));
  EXPECT_LE(it->first_delay, std::chrono::minutes(75));
}

} // namespace
} // namespace spire::server::run
