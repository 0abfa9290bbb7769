// Bulk listing stays a few statements per page, never one query per entry: 20,000 entries (seeded
// below the ABI in one transaction) are listed while log_sql counts every statement the plugin
// runs.

#include <atomic>
#include <cstdio>
#include <mutex>

#include <spdlog/sinks/base_sink.h>

#include "datastore_conformance/datastore_fixture.h"

namespace spire::datastore_conformance {
namespace {

using plugin_host::EntryFilter;
using plugin_host::Pagination;

constexpr int kEntries = 20000;

class CountingSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  int statements() const { return statements_.load(); }
  void reset() { statements_ = 0; }

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string_view text(msg.payload.data(), msg.payload.size());
    if (text.find("sql: ") != std::string_view::npos) {
      statements_++;
    }
  }
  void flush_() override {}

private:
  std::atomic<int> statements_{0};
};

class BulkTest : public DataStoreTest {
protected:
  void SetUp() override {
    DataStoreTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) {
      return;
    }
    seed();
    sink_ = std::make_shared<CountingSink>();
    auto logger = std::make_shared<spdlog::logger>("bulk", sink_);
    logger->set_level(spdlog::level::trace);
    auto loaded = load(pluginData({{"log_sql", true}}).dump(), logger);
    ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
    ds_ = std::move(loaded).value();
  }

  // Entries "bulk-00000".. with two selectors and one DNS name each, as multi-row INSERTs.
  void seed() {
    constexpr int kBatch = 500;
    for (int first = 0; first < kEntries; first += kBatch) {
      std::string entries, selectors, dns;
      for (int i = first; i < first + kBatch && i < kEntries; ++i) {
        char entry_id[32];
        std::snprintf(entry_id, sizeof entry_id, "bulk-%05d", i);
        const std::string id = std::to_string(i + 1);
        entries += std::string(entries.empty() ? "" : ", ") + "(" + id + ", 1, 1, '" + entry_id +
                   "', 'spiffe://example.org/w/" + std::to_string(i) +
                   "', 'spiffe://example.org/agent', 0, '0', '0', 0, 0, '0', '', 0)";
        for (const char* value : {"uid:1000", i % 2 == 0 ? "gid:0" : "gid:1"}) {
          selectors += std::string(selectors.empty() ? "" : ", ") + "(1, 1, " + id + ", 'unix', '" +
                       value + "')";
        }
        dns += std::string(dns.empty() ? "" : ", ") + "(1, 1, " + id + ", 'w" + std::to_string(i) +
               ".example.org')";
      }
      rawExec("INSERT INTO registered_entries (id, created_at, updated_at, entry_id, spiffe_id, "
              "parent_id, ttl, admin, downstream, expiry, revision_number, store_svid, hint, "
              "jwt_svid_ttl) VALUES " +
              entries);
      rawExec("INSERT INTO selectors (created_at, updated_at, registered_entry_id, type, value) "
              "VALUES " +
              selectors);
      rawExec("INSERT INTO dns_names (created_at, updated_at, registered_entry_id, value) VALUES " +
              dns);
    }
    if (backend() == "postgres") {
      // Explicit ids do not advance the sequence; later inserts must not collide with them.
      rawExec("SELECT setval(pg_get_serial_sequence('registered_entries', 'id'), "
              "(SELECT MAX(id) FROM registered_entries))");
    }
  }

  std::shared_ptr<CountingSink> sink_;
};

TEST_P(BulkTest, ListingEverythingTakesAFewStatementsPerThousandEntries) {
  sink_->reset();
  auto all = ds().listEntries(nullptr, Pagination{});
  ASSERT_TRUE(all.isOk()) << all.status().message();
  ASSERT_EQ(all->items.size(), static_cast<size_t>(kEntries));
  // BEGIN + the entries + 3 child queries per 1000 entries + COMMIT.
  EXPECT_LE(sink_->statements(), 2 + 1 + 3 * (kEntries / 1000));
  for (const auto& e : all->items) {
    ASSERT_EQ(e.selectors.size(), 2u) << e.entry_id;
    ASSERT_EQ(e.dns_names.size(), 1u) << e.entry_id;
  }
  EXPECT_EQ(all->items.front().entry_id, "bulk-00000");
  EXPECT_EQ(all->items.back().entry_id, "bulk-19999");
  EXPECT_EQ(all->items[7].dns_names[0], "w7.example.org");
}

TEST_P(BulkTest, PagingAndFilteringStayBulk) {
  EntryFilter f;
  f.selectors = std::vector<Selector>{{"unix", "gid:0"}};
  f.selectors_match = SPIRE_MATCH_SUPERSET;
  sink_->reset();
  Pagination page{"", 2500};
  size_t seen = 0;
  int pages = 0;
  do {
    auto r = ds().listEntries(&f, page);
    ASSERT_TRUE(r.isOk()) << r.status().message();
    seen += r->items.size();
    page.token = r->next_token;
    ++pages;
  } while (!page.token.empty());
  EXPECT_EQ(seen, static_cast<size_t>(kEntries / 2));
  EXPECT_EQ(pages, 4);
  EXPECT_LE(sink_->statements(), pages * (2 + 1 + 3 * 3));
  sink_->reset();
  EXPECT_EQ(*ds().countEntries(&f), kEntries / 2);
  EXPECT_LE(sink_->statements(), 3);
}

SPIRE_DATASTORE_SUITE(BulkTest);

} // namespace
} // namespace spire::datastore_conformance
