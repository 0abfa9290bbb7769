// Writers racing on one database, as several servers sharing it do: no lost updates, no spurious
// errors (serialization failures and deadlocks are retried inside the plugin).

#include <atomic>
#include <latch>
#include <mutex>
#include <thread>

#include "datastore_conformance/datastore_fixture.h"

namespace spire::datastore_conformance {
namespace {

using plugin_host::X509Authority;

class ConcurrencyTest : public DataStoreTest {
protected:
  // A second plugin instance on the same database: "server B".
  std::unique_ptr<DataStorePlugin> second() {
    auto loaded = load(pluginData().dump());
    EXPECT_TRUE(loaded.isOk()) << loaded.status().message();
    return loaded.isOk() ? std::move(loaded).value() : nullptr;
  }
};

constexpr int kThreads = 4;

TEST_P(ConcurrencyTest, AppendsToOneBundleFromTwoServersLoseNothing) {
  auto b = second();
  ASSERT_NE(b, nullptr);
  Bundle initial = makeBundle("example.org");
  initial.x509_authorities.push_back(X509Authority{makeCert(now() + 3600).der, false});
  ASSERT_TRUE(ds().createBundle(initial).isOk());
  std::vector<plugin_host::Bytes> certs;
  for (int i = 0; i < kThreads; ++i) {
    certs.push_back(makeCert(now() + 3600 + i).der);
  }
  std::mutex mu;
  std::vector<std::string> errors;
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      DataStorePlugin& server = i % 2 == 0 ? ds() : *b;
      Bundle more = makeBundle("example.org");
      more.x509_authorities.push_back(X509Authority{certs[i], false});
      start.arrive_and_wait();
      auto r = server.appendBundle(more);
      if (!r.isOk()) {
        std::lock_guard lock(mu);
        errors.push_back(r.status().message());
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_TRUE(errors.empty()) << errors.front();
  auto final_bundle = *b->fetchBundle("example.org");
  ASSERT_TRUE(final_bundle.has_value());
  EXPECT_EQ(final_bundle->x509_authorities.size(), static_cast<size_t>(kThreads + 1));
}

TEST_P(ConcurrencyTest, EntriesCreatedFromTwoServersAllLand) {
  auto b = second();
  ASSERT_NE(b, nullptr);
  constexpr int kPerThread = 15;
  std::atomic<int> failures{0};
  std::mutex mu;
  std::string last_error;
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      DataStorePlugin& server = t % 2 == 0 ? ds() : *b;
      start.arrive_and_wait();
      for (int i = 0; i < kPerThread; ++i) {
        std::string id = std::to_string(t) + "-" + std::to_string(i);
        auto r = server.createEntry(makeEntry("/w/" + id, "/agent", {{"unix", "uid:" + id}}));
        if (!r.isOk()) {
          failures++;
          std::lock_guard lock(mu);
          last_error = r.status().message();
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(failures.load(), 0) << last_error;
  EXPECT_EQ(*b->countEntries(nullptr), kThreads * kPerThread);
  // Every write recorded its event, and event ids are unique.
  auto events = ds().listEntryEvents(0);
  ASSERT_TRUE(events.isOk());
  EXPECT_EQ(events->size(), static_cast<size_t>(kThreads * kPerThread));
}

SPIRE_DATASTORE_SUITE(ConcurrencyTest);

} // namespace
} // namespace spire::datastore_conformance
