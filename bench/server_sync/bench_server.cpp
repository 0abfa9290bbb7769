#include "bench_server.h"

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

#include "config/loader.h"

namespace spire::bench {
namespace {

// A prepared statement bound and stepped once per row.
class Statement {
public:
  Statement(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  Statement& text(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& integer(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  // Runs the statement; the row ID of an insert, or -1 on failure.
  std::int64_t run(sqlite3* db) {
    int rc = sqlite3_step(stmt_);
    sqlite3_reset(stmt_);
    return rc == SQLITE_DONE ? sqlite3_last_insert_rowid(db) : -1;
  }

private:
  sqlite3_stmt* stmt_ = nullptr;
};

Status sqlError(sqlite3* db, const std::string& what) {
  return Status(StatusCode::kInternal, what + ": " + sqlite3_errmsg(db));
}

std::uint64_t statusField(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) {
      std::istringstream fields(line.substr(prefix.size()));
      std::uint64_t kb = 0;
      fields >> kb;
      return kb * 1024;
    }
  }
  return 0;
}

} // namespace

std::string agentId(int a) {
  return "spiffe://example.org/spire/agent/bench/" + std::to_string(a);
}

std::string aliasId(int k) {
  return "spiffe://example.org/alias/group-" + std::to_string(k);
}

std::filesystem::path databasePath(const std::filesystem::path& dir) {
  return dir / "datastore.sqlite3";
}

std::string serverConf(const std::filesystem::path& dir) {
  return "server {\n trust_domain = \"example.org\"\n data_dir = \"" + dir.string() +
         "\"\n socket_path = \"" + (dir / "api.sock").string() +
         "\"\n}\nplugins {\n DataStore \"sql\" {\n  plugin_data {\n"
         "   database_type = \"sqlite3\"\n   connection_string = \"" +
         databasePath(dir).string() +
         "\"\n  }\n }\n KeyManager \"memory\" {\n  plugin_data {}\n }\n"
         " NodeAttestor \"join_token\" {\n  plugin_data {}\n }\n}\n";
}

Result<std::unique_ptr<server::bootstrap::ServerBootstrap>>
startServer(const std::filesystem::path& dir, const std::filesystem::path& plugin_dir) {
  auto file = config::loadServerConfigFromString(serverConf(dir));
  if (!file.isOk()) {
    return file.status();
  }
  server::bootstrap::BootstrapOptions options;
  options.plugin_dir = plugin_dir;
  return server::bootstrap::ServerBootstrap::start(*file, options);
}

Status bulkLoad(const std::filesystem::path& path, const Shape& shape) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    Status st = sqlError(db, "open " + path.string());
    sqlite3_close(db);
    return st;
  }
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> owner(db, sqlite3_close);
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  const std::int64_t node_expiry = now + 24 * 3600;
  if (sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return sqlError(db, "begin");
  }
  {
    Statement node(db, "INSERT INTO attested_node_entries (created_at, updated_at, spiffe_id, "
                       "data_type, serial_number, expires_at, new_serial_number, new_expires_at, "
                       "can_reattest) VALUES (?, ?, ?, 'join_token', '1', ?, '', 0, 0)");
    Statement node_selector(db, "INSERT INTO node_resolver_map_entries (created_at, updated_at, "
                                "spiffe_id, type, value) VALUES (?, ?, ?, 'bench', ?)");
    Statement entry(db, "INSERT INTO registered_entries (created_at, updated_at, entry_id, "
                        "spiffe_id, parent_id, ttl, admin, downstream, expiry, revision_number, "
                        "store_svid, hint, jwt_svid_ttl, additional_attributes) VALUES "
                        "(?, ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, '', 0, NULL)");
    Statement selector(db, "INSERT INTO selectors (created_at, updated_at, registered_entry_id, "
                           "type, value) VALUES (?, ?, ?, ?, ?)");
    if (!node.ok() || !node_selector.ok() || !entry.ok() || !selector.ok()) {
      return sqlError(db, "prepare (has the plugin created its schema?)");
    }
    for (int a = 0; a < shape.agents; ++a) {
      node.integer(1, now).integer(2, now).text(3, agentId(a)).integer(4, node_expiry);
      node_selector.integer(1, now).integer(2, now).text(3, agentId(a));
      node_selector.text(4, "group:" + std::to_string(a % shape.aliases));
      if (node.run(db) < 0 || node_selector.run(db) < 0) {
        return sqlError(db, "insert node");
      }
    }
    int serial = 0;
    auto add = [&](const std::string& spiffe_id, const std::string& parent_id,
                   const std::string& type, const std::string& value) -> Status {
      char id[32];
      std::snprintf(id, sizeof id, "bench-%08d", serial++);
      entry.integer(1, now).integer(2, now).text(3, id).text(4, spiffe_id).text(5, parent_id);
      std::int64_t pk = entry.run(db);
      if (pk < 0) {
        return sqlError(db, "insert entry");
      }
      selector.integer(1, now).integer(2, now).integer(3, pk).text(4, type).text(5, value);
      return selector.run(db) < 0 ? sqlError(db, "insert selector") : Status();
    };
    for (int a = 0; a < shape.agents; ++a) {
      for (int e = 0; e < shape.direct_per_agent; ++e) {
        Status st = add("spiffe://example.org/workload/agent-" + std::to_string(a) + "/" +
                            std::to_string(e),
                        agentId(a), "unix", "uid:" + std::to_string(1000 + e));
        if (!st.isOk()) {
          return st;
        }
      }
    }
    for (int k = 0; k < shape.aliases; ++k) {
      Status st = add(aliasId(k), "spiffe://example.org/spire/server", "bench",
                      "group:" + std::to_string(k));
      for (int e = 0; st.isOk() && e < shape.per_alias; ++e) {
        st = add("spiffe://example.org/workload/group-" + std::to_string(k) + "/" +
                     std::to_string(e),
                 aliasId(k), "k8s", "sa:svc-" + std::to_string(e));
      }
      if (!st.isOk()) {
        return st;
      }
    }
  }
  if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return sqlError(db, "commit");
  }
  return Status();
}

const plugin_host::LoadedPlugin* dataStorePlugin(const plugin_host::Catalog& catalog) {
  for (const auto& plugin : catalog.plugins()) {
    if (plugin->type() == SPIRE_PLUGIN_TYPE_DATASTORE) {
      return plugin.get();
    }
  }
  return nullptr;
}

std::uint64_t residentBytes() {
  return statusField("VmRSS");
}

std::uint64_t peakResidentBytes() {
  return statusField("VmHWM");
}

double loadAverage() {
  std::ifstream in("/proc/loadavg");
  double one = 0;
  in >> one;
  return one;
}

} // namespace spire::bench
