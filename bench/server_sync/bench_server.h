#pragma once
// What the server benchmarks share: the SPIRE-scale data set (10,000 agents, 100,000 entries),
// written straight into the sql DataStore's SQLite tables, and a ServerBootstrap over it.
//
// Why bulk SQL: the DataStore facade makes every createEntry one transaction with an fsync
// (SQLite WAL, synchronous=FULL), i.e. minutes for 100,000 entries on this disk. The loader writes
// the same rows the plugin writes (registered_entries + selectors, attested_node_entries +
// node_resolver_map_entries) in ONE transaction, into the schema the plugin created on a first
// start, so what the server reads at start-up is exactly what its own writes would have left.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "common/status.h"
#include "plugin_host/loaded_plugin.h"
#include "server/bootstrap/server_bootstrap.h"

namespace spire::bench {

// 10,000 agents; entries: 9 per agent parented to the agent (90,000), 50 node aliases
// (parent spiffe://example.org/spire/server, selector bench:group:<k>) and 9,950 entries under the
// aliases (199 each). Agent a has node selector bench:group:<a % 50>, so it is authorized for
// 9 + 199 = 208 entries (under the 500-entry sync page: one response per sync).
struct Shape {
  int agents = 10000;
  int direct_per_agent = 9;
  int aliases = 50;
  int per_alias = 199;
  int entries() const { return agents * direct_per_agent + aliases + aliases * per_alias; }
};

std::string agentId(int a);
std::string aliasId(int k);

// server.conf for a server whose data_dir, SQLite file and socket live in `dir` (ServerBootstrap
// binds no listener; the sync benchmark starts its endpoints on an ephemeral port).
std::string serverConf(const std::filesystem::path& dir);
std::filesystem::path databasePath(const std::filesystem::path& dir);

Result<std::unique_ptr<server::bootstrap::ServerBootstrap>>
startServer(const std::filesystem::path& dir, const std::filesystem::path& plugin_dir);

// Writes the shape's nodes, node selectors and entries in one transaction. The schema must exist
// (start and destroy a server on `dir` first). Attested nodes get serial "1" (the benchmark
// re-attests the agents it connects as).
Status bulkLoad(const std::filesystem::path& db, const Shape& shape);

// The catalog's DataStore plugin, whose callCount() counts every DataStore operation.
const plugin_host::LoadedPlugin* dataStorePlugin(const plugin_host::Catalog& catalog);

// Resident set size of this process (VmRSS), in bytes; 0 when unknown.
std::uint64_t residentBytes();
// Peak resident set size (VmHWM), in bytes.
std::uint64_t peakResidentBytes();

// The 1-minute load average, as the report notes it.
double loadAverage();

} // namespace spire::bench
