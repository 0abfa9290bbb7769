// Agent syncs against spire-server at SPIRE scale (issue 4, ../shared/perf-anchors.md): a server
// assembled as `spire-server run` assembles it (ServerBootstrap on SQLite with 10,000 agents and
// 100,000 entries, PolicyAuthorizer, EntryService and EntryChangesService on ServerEndpoints),
// called by agents over real mTLS connections with agent X.509-SVIDs signed by the server's CA.
// Prints:
//   * DataStore calls per steady-state SyncAuthorizedEntries (target 0), counted by the
//     DataStore plugin's call counter, back to back and at an agent-like cadence (a gap longer
//     than the authorizer's node cache TTL);
//   * sync and GetAuthorizedEntries latency p50/p99 over TLS;
//   * authorized-entry lookup for every one of the 10,000 agents, in-process (target p99 < 5 ms);
//   * entry created (BatchCreateEntry over the admin socket) -> WatchAuthorizedEntries message ->
//     the agent's follow-up sync holds the entry, p50/p99 (target < 500 ms).
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>

#include "bench_server.h"
#include "crypto/certificate.h"
#include "crypto/key.h"
#include "server/api/changes/entry_changes_service.h"
#include "server/api/entry/entry_service.h"
#include "server/endpoints/policy_authorizer.h"
#include "server/endpoints/server_endpoints.h"

namespace {

using namespace spire;
using Clock = std::chrono::steady_clock;
namespace entryv1 = ::spire::api::server::entry::v1;
namespace changesv1 = ::spirecpp::server::changes::v1;

constexpr int kConnectedAgents = 100; // agents with an SVID and a TLS connection
constexpr int kSteadySyncs = 3000;    // back-to-back syncs, round robin over connected agents
constexpr int kCadenceRounds = 3;     // rounds of one sync per agent, spaced by > node cache TTL
constexpr int kGetCalls = 1000;       // GetAuthorizedEntries calls
constexpr int kWatchedAgents = 20;
constexpr int kWatchEvents = 200;

double ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double threadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// p-th percentile (0..100) of a sample, nearest rank.
double percentile(std::vector<double> v, double p) {
  if (v.empty()) {
    return 0;
  }
  std::sort(v.begin(), v.end());
  auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(rank, v.size() - 1)];
}

// Forwards to one of two PolicyAuthorizers, so one server can be measured with the daemon's
// default node cache TTL and with a long one, on the same connections.
class SwitchAuthorizer final : public server::api::Authorizer {
public:
  explicit SwitchAuthorizer(const server::api::Authorizer& initial) : current_(&initial) {}
  void use(const server::api::Authorizer& next) { current_.store(&next); }
  Result<server::api::Caller> authorize(const grpc::ServerContext& context,
                                        std::string_view method) const override {
    return current_.load()->authorize(context, method);
  }

private:
  std::atomic<const server::api::Authorizer*> current_;
};

struct Agent {
  int index = 0;
  std::string id;
  std::string key_pem;
  std::string chain_pem;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<entryv1::Entry::Stub> entries;
};

std::shared_ptr<grpc::Channel> tlsChannel(const std::string& target, const std::string& roots,
                                          const Agent& agent) {
  std::vector<grpc::experimental::IdentityKeyCertPair> pairs{{agent.key_pem, agent.chain_pem}};
  auto provider = std::make_shared<grpc::experimental::StaticDataCertificateProvider>(roots, pairs);
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(provider);
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  options.set_verify_server_certs(true);
  // The server's SVID has a URI SAN only: its chain is verified, the host name is not.
  options.set_certificate_verifier(std::make_shared<grpc::experimental::NoOpCertificateVerifier>());
  options.set_check_call_host(false);
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(target, grpc::experimental::TlsCredentials(options), args);
}

std::unique_ptr<grpc::ClientContext> context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return ctx;
}

// One SyncAuthorizedEntries as an agent runs it: ask, read pages; when the server sent revisions
// (sets of 500+), ask for the entries not in `known` and read those. Returns the entry IDs the
// agent now holds, or nullopt on an RPC error.
std::optional<std::vector<std::string>> sync(entryv1::Entry::Stub& stub) {
  auto ctx = context();
  auto stream = stub.SyncAuthorizedEntries(ctx.get());
  entryv1::SyncAuthorizedEntriesRequest request;
  if (!stream->Write(request)) {
    return std::nullopt;
  }
  std::vector<std::string> ids;
  std::vector<std::string> revisions;
  entryv1::SyncAuthorizedEntriesResponse response;
  while (stream->Read(&response)) {
    for (const auto& entry : response.entries()) {
      ids.push_back(entry.id());
    }
    for (const auto& revision : response.entry_revisions()) {
      revisions.push_back(revision.id());
    }
    if (!response.more()) {
      break;
    }
  }
  if (!revisions.empty()) {
    entryv1::SyncAuthorizedEntriesRequest more;
    for (const auto& id : revisions) {
      more.add_ids(id);
    }
    stream->Write(more);
    while (stream->Read(&response)) {
      for (const auto& entry : response.entries()) {
        ids.push_back(entry.id());
      }
      if (!response.more()) {
        break;
      }
    }
  }
  stream->WritesDone();
  while (stream->Read(&response)) {
  }
  if (!stream->Finish().ok()) {
    return std::nullopt;
  }
  return ids;
}

// The watch side of one agent: a thread reading WatchAuthorizedEntries; when the entry the main
// thread is waiting for is announced, it syncs and reports when the entry arrived.
class Watcher {
public:
  Watcher(Agent& agent, changesv1::EntryChanges::Stub& stub) : agent_(agent), stub_(stub) {}

  void start() {
    thread_ = std::thread([this] { run(); });
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return opened_; });
  }
  void stop() {
    ctx_.TryCancel();
    thread_.join();
  }
  // Arms the watcher for `entry_id`; then the caller creates the entry.
  void expect(const std::string& entry_id) {
    std::lock_guard lock(mutex_);
    expected_ = entry_id;
    done_ = false;
  }
  // Waits for the entry to reach the agent: (message time, synced time), or nullopt on timeout.
  std::optional<std::pair<Clock::time_point, Clock::time_point>> wait() {
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, std::chrono::seconds(10), [&] { return done_; })) {
      return std::nullopt;
    }
    return std::make_pair(message_at_, synced_at_);
  }

private:
  void run() {
    changesv1::WatchAuthorizedEntriesRequest request;
    auto reader = stub_.WatchAuthorizedEntries(&ctx_, request);
    changesv1::AuthorizedEntriesChanged message;
    while (reader->Read(&message)) {
      const auto at = Clock::now();
      std::string expected;
      {
        std::lock_guard lock(mutex_);
        if (!opened_) {
          opened_ = true; // the first message is the current revision
          cv_.notify_all();
          continue;
        }
        expected = expected_;
      }
      if (expected.empty()) {
        continue;
      }
      auto ids = sync(*agent_.entries);
      const auto synced = Clock::now();
      if (ids && std::find(ids->begin(), ids->end(), expected) != ids->end()) {
        std::lock_guard lock(mutex_);
        message_at_ = at;
        synced_at_ = synced;
        expected_.clear();
        done_ = true;
        cv_.notify_all();
      }
    }
    reader->Finish();
    std::lock_guard lock(mutex_);
    opened_ = true;
    cv_.notify_all();
  }

  Agent& agent_;
  changesv1::EntryChanges::Stub& stub_;
  grpc::ClientContext ctx_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool opened_ = false;
  std::string expected_;
  bool done_ = false;
  Clock::time_point message_at_;
  Clock::time_point synced_at_;
};

void printLatency(const char* what, const std::vector<double>& v, const char* target) {
  std::printf("%-44s p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  (n=%zu)%s%s\n", what,
              percentile(v, 50), percentile(v, 99), percentile(v, 100), v.size(),
              target[0] != 0 ? "  target " : "", target);
}

} // namespace

int main() {
  // The agents' channels check no host name (the server SVID has a URI SAN only); gRPC would log
  // "No match found for server name" on every handshake.
  setenv("GRPC_VERBOSITY", "NONE", 0);
  const double load_at_start = bench::loadAverage();
  auto dir =
      std::filesystem::temp_directory_path() / ("spire-bench-sync-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::filesystem::path plugins = SPIRE_BENCH_PLUGIN_DIR;
  const bench::Shape shape;
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
  const double load_ms = ms(Clock::now() - load_start);
  auto started = bench::startServer(dir, plugins);
  if (!started.isOk()) {
    std::fprintf(stderr, "start: %s\n", started.status().message().c_str());
    return 1;
  }
  server::bootstrap::ServerBootstrap& boot = **started;
  const plugin_host::LoadedPlugin& ds_plugin = *bench::dataStorePlugin(boot.catalog());
  const auto& ds = boot.catalog().dataStore();

  // The daemon's services (server_run.cpp builds the same), on TCP (agents) and the UDS (admin).
  server::endpoints::PolicyAuthorizer authorizer(boot.state());
  server::endpoints::PolicyAuthorizer long_cache_authorizer(
      boot.state(), {.node_cache_ttl = std::chrono::minutes(10)});
  SwitchAuthorizer switch_authorizer(authorizer);
  server::api::entry::EntryService entry_service(boot.state(), switch_authorizer);
  server::api::changes::EntryChangesService changes_service(boot.state(), switch_authorizer);
  server::endpoints::EndpointsConfig endpoints_config;
  endpoints_config.bind_address = "127.0.0.1";
  endpoints_config.bind_port = 0;
  endpoints_config.socket_path = (dir / "api.sock").string();
  auto endpoints = server::endpoints::ServerEndpoints::start(endpoints_config, boot.state(),
                                                             {&entry_service, &changes_service});
  if (!endpoints.isOk()) {
    std::fprintf(stderr, "endpoints: %s\n", endpoints.status().message().c_str());
    return 1;
  }
  const std::string target = (*endpoints)->tcpTarget();
  const std::string roots = boot.ca().snapshot()->bundle->toPem();

  // Connected agents: an SVID from the server's CA, its serial recorded on the attested node.
  std::vector<Agent> agents(kConnectedAgents);
  for (int i = 0; i < kConnectedAgents; ++i) {
    Agent& agent = agents[i];
    agent.index = (i * 97) % shape.agents;
    agent.id = bench::agentId(agent.index);
    auto key = crypto::generateKey(crypto::KeyType::kEcP256);
    auto chain = boot.ca().signAgentX509Svid(*spiffe::SpiffeId::parse(agent.id), key->get());
    if (!key.isOk() || !chain.isOk()) {
      std::fprintf(stderr, "agent SVID: %s\n", chain.status().message().c_str());
      return 1;
    }
    agent.key_pem = *crypto::marshalPkcs8PrivateKeyPem(**key);
    agent.chain_pem = crypto::certificatesToPem(*chain);
    plugin_host::AttestedNode node;
    node.spiffe_id = agent.id;
    node.cert_serial_number = crypto::serialNumberDecimal(*chain->front());
    node.cert_not_after = std::chrono::duration_cast<std::chrono::seconds>(
                              crypto::notAfter(*chain->front()).time_since_epoch())
                              .count();
    if (!ds.updateAttestedNode(node,
                               SPIRE_NODE_MASK_CERT_SERIAL_NUMBER | SPIRE_NODE_MASK_CERT_NOT_AFTER)
             .isOk()) {
      std::fprintf(stderr, "update node %s failed\n", agent.id.c_str());
      return 1;
    }
    agent.channel = tlsChannel(target, roots, agent);
    agent.entries = entryv1::Entry::NewStub(agent.channel);
  }

  // Warm-up: every connected agent syncs once (TLS handshake, chain verified and cached, node
  // record read and cached).
  const std::uint64_t warmup_calls_before = ds_plugin.callCount();
  std::size_t authorized_per_agent = 0;
  for (Agent& agent : agents) {
    auto ids = sync(*agent.entries);
    if (!ids) {
      std::fprintf(stderr, "warm-up sync of %s failed\n", agent.id.c_str());
      return 1;
    }
    authorized_per_agent = std::max(authorized_per_agent, ids->size());
  }
  const std::uint64_t warmup_calls = ds_plugin.callCount() - warmup_calls_before;

  // Steady state, back to back.
  std::vector<double> sync_ms;
  sync_ms.reserve(kSteadySyncs);
  const std::uint64_t steady_before = ds_plugin.callCount();
  for (int i = 0; i < kSteadySyncs; ++i) {
    auto start = Clock::now();
    auto ids = sync(*agents[i % kConnectedAgents].entries);
    sync_ms.push_back(ms(Clock::now() - start));
    if (!ids) {
      std::fprintf(stderr, "steady sync failed\n");
      return 1;
    }
  }
  const std::uint64_t steady_calls = ds_plugin.callCount() - steady_before;

  // The same, with the node cache outliving the run: what the sync path itself costs.
  switch_authorizer.use(long_cache_authorizer);
  for (Agent& agent : agents) {
    sync(*agent.entries); // fills the second authorizer's caches
  }
  std::vector<double> sync_long_ms;
  sync_long_ms.reserve(kSteadySyncs);
  const std::uint64_t steady_long_before = ds_plugin.callCount();
  for (int i = 0; i < kSteadySyncs; ++i) {
    auto start = Clock::now();
    auto ids = sync(*agents[i % kConnectedAgents].entries);
    sync_long_ms.push_back(ms(Clock::now() - start));
    if (!ids) {
      std::fprintf(stderr, "steady sync failed\n");
      return 1;
    }
  }
  const std::uint64_t steady_long_calls = ds_plugin.callCount() - steady_long_before;
  switch_authorizer.use(authorizer);

  // GetAuthorizedEntries, the unary form.
  std::vector<double> get_ms;
  get_ms.reserve(kGetCalls);
  const std::uint64_t get_before = ds_plugin.callCount();
  for (int i = 0; i < kGetCalls; ++i) {
    entryv1::GetAuthorizedEntriesRequest request;
    entryv1::GetAuthorizedEntriesResponse response;
    auto ctx = context();
    auto start = Clock::now();
    grpc::Status st =
        agents[i % kConnectedAgents].entries->GetAuthorizedEntries(ctx.get(), request, &response);
    get_ms.push_back(ms(Clock::now() - start));
    if (!st.ok()) {
      std::fprintf(stderr, "GetAuthorizedEntries: %s\n", st.error_message().c_str());
      return 1;
    }
  }
  const std::uint64_t get_calls = ds_plugin.callCount() - get_before;

  // Agent cadence: rounds spaced by more than the authorizer's node cache TTL, as agents that
  // sync every 5 s are.
  const auto gap = authorizer.nodeCacheTtl() + std::chrono::milliseconds(200);
  const std::uint64_t cadence_before = ds_plugin.callCount();
  for (int round = 0; round < kCadenceRounds; ++round) {
    std::this_thread::sleep_for(gap);
    for (Agent& agent : agents) {
      if (!sync(*agent.entries)) {
        std::fprintf(stderr, "cadence sync failed\n");
        return 1;
      }
    }
  }
  const std::uint64_t cadence_calls = ds_plugin.callCount() - cadence_before;

  // Authorized-entry lookup in the index, for every agent of the store.
  std::vector<double> lookup_wall;
  std::vector<double> lookup_cpu;
  lookup_wall.reserve(shape.agents);
  lookup_cpu.reserve(shape.agents);
  const std::uint64_t lookup_before = ds_plugin.callCount();
  for (int a = 0; a < shape.agents; ++a) {
    const std::string id = bench::agentId(a);
    const double cpu = threadCpuMs();
    auto start = Clock::now();
    auto authorized = boot.index().authorizedEntries(id);
    lookup_wall.push_back(ms(Clock::now() - start));
    lookup_cpu.push_back(threadCpuMs() - cpu);
    if (authorized.entries.empty()) {
      std::fprintf(stderr, "no entries for %s\n", id.c_str());
      return 1;
    }
  }
  const std::uint64_t lookup_calls = ds_plugin.callCount() - lookup_before;

  // Entry created -> watch message -> follow-up sync holds it.
  auto admin_channel = grpc::CreateChannel("unix:" + endpoints_config.socket_path,
                                           grpc::InsecureChannelCredentials());
  auto admin = entryv1::Entry::NewStub(admin_channel);
  std::vector<std::unique_ptr<changesv1::EntryChanges::Stub>> watch_stubs;
  std::vector<std::unique_ptr<Watcher>> watchers;
  for (int w = 0; w < kWatchedAgents; ++w) {
    watch_stubs.push_back(changesv1::EntryChanges::NewStub(agents[w].channel));
    watchers.push_back(std::make_unique<Watcher>(agents[w], *watch_stubs.back()));
    watchers.back()->start();
  }
  std::vector<double> create_ms;
  std::vector<double> message_ms;
  std::vector<double> synced_ms;
  int missed = 0;
  const std::uint64_t watch_before = ds_plugin.callCount();
  for (int i = 0; i < kWatchEvents; ++i) {
    const int w = i % kWatchedAgents;
    const std::string entry_id = "watch-" + std::to_string(i);
    entryv1::BatchCreateEntryRequest request;
    auto* entry = request.add_entries();
    entry->set_id(entry_id);
    entry->mutable_spiffe_id()->set_trust_domain("example.org");
    entry->mutable_spiffe_id()->set_path("/watch/" + std::to_string(i));
    auto parent = *spiffe::SpiffeId::parse(agents[w].id);
    entry->mutable_parent_id()->set_trust_domain("example.org");
    entry->mutable_parent_id()->set_path(std::string(parent.path()));
    auto* selector = entry->add_selectors();
    selector->set_type("unix");
    selector->set_value("uid:" + std::to_string(5000 + i));
    watchers[w]->expect(entry_id);
    entryv1::BatchCreateEntryResponse response;
    auto ctx = context();
    const auto start = Clock::now();
    grpc::Status st = admin->BatchCreateEntry(ctx.get(), request, &response);
    const auto created = Clock::now();
    if (!st.ok() || response.results_size() != 1 || response.results(0).status().code() != 0) {
      std::fprintf(stderr, "BatchCreateEntry failed: %s %s\n", st.error_message().c_str(),
                   response.results_size() == 1 ? response.results(0).status().message().c_str()
                                                : "");
      return 1;
    }
    auto arrived = watchers[w]->wait();
    if (!arrived) {
      ++missed;
      continue;
    }
    create_ms.push_back(ms(created - start));
    message_ms.push_back(ms(arrived->first - start));
    synced_ms.push_back(ms(arrived->second - start));
  }
  const std::uint64_t watch_calls = ds_plugin.callCount() - watch_before;
  for (auto& watcher : watchers) {
    watcher->stop();
  }
  changes_service.shutdown();

  // The event follower (HA coherence) polls the datastore on its own, whatever agents do.
  // It first catches up with the events of this run's own writes, then idles.
  boot.events().start();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const std::uint64_t follower_before = ds_plugin.callCount();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const double follower_per_s = static_cast<double>(ds_plugin.callCount() - follower_before) / 3.0;
  boot.events().stop();
  (*endpoints)->stop();

  auto per = [](std::uint64_t calls, std::size_t n) {
    return static_cast<double>(calls) / static_cast<double>(n);
  };
  std::printf(
      "\nAgent syncs: ServerBootstrap (SQLite) + PolicyAuthorizer + EntryService over mTLS\n");
  std::printf("load average (1 min) at start %.2f, at end %.2f\n", load_at_start,
              bench::loadAverage());
  std::printf("data: %d entries, %d agents (bulk load %.0f ms); %d agents connected, %zu "
              "authorized entries each\n",
              shape.entries(), shape.agents, load_ms, kConnectedAgents, authorized_per_agent);
  std::printf("authorizer node cache TTL %lld ms\n",
              static_cast<long long>(authorizer.nodeCacheTtl().count()));
  std::printf("DataStore calls: warm-up %llu for %d first syncs\n",
              static_cast<unsigned long long>(warmup_calls), kConnectedAgents);
  std::printf(
      "DataStore calls per steady-state sync (back to back): %.3f (%llu over %d)  target 0\n",
      per(steady_calls, kSteadySyncs), static_cast<unsigned long long>(steady_calls), kSteadySyncs);
  std::printf("  same, authorizer node cache TTL 10 min:           %.3f (%llu over %d)  target 0\n",
              per(steady_long_calls, kSteadySyncs),
              static_cast<unsigned long long>(steady_long_calls), kSteadySyncs);
  std::printf("DataStore calls per GetAuthorizedEntries:            %.3f (%llu over %d)\n",
              per(get_calls, kGetCalls), static_cast<unsigned long long>(get_calls), kGetCalls);
  std::printf("DataStore calls per sync, rounds %lld ms apart:      %.3f (%llu over %d)\n",
              static_cast<long long>(gap.count()),
              per(cadence_calls, kCadenceRounds * kConnectedAgents),
              static_cast<unsigned long long>(cadence_calls), kCadenceRounds * kConnectedAgents);
  std::printf("DataStore calls for %d index lookups:              %llu\n", shape.agents,
              static_cast<unsigned long long>(lookup_calls));
  printLatency("SyncAuthorizedEntries over TLS (steady)", sync_ms, "");
  printLatency("  same, node cache TTL 10 min", sync_long_ms, "");
  printLatency("GetAuthorizedEntries over TLS", get_ms, "");
  printLatency("index lookup, all 10,000 agents (wall)", lookup_wall, "< 5 ms p99");
  printLatency("index lookup, all 10,000 agents (thread CPU)", lookup_cpu, "< 5 ms p99");
  printLatency("BatchCreateEntry (1 entry, admin UDS)", create_ms, "");
  printLatency("entry created -> watch message", message_ms, "");
  printLatency("entry created -> agent synced it", synced_ms, "< 500 ms p99");
  std::printf("watch events missed (10 s timeout): %d of %d; DataStore calls during the watch "
              "phase: %llu (%.2f per event)\n",
              missed, kWatchEvents, static_cast<unsigned long long>(watch_calls),
              per(watch_calls, kWatchEvents));
  std::printf("event follower (HA), idle: %.1f DataStore calls/s\n", follower_per_s);
  std::printf("process RSS %.1f MiB\n", static_cast<double>(bench::residentBytes()) / 1048576.0);
  endpoints->reset();
  std::filesystem::remove_all(dir);
  return missed == 0 ? 0 : 1;
}
