// The fixture itself: the bootstrap over real plugins yields a CA ready to sign and an index that
// reflects the datastore, also after a reload.
#include <gtest/gtest.h>

#include "server_fixture.h"

namespace spire::server::api::testing {
namespace {

TEST(ServerFixtureTest, BootstrapsCaDatastoreAndIndex) {
  auto fixture = ServerFixture::create();
  ASSERT_TRUE(fixture.isOk()) << fixture.status().message();
  ServerFixture& f = **fixture;
  EXPECT_EQ(f.state().trust_domain.name(), "example.org");
  auto snapshot = f.ca().snapshot();
  ASSERT_NE(snapshot->x509, nullptr);
  ASSERT_NE(snapshot->jwt, nullptr);
  EXPECT_EQ(f.index().entryCount(), 0u);

  plugin_host::Entry entry;
  entry.spiffe_id = "spiffe://example.org/workload";
  entry.parent_id = "spiffe://example.org/spire/agent/join_token/abc";
  entry.selectors = {{"unix", "uid:1000"}};
  auto created = f.datastore().createEntry(entry);
  ASSERT_TRUE(created.isOk()) << created.status().message();
  auto reloaded = f.bootstrap().reloadIndex();
  ASSERT_TRUE(reloaded.isOk()) << reloaded.status().message();
  EXPECT_EQ(*reloaded, 1u);
  auto authorized = f.index().authorizedEntries(entry.parent_id);
  ASSERT_EQ(authorized.entries.size(), 1u);
  EXPECT_EQ(authorized.entries[0]->entry_id, created->entry_id);
}

TEST(ServerFixtureTest, FakeClockMovesTheCaClock) {
  ServerFixtureOptions options;
  options.fake_clock = true;
  auto fixture = ServerFixture::create(options);
  ASSERT_TRUE(fixture.isOk()) << fixture.status().message();
  TimePoint before = (*fixture)->state().now();
  (*fixture)->advance(std::chrono::hours(1));
  EXPECT_EQ((*fixture)->state().now() - before, std::chrono::hours(1));
}

TEST(ServerFixtureTest, RefusesAnInvalidTrustDomain) {
  ServerFixtureOptions options;
  options.trust_domain = "Not A Domain";
  auto fixture = ServerFixture::create(options);
  ASSERT_FALSE(fixture.isOk());
}

} // namespace
} // namespace spire::server::api::testing
