// The manager as a running agent: the EntryChanges watch, polling when the server lacks it,
// back-off on server errors, serving from the cache while the server is down, workload
// attestation, JWT-SVIDs and subscriptions. Waits are deadline-bound, never sleeps.

#include "agent/manager/fake_server.h"
#include "agent/manager/manager_fixture.h"
#include "jwt/jwt_svid.h"

namespace spire::testing {
namespace {

using agent::endpoints::IdentitySnapshot;

std::string uid() {
  return std::to_string(::getuid());
}

class LiveTest : public ManagerTest {
protected:
  std::string addWorkload(const std::string& path, const std::string& uid_value = uid()) {
    return server_.addEntry("spiffe://example.org" + path, agentId(),
                            {{"unix", "uid:" + uid_value}});
  }
  static std::function<bool(const IdentitySnapshot&)> hasSvids(size_t n) {
    return [n](const IdentitySnapshot& snapshot) { return snapshot.svids.size() == n; };
  }
};

TEST_F(LiveTest, EntryChangeNotificationTriggersASyncAtOnce) {
  auto catalog = loadCatalog();
  auto manager = startManager(config(), *catalog); // sync_interval: 1 h
  ASSERT_TRUE(manager) << manager.status().toString();
  ASSERT_TRUE(server_.waitFor([](const FakeServerCounters& c) { return c.watch >= 1; }));
  SnapshotSink sink;
  auto subscription = (*manager)->subscribe(
      uidSelectors(uid()), [&sink](auto snapshot) { sink.push(std::move(snapshot)); });
  ASSERT_TRUE(subscription);
  EXPECT_TRUE((*manager)->identitiesFor(uidSelectors(uid()))->svids.empty());

  addWorkload("/web");
  auto snapshot = sink.waitFor(hasSvids(1));
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->svids[0]->id.toString(), "spiffe://example.org/web");
  EXPECT_TRUE((*manager)->status().watching);
}

TEST_F(LiveTest, WithoutEntryChangesTheAgentPollsEverySyncInterval) {
  server_.setWatchUnimplemented(true);
  auto catalog = loadCatalog();
  agent::manager::ManagerConfig cfg = config();
  cfg.sync_interval = std::chrono::milliseconds(100);
  auto manager = startManager(cfg, *catalog);
  ASSERT_TRUE(manager) << manager.status().toString();
  SnapshotSink sink;
  auto subscription = (*manager)->subscribe(
      uidSelectors(uid()), [&sink](auto snapshot) { sink.push(std::move(snapshot)); });
  addWorkload("/web");
  ASSERT_NE(sink.waitFor(hasSvids(1)), nullptr);
  EXPECT_EQ(server_.counters().watch, 0);
  EXPECT_FALSE((*manager)->status().watching);
}

TEST_F(LiveTest, SyncErrorsBackOffExponentiallyThenRecover) {
  auto catalog = loadCatalog();
  agent::manager::ManagerConfig cfg = config();
  cfg.sync_interval = std::chrono::milliseconds(100);
  cfg.watch_entry_changes = false;
  auto manager = startManager(cfg, *catalog);
  ASSERT_TRUE(manager) << manager.status().toString();
  const size_t before = server_.counters().sync_times.size(); // the initial sync
  server_.failSyncs(3, grpc::StatusCode::UNAVAILABLE);
  // Three failures, then two successes (the failure count is back to 0).
  ASSERT_TRUE(server_.waitFor(
      [&](const FakeServerCounters& c) { return c.sync_times.size() >= before + 5; },
      std::chrono::seconds(10)));
  const auto times = server_.counters().sync_times;
  auto gap = [&](size_t i) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(times[i] - times[i - 1]);
  };
  // Attempt k after k failures waits 100 ms * 2^k (lower bounds only: a loaded machine is slow).
  EXPECT_GE(gap(before + 1).count(), 190); // after 1 failure: 200 ms
  EXPECT_GE(gap(before + 2).count(), 380); // after 2: 400 ms
  EXPECT_GE(gap(before + 3).count(), 760); // after 3: 800 ms, then this one succeeds
  ASSERT_TRUE(server_.waitFor(
      [&](const FakeServerCounters&) { return (*manager)->status().sync_failures == 0; }));
}

TEST_F(LiveTest, CachedSvidsAreServedWhileTheServerIsDown) {
  addWorkload("/web");
  auto catalog = loadCatalog();
  auto manager = startManager(config(), *catalog);
  ASSERT_TRUE(manager) << manager.status().toString();
  const auto svid = (*manager)->identitiesFor(uidSelectors(uid()))->svids.at(0);
  const int port = server_.port();

  server_.stop();
  Status failed = (*manager)->syncNow();
  EXPECT_EQ(failed.code(), StatusCode::kUnavailable);
  EXPECT_EQ(failed.message().rfind("failed to sync entries: ", 0), 0u) << failed.message();
  EXPECT_EQ((*manager)->status().sync_failures, 1u);
  auto snapshot = (*manager)->identitiesFor(uidSelectors(uid()));
  ASSERT_EQ(snapshot->svids.size(), 1u);
  EXPECT_EQ(snapshot->svids[0], svid);
  EXPECT_NE(snapshot->bundle, nullptr);
  // JWT-SVIDs need the server: the caller learns why.
  Result<std::string> jwt = (*manager)->fetchJwtSvid(uidSelectors(uid()), svid->id, {"audience"});
  ASSERT_FALSE(jwt);
  EXPECT_EQ(jwt.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(jwt.status().message().rfind("could not fetch JWT-SVID: ", 0), 0u);

  // The server comes back on the same port and the agent catches up.
  server_.start(port);
  addWorkload("/api");
  ASSERT_TRUE((*manager)->syncNow().isOk());
  EXPECT_EQ((*manager)->identitiesFor(uidSelectors(uid()))->svids.size(), 2u);
  EXPECT_EQ((*manager)->status().sync_failures, 0u);
}

TEST_F(LiveTest, WorkloadsAreAttestedWithTheCatalogsAttestors) {
  auto catalog = loadCatalog();
  auto manager = startManager(config(), *catalog);
  ASSERT_TRUE(manager) << manager.status().toString();
  agent::endpoints::CallerCredentials caller;
  caller.pid = ::getpid();
  caller.uid = ::getuid();
  caller.gid = ::getgid();
  Result<agent::endpoints::Selectors> selectors = (*manager)->attest(caller);
  ASSERT_TRUE(selectors) << selectors.status().toString();
  const agent::endpoints::Selector expected{"unix", "uid:" + uid()};
  EXPECT_NE(std::find(selectors->begin(), selectors->end(), expected), selectors->end());
}

TEST_F(LiveTest, JwtSvidsAreMintedOnDemandAndCached) {
  addWorkload("/web");
  auto catalog = loadCatalog();
  auto manager = startManager(config(), *catalog);
  ASSERT_TRUE(manager) << manager.status().toString();
  const auto id = spiffe::SpiffeId::parse("spiffe://example.org/web").value();

  Result<std::string> token = (*manager)->fetchJwtSvid(uidSelectors(uid()), id, {"a", "b"});
  ASSERT_TRUE(token) << token.status().toString();
  auto snapshot = (*manager)->identitiesFor(uidSelectors(uid()));
  jwt::JwtBundleSet bundles;
  bundles.add(*snapshot->jwt_bundle);
  Result<jwt::JwtSvid> parsed =
      jwt::parseAndValidate(*token, bundles, {"a"}, std::chrono::system_clock::now());
  ASSERT_TRUE(parsed) << parsed.status().toString();
  EXPECT_EQ(parsed->id, id);

  // Same audience in another order: served from the cache.
  Result<std::string> again = (*manager)->fetchJwtSvid(uidSelectors(uid()), id, {"b", "a"});
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *token);
  EXPECT_EQ(server_.counters().jwt, 1);
  EXPECT_EQ((*manager)->status().cached_jwt_svids, 1u);
  // Another audience: a new token.
  ASSERT_TRUE((*manager)->fetchJwtSvid(uidSelectors(uid()), id, {"c"}));
  EXPECT_EQ(server_.counters().jwt, 2);
  // Past half-life (JWT TTL 300 s): minted again.
  clock_.advance(std::chrono::seconds(151));
  ASSERT_TRUE((*manager)->fetchJwtSvid(uidSelectors(uid()), id, {"a", "b"}));
  EXPECT_EQ(server_.counters().jwt, 3);

  // An identity the caller is not entitled to.
  Result<std::string> denied = (*manager)->fetchJwtSvid(uidSelectors("4242"), id, {"a"});
  EXPECT_EQ(denied.status(), Status(StatusCode::kPermissionDenied, "no identity issued"));
  EXPECT_EQ(server_.counters().jwt, 3);
}

TEST_F(LiveTest, NotPrefetchedSvidsAreSignedOnceAWorkloadSubscribes) {
  const std::string web = addWorkload("/web");
  server_.updateEntry(web, [](spire::api::types::Entry& entry) {
    entry.mutable_additional_attributes()->set_disable_x509_svid_prefetch(true);
  });
  auto catalog = loadCatalog();
  agent::manager::ManagerConfig cfg = config();
  cfg.watch_entry_changes = false; // only the subscription can trigger the sync
  auto manager = startManager(cfg, *catalog);
  ASSERT_TRUE(manager) << manager.status().toString();
  EXPECT_EQ((*manager)->status().entries, 1u);
  EXPECT_EQ((*manager)->status().cached_x509_svids, 0u);
  SnapshotSink sink;
  auto subscription = (*manager)->subscribe(
      uidSelectors(uid()), [&sink](auto snapshot) { sink.push(std::move(snapshot)); });
  ASSERT_NE(sink.waitFor(hasSvids(1)), nullptr);
  EXPECT_EQ(server_.counters().svids_signed, 1);
}

TEST_F(LiveTest, JwtSvidsOfRemovedEntriesAreDropped) {
  const std::string web = addWorkload("/web");
  auto catalog = loadCatalog();
  auto manager = startManager(config(), *catalog);
  ASSERT_TRUE(manager) << manager.status().toString();
  const auto id = spiffe::SpiffeId::parse("spiffe://example.org/web").value();
  ASSERT_TRUE((*manager)->fetchJwtSvid(uidSelectors(uid()), id, {"a"}));
  EXPECT_EQ((*manager)->status().cached_jwt_svids, 1u);
  server_.removeEntry(web);
  ASSERT_TRUE((*manager)->syncNow().isOk());
  EXPECT_EQ((*manager)->status().cached_jwt_svids, 0u);
  EXPECT_EQ((*manager)->fetchJwtSvid(uidSelectors(uid()), id, {"a"}).status(),
            Status(StatusCode::kPermissionDenied, "no identity issued"));
}

TEST_F(LiveTest, SubscriptionsSeeChangesUntilTheyAreDestroyed) {
  const std::string web = addWorkload("/web");
  auto catalog = loadCatalog();
  auto manager = startManager(config(), *catalog);
  ASSERT_TRUE(manager) << manager.status().toString();
  SnapshotSink sink;
  auto subscription = (*manager)->subscribe(
      uidSelectors(uid()), [&sink](auto snapshot) { sink.push(std::move(snapshot)); });
  ASSERT_TRUE(subscription);
  // Nothing changed since subscribing: no callback from a sync.
  ASSERT_TRUE((*manager)->syncNow().isOk());
  EXPECT_EQ(sink.count(), 0u);

  server_.removeEntry(web);
  ASSERT_TRUE((*manager)->syncNow().isOk());
  ASSERT_NE(sink.waitFor(hasSvids(0)), nullptr);
  const size_t seen = sink.count();

  subscription->reset();
  addWorkload("/api");
  ASSERT_TRUE((*manager)->syncNow().isOk());
  EXPECT_EQ(sink.count(), seen);
}

} // namespace
} // namespace spire::testing
