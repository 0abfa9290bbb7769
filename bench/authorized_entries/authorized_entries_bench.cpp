// bench_authorized_entries: the in-memory authorized-entries index at the scale of issue 4
// (100,000 entries, 10,000 agents). Prints figures; no Google Benchmark loop is needed because the
// quantities of interest are percentiles over distinct agents, not one repeated call.
//
// Shape (deterministic, no randomness in the data):
//   agents     10,000, node selectors like a k8s_psat + aws_iid agent: cluster (20 clusters),
//              agent_ns, node name (unique), region (8), az (3 per region)
//   aliases    60 node aliases parented to spiffe://<td>/spire/server: 20 by cluster (1 selector),
//              8 by region + namespace (2), 24 by region + az + namespace (3), 8 matching no agent
//              (1-3 selectors); every agent belongs to exactly 3 aliases
//   entries    90,000 parented to agents (9 each), 5,000 one level deeper (parented to an agent
//              entry's SPIFFE ID), 4,940 parented to aliases; 100,000 entries in all

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <random>
#include <string>
#include <thread>
#include <time.h>
#include <vector>

#include "server/registration/authorized_entries_index.h"
#include "server/registration/sync_pager.h"

namespace reg = spire::server::registration;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kAgents = 10'000;
constexpr int kEntriesTotal = 100'000;
constexpr int kPerAgent = 9;
constexpr int kNested = 5'000;
constexpr int kClusters = 20;
constexpr int kRegions = 8;
constexpr int kAzPerRegion = 3;

long rssKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stol(line.substr(6));
    }
  }
  return -1;
}

std::string uuidLike(std::uint64_t n) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08llx-0000-4000-8000-%012llx",
                static_cast<unsigned long long>(n * 2654435761u % 0xffffffffu),
                static_cast<unsigned long long>(n));
  return buf;
}

std::string agentId(int i) {
  return "spiffe://example.org/spire/agent/k8s_psat/c" + std::to_string(i % kClusters) + "/" +
         uuidLike(1'000'000 + static_cast<std::uint64_t>(i));
}

reg::Entry makeEntry(std::uint64_t n, std::string parent, std::string spiffe_id,
                     std::vector<reg::Selector> selectors) {
  reg::Entry e;
  e.entry_id = uuidLike(n);
  e.parent_id = std::move(parent);
  e.spiffe_id = std::move(spiffe_id);
  e.selectors = std::move(selectors);
  e.x509_svid_ttl = 3600;
  e.jwt_svid_ttl = 300;
  e.revision_number = 1;
  e.created_at = 1'700'000'000 + static_cast<std::int64_t>(n);
  return e;
}

struct Dataset {
  std::vector<reg::Entry> entries;
  std::vector<reg::NodeSelectors> nodes;
  std::vector<std::string> agent_ids;
};

Dataset makeDataset() {
  Dataset d;
  d.entries.reserve(kEntriesTotal);
  const std::string server = "spiffe://example.org/spire/server";
  std::uint64_t n = 0;

  for (int i = 0; i < kAgents; ++i) {
    const int region = i % kRegions;
    const int az = (i / kRegions) % kAzPerRegion;
    d.agent_ids.push_back(agentId(i));
    d.nodes.push_back({d.agent_ids.back(),
                       {{"k8s_psat", "cluster:c" + std::to_string(i % kClusters)},
                        {"k8s_psat", "agent_ns:spire"},
                        {"k8s_psat", "agent_node_name:node-" + std::to_string(i)},
                        {"aws_iid", "region:r" + std::to_string(region)},
                        {"aws_iid", "az:r" + std::to_string(region) + "-" + std::to_string(az)}}});
  }

  std::vector<std::string> alias_ids;
  auto alias = [&](std::string name, std::vector<reg::Selector> selectors) {
    alias_ids.push_back("spiffe://example.org/alias/" + name);
    d.entries.push_back(makeEntry(n++, server, alias_ids.back(), std::move(selectors)));
  };
  for (int c = 0; c < kClusters; ++c) {
    alias("cluster-" + std::to_string(c), {{"k8s_psat", "cluster:c" + std::to_string(c)}});
  }
  for (int r = 0; r < kRegions; ++r) {
    alias("region-" + std::to_string(r),
          {{"aws_iid", "region:r" + std::to_string(r)}, {"k8s_psat", "agent_ns:spire"}});
  }
  for (int r = 0; r < kRegions; ++r) {
    for (int z = 0; z < kAzPerRegion; ++z) {
      const std::string rs = "r" + std::to_string(r);
      alias("az-" + rs + "-" + std::to_string(z),
            {{"aws_iid", "region:" + rs},
             {"aws_iid", "az:" + rs + "-" + std::to_string(z)},
             {"k8s_psat", "agent_ns:spire"}});
    }
  }
  for (int k = 0; k < 8; ++k) { // aliases nobody matches
    std::vector<reg::Selector> selectors = {{"k8s_psat", "cluster:c" + std::to_string(k)}};
    if (k % 3 >= 1) {
      selectors.push_back({"aws_iid", "region:nowhere"});
    }
    if (k % 3 == 2) {
      selectors.push_back({"k8s_psat", "agent_ns:other"});
    }
    alias("unmatched-" + std::to_string(k), std::move(selectors));
  }

  std::vector<std::string> agent_entry_ids;
  agent_entry_ids.reserve(static_cast<std::size_t>(kAgents) * kPerAgent);
  for (int i = 0; i < kAgents; ++i) {
    for (int j = 0; j < kPerAgent; ++j) {
      std::string id =
          "spiffe://example.org/ns/app" + std::to_string(j) + "/pod-" + std::to_string(i);
      d.entries.push_back(
          makeEntry(n++, d.agent_ids[static_cast<std::size_t>(i)], id,
                    {{"k8s", "ns:app" + std::to_string(j)}, {"k8s", "sa:sa" + std::to_string(j)}}));
      agent_entry_ids.push_back(std::move(id));
    }
  }
  for (int k = 0; k < kNested; ++k) {
    const std::string& parent =
        agent_entry_ids[static_cast<std::size_t>(k) * 17 % agent_entry_ids.size()];
    d.entries.push_back(makeEntry(n++, parent, parent + "/sidecar", {{"unix", "uid:1337"}}));
  }
  const std::size_t under_aliases = static_cast<std::size_t>(kEntriesTotal) - d.entries.size();
  for (std::size_t k = 0; k < under_aliases; ++k) {
    const std::string& parent = alias_ids[k % alias_ids.size()];
    d.entries.push_back(
        makeEntry(n++, parent, parent + "/daemon-" + std::to_string(k),
                  {{"k8s", "ns:kube-system"}, {"k8s", "pod-label:app:d" + std::to_string(k)}}));
  }
  return d;
}

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0, mean = 0;
};

Percentiles percentiles(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  Percentiles p;
  p.p50 = us[us.size() / 2];
  p.p99 = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  p.max = us.back();
  p.mean = std::accumulate(us.begin(), us.end(), 0.0) / static_cast<double>(us.size());
  return p;
}

// CPU time of this thread: unlike wall time it does not count the slices other processes take
// on a shared machine.
double threadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

double micros(Clock::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

void print(const char* what, const Percentiles& p) {
  std::printf("%-40s p50 %9.1f us  p99 %9.1f us  max %9.1f us  mean %9.1f us\n", what, p.p50, p.p99,
              p.max, p.mean);
}

} // namespace

int main() {
  const long rss_start = rssKiB();
  Dataset data = makeDataset();
  const std::size_t entry_count = data.entries.size();
  const std::vector<std::string> agents = data.agent_ids;
  const long rss_data = rssKiB();

  reg::AuthorizedEntriesIndex index(*spire::spiffe::TrustDomain::parse("example.org"));
  const auto build_start = Clock::now();
  index.rebuild(std::move(data.entries), std::move(data.nodes));
  const auto build_time = Clock::now() - build_start;
  data = Dataset{}; // the index owns the records now
  const long rss_index = rssKiB();

  std::printf("authorized-entries index: %zu entries (%zu aliases), %zu agents\n", entry_count,
              index.aliasCount(), index.nodeCount());
  std::printf("build (rebuild from lists)               %9.1f ms\n",
              std::chrono::duration<double, std::milli>(build_time).count());
  std::printf("RSS at start / with input lists / with index only: %ld / %ld / %ld KiB "
              "(index ~ %ld KiB over start)\n",
              rss_start, rss_data, rss_index, rss_index - rss_start);

  // Lookups: every agent, 3 rounds, shuffled order.
  std::vector<std::size_t> order;
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < agents.size(); ++i) {
      order.push_back(i);
    }
  }
  std::mt19937 rng(42);
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<double> lookup_us;
  lookup_us.reserve(order.size());
  std::size_t entries_seen = 0;
  std::size_t max_entries = 0;
  std::vector<double> lookup_cpu_us;
  lookup_cpu_us.reserve(order.size());
  for (std::size_t i : order) {
    const double c0 = threadCpuMicros();
    const auto t0 = Clock::now();
    const auto result = index.authorizedEntries(agents[i]);
    lookup_us.push_back(micros(Clock::now() - t0));
    lookup_cpu_us.push_back(threadCpuMicros() - c0);
    entries_seen += result.entries.size();
    max_entries = std::max(max_entries, result.entries.size());
  }
  std::printf("entries per agent: mean %.1f, max %zu\n",
              static_cast<double>(entries_seen) / static_cast<double>(order.size()), max_entries);
  print("authorizedEntries(agent), 30,000 calls", percentiles(lookup_us));
  print("  same, thread CPU time", percentiles(lookup_cpu_us));

  std::vector<double> changed_us;
  std::uint64_t since = index.revision();
  for (std::size_t k = 0; k < 10'000; ++k) {
    const auto t0 = Clock::now();
    volatile bool changed = index.changedSince(agents[order[k]], since);
    (void)changed;
    changed_us.push_back(micros(Clock::now() - t0));
  }
  print("changedSince(agent, rev), 10,000 calls", percentiles(changed_us));

  // Pager over one agent's set (the SyncAuthorizedEntries first response).
  std::vector<double> pager_us;
  for (std::size_t k = 0; k < 2'000; ++k) {
    auto result = index.authorizedEntries(agents[order[k]]);
    const auto t0 = Clock::now();
    reg::SyncPager pager(std::move(result.entries));
    volatile std::size_t pages = pager.initialPages().size();
    (void)pages;
    pager_us.push_back(micros(Clock::now() - t0));
  }
  print("SyncPager initial pages, 2,000 agents", percentiles(pager_us));

  // Incremental writes: new entries under agents, then selector changes.
  std::vector<double> upsert_us;
  for (int k = 0; k < 2'000; ++k) {
    reg::Entry e = makeEntry(10'000'000 + static_cast<std::uint64_t>(k),
                             agents[static_cast<std::size_t>(k * 7) % agents.size()],
                             "spiffe://example.org/new/" + std::to_string(k), {{"k8s", "ns:new"}});
    const auto t0 = Clock::now();
    index.upsertEntry(std::move(e));
    upsert_us.push_back(micros(Clock::now() - t0));
  }
  print("upsertEntry, 2,000 calls", percentiles(upsert_us));
  std::vector<double> nodes_us;
  for (int k = 0; k < 2'000; ++k) {
    const auto t0 = Clock::now();
    index.setNodeSelectors(agents[static_cast<std::size_t>(k)],
                           {{"k8s_psat", "cluster:c" + std::to_string(k % kClusters)},
                            {"k8s_psat", "agent_ns:spire"}});
    nodes_us.push_back(micros(Clock::now() - t0));
  }
  print("setNodeSelectors, 2,000 calls", percentiles(nodes_us));

  // Change -> notified waiter latency (what an agent push stream would see).
  std::vector<double> notify_us;
  for (int k = 0; k < 200; ++k) {
    const std::uint64_t rev = index.revision();
    std::atomic<std::int64_t> woke_ns{0};
    std::thread waiter([&] {
      index.waitForRevisionAfter(rev, Clock::now() + std::chrono::seconds(10));
      woke_ns = Clock::now().time_since_epoch().count();
    });
    const auto t0 = Clock::now();
    index.upsertEntry(makeEntry(20'000'000 + static_cast<std::uint64_t>(k), agents[0],
                                "spiffe://example.org/notify/" + std::to_string(k), {{"a", "b"}}));
    waiter.join();
    notify_us.push_back(micros(Clock::duration(woke_ns.load()) - t0.time_since_epoch()));
  }
  print("write -> waitForRevisionAfter wake, 200x", percentiles(notify_us));

  // Two reader threads at once (the machine has 2 cores).
  std::atomic<std::size_t> next{0};
  const auto t0 = Clock::now();
  auto reader = [&] {
    for (std::size_t k = next++; k < order.size(); k = next++) {
      volatile std::size_t n = index.authorizedEntries(agents[order[k]]).entries.size();
      (void)n;
    }
  };
  std::thread r1(reader);
  std::thread r2(reader);
  r1.join();
  r2.join();
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("2 reader threads: %.0f lookups/s\n", static_cast<double>(order.size()) / secs);
  std::printf("final RSS %ld KiB\n", rssKiB());
  return 0;
}
