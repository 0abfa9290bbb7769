// spire-server start-up at SPIRE scale: ServerBootstrap::start (plugins loaded and configured,
// CA resumed from its journal, authorized-entries index filled from the datastore) over a SQLite
// datastore holding 100,000 entries and 10,000 agents with node selectors. Target (issue 4,
// ../shared/perf-anchors.md): < 5 s; the process RSS after start is reported.
//
// The data is bulk-loaded into the plugin's tables (see ../server_sync/bench_server.h); for
// comparison the benchmark also times a few hundred writes through the DataStore facade, the path
// a server's own writes take (one transaction each).
#include <chrono>
#include <cstdio>
#include <filesystem>

#include <unistd.h>

#include "bench_server.h"

namespace {

using namespace spire;
using Clock = std::chrono::steady_clock;

constexpr int kStarts = 3;
constexpr int kFacadeWrites = 300;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double mib(std::uint64_t bytes) {
  return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

} // namespace

int main() {
  const double load_at_start = bench::loadAverage();
  auto dir =
      std::filesystem::temp_directory_path() / ("spire-bench-startup-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::filesystem::path plugins = SPIRE_BENCH_PLUGIN_DIR;
  const bench::Shape shape;

  // A first start creates the schema and the CA journal; then the bulk load.
  {
    auto first = bench::startServer(dir, plugins);
    if (!first.isOk()) {
      std::fprintf(stderr, "first start: %s\n", first.status().message().c_str());
      return 1;
    }
  }
  auto load_start = Clock::now();
  if (Status st = bench::bulkLoad(bench::databasePath(dir), shape); !st.isOk()) {
    std::fprintf(stderr, "bulk load: %s\n", st.message().c_str());
    return 1;
  }
  const double load_s = secondsSince(load_start);
  const std::uint64_t rss_before = bench::residentBytes();

  double start_s[kStarts] = {};
  std::uint64_t rss_after_first = 0;
  std::uint64_t ds_calls_first = 0;
  std::size_t entries = 0;
  std::size_t nodes = 0;
  std::size_t aliases = 0;
  double facade_per_s = 0;
  for (int i = 0; i < kStarts; ++i) {
    auto start = Clock::now();
    auto server = bench::startServer(dir, plugins);
    start_s[i] = secondsSince(start);
    if (!server.isOk()) {
      std::fprintf(stderr, "start: %s\n", server.status().message().c_str());
      return 1;
    }
    if (i == 0) {
      rss_after_first = bench::residentBytes();
      ds_calls_first = bench::dataStorePlugin((*server)->catalog())->callCount();
      entries = (*server)->index().entryCount();
      nodes = (*server)->index().nodeCount();
      aliases = (*server)->index().aliasCount();
    }
    if (i == kStarts - 1) {
      // The facade path, for the record: one transaction (and fsync) per entry.
      const auto& ds = (*server)->catalog().dataStore();
      auto write_start = Clock::now();
      for (int w = 0; w < kFacadeWrites; ++w) {
        plugin_host::Entry entry;
        entry.entry_id = "facade-" + std::to_string(w);
        entry.spiffe_id = "spiffe://example.org/facade/" + std::to_string(w);
        entry.parent_id = bench::agentId(w);
        entry.selectors = {{"unix", "uid:1"}};
        if (!ds.createEntry(entry).isOk()) {
          std::fprintf(stderr, "facade createEntry failed\n");
          return 1;
        }
      }
      facade_per_s = kFacadeWrites / secondsSince(write_start);
    }
  }
  const std::uint64_t db_bytes = std::filesystem::file_size(bench::databasePath(dir));

  std::printf("\nspire-server start-up on SQLite (ServerBootstrap::start)\n");
  std::printf("load average (1 min) at start %.2f, at end %.2f\n", load_at_start,
              bench::loadAverage());
  std::printf("data: %d entries (%d node aliases), %d agents with node selectors; DB %.1f MiB\n",
              shape.entries(), shape.aliases, shape.agents, mib(db_bytes));
  std::printf("bulk load (one SQLite transaction):      %.2f s\n", load_s);
  std::printf("index after start: %zu entries, %zu nodes, %zu aliases\n", entries, nodes, aliases);
  for (int i = 0; i < kStarts; ++i) {
    std::printf("start %d:                                %.3f s  (target < 5 s)\n", i + 1,
                start_s[i]);
  }
  std::printf("DataStore calls during the first start:  %llu\n",
              static_cast<unsigned long long>(ds_calls_first));
  std::printf("RSS before first start %.1f MiB, after %.1f MiB (+%.1f MiB); peak %.1f MiB\n",
              mib(rss_before), mib(rss_after_first), mib(rss_after_first - rss_before),
              mib(bench::peakResidentBytes()));
  std::printf("DataStore facade createEntry:            %.0f entries/s (%d writes; 100k would "
              "take %.0f s)\n",
              facade_per_s, kFacadeWrites, shape.entries() / facade_per_s);
  std::filesystem::remove_all(dir);
  return 0;
}
