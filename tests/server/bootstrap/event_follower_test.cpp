// Two servers' bootstraps over one SQLite database (as two HA servers share PostgreSQL): writes
// made through one reach the other's index through the event tables.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "server/bootstrap/server_bootstrap.h"
#include "support/temp_dir.h"

namespace spire::server::bootstrap {
namespace {

std::unique_ptr<ServerBootstrap> startServer(const std::filesystem::path& dir,
                                             const std::string& name) {
  std::string text = "server {\n trust_domain = \"example.org\"\n data_dir = \"" +
                     (dir / name).string() +
                     "\"\n}\nplugins {\n DataStore \"sql\" {\n  plugin_data {\n"
                     "   database_type = \"sqlite3\"\n   connection_string = \"" +
                     (dir / "shared.sqlite3").string() +
                     "\"\n  }\n }\n KeyManager \"memory\" {\n  plugin_data {}\n }\n}\n";
  auto file = config::loadServerConfigFromString(text);
  EXPECT_TRUE(file.isOk()) << file.status().message();
  BootstrapOptions options;
  options.plugin_dir = SPIRE_TEST_PLUGIN_DIR;
  auto started = ServerBootstrap::start(*file, options);
  EXPECT_TRUE(started.isOk()) << started.status().message();
  return started.isOk() ? std::move(*started) : nullptr;
}

plugin_host::Entry workloadEntry(const std::string& path) {
  plugin_host::Entry entry;
  entry.spiffe_id = "spiffe://example.org/" + path;
  entry.parent_id = "spiffe://example.org/spire/agent/join_token/t1";
  entry.selectors = {{"unix", "uid:1000"}};
  return entry;
}

class EventFollowerTest : public ::testing::Test {
protected:
  void SetUp() override {
    a_ = startServer(dir_.path(), "a");
    b_ = startServer(dir_.path(), "b");
    ASSERT_TRUE(a_ && b_);
    ASSERT_TRUE(b_->events().enabled());
  }
  spire::testing::TempDir dir_;
  std::unique_ptr<ServerBootstrap> a_;
  std::unique_ptr<ServerBootstrap> b_;
};

TEST_F(EventFollowerTest, EntryWrittenThroughOneServerReachesTheOther) {
  auto created = a_->state().datastore->createEntry(workloadEntry("w1"));
  ASSERT_TRUE(created.isOk()) << created.status().message();
  EXPECT_EQ(b_->index().entry(created->entry_id), nullptr);

  auto applied = b_->events().pollOnce();
  ASSERT_TRUE(applied.isOk()) << applied.status().message();
  EXPECT_EQ(*applied, 1u);
  ASSERT_NE(b_->index().entry(created->entry_id), nullptr);
  EXPECT_EQ(b_->index().entry(created->entry_id)->spiffe_id, "spiffe://example.org/w1");

  // Nothing new: nothing applied.
  EXPECT_EQ(*b_->events().pollOnce(), 0u);

  ASSERT_TRUE(a_->state().datastore->deleteEntry(created->entry_id).isOk());
  ASSERT_TRUE(b_->events().pollOnce().isOk());
  EXPECT_EQ(b_->index().entry(created->entry_id), nullptr);
}

TEST_F(EventFollowerTest, NodeSelectorsFollowAndEvictionRemovesThem) {
  const std::string agent = "spiffe://example.org/spire/agent/join_token/t1";
  plugin_host::AttestedNode node;
  node.spiffe_id = agent;
  node.attestation_data_type = "join_token";
  node.cert_serial_number = "1";
  node.cert_not_after = 4102444800; // 2100
  ASSERT_TRUE(a_->state().datastore->createAttestedNode(node).isOk());
  ASSERT_TRUE(a_->state().datastore->setNodeSelectors(agent, {{"join_token", "t1"}}).isOk());
  // An alias matching that selector, so the node's selectors decide what the agent sees.
  plugin_host::Entry alias;
  alias.spiffe_id = "spiffe://example.org/cluster";
  alias.parent_id = "spiffe://example.org/spire/server";
  alias.selectors = {{"join_token", "t1"}};
  ASSERT_TRUE(a_->state().datastore->createEntry(alias).isOk());
  plugin_host::Entry workload = workloadEntry("w2");
  workload.parent_id = alias.spiffe_id;
  ASSERT_TRUE(a_->state().datastore->createEntry(workload).isOk());

  ASSERT_TRUE(b_->events().pollOnce().isOk());
  EXPECT_EQ(b_->index().authorizedEntries(agent).entries.size(), 1u); // w2 through the alias

  ASSERT_TRUE(a_->state().datastore->deleteAttestedNode(agent).isOk());
  ASSERT_TRUE(b_->events().pollOnce().isOk());
  EXPECT_EQ(b_->index().authorizedEntries(agent).entries.size(), 0u);
}

TEST_F(EventFollowerTest, FollowerThreadAppliesWithinADeadline) {
  b_->events().start();
  auto created = a_->state().datastore->createEntry(workloadEntry("w3"));
  ASSERT_TRUE(created.isOk());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::uint64_t revision = b_->index().revision();
  while (b_->index().entry(created->entry_id) == nullptr &&
         std::chrono::steady_clock::now() < deadline) {
    revision = b_->index().waitForRevisionAfter(revision, deadline);
  }
  EXPECT_NE(b_->index().entry(created->entry_id), nullptr);
  b_->events().stop();
}

TEST_F(EventFollowerTest, ReloadIndexKeepsFollowing) {
  auto created = a_->state().datastore->createEntry(workloadEntry("w4"));
  ASSERT_TRUE(created.isOk());
  auto reloaded = b_->reloadIndex();
  ASSERT_TRUE(reloaded.isOk());
  EXPECT_NE(b_->index().entry(created->entry_id), nullptr);
  // The event of a write already in the snapshot is re-applied harmlessly.
  ASSERT_TRUE(b_->events().pollOnce().isOk());
  EXPECT_NE(b_->index().entry(created->entry_id), nullptr);
}

} // namespace
} // namespace spire::server::bootstrap
