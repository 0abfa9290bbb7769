#pragma once
// A spire-server's state for API tests, over the REAL built-in plugins of this build: DataStore
// "sql" on SQLite in a temp dir, KeyManager "memory", NodeAttestor "join_token". Built with the
// daemon's own ServerBootstrap, so the CA, the datastore and the index are what `run` serves.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "server/api/server_state.h"
#include "server/bootstrap/server_bootstrap.h"
#include "support/temp_dir.h"

namespace spire::server::api::testing {

struct ServerFixtureOptions {
  std::string trust_domain = "example.org";
  // Extra lines inside `server { ... }`, e.g. "ca_ttl = \"1h\"".
  std::string server_extra;
  // Extra plugin blocks inside `plugins { ... }`.
  std::string plugins_extra;
  // true: the CA and services read a clock the test moves with advance(); the plugins still
  // use the wall clock.
  bool fake_clock = false;
};

class ServerFixture {
public:
  // Fails (with the bootstrap's message) when a built-in plugin is missing from the build.
  static Result<std::unique_ptr<ServerFixture>> create(ServerFixtureOptions options = {});

  ServerState& state() { return bootstrap_->state(); }
  const plugin_host::DataStorePlugin& datastore() { return *state().datastore; }
  ca::CaManager& ca() { return *state().ca; }
  registration::AuthorizedEntriesIndex& index() { return *state().index; }
  bootstrap::ServerBootstrap& bootstrap() { return *bootstrap_; }
  const std::filesystem::path& dir() const { return dir_.path(); }

  // The fake clock's time (fake_clock = true only).
  TimePoint now() const { return TimePoint(TimePoint::duration(now_->load())); }
  void advance(std::chrono::system_clock::duration by) { now_->fetch_add(by.count()); }

private:
  ServerFixture() = default;
  spire::testing::TempDir dir_;
  // Ticks of system_clock::duration since the epoch (atomic<duration> has no fetch_add).
  std::shared_ptr<std::atomic<TimePoint::rep>> now_;
  std::unique_ptr<bootstrap::ServerBootstrap> bootstrap_;
};

// A gRPC server in this process serving `services`, reached through an in-process channel (no
// socket, so no transport security: pair it with FixedAuthorizer).
class InProcessServer {
public:
  explicit InProcessServer(const std::vector<grpc::Service*>& services);
  ~InProcessServer();
  std::shared_ptr<grpc::Channel> channel();
  // Shuts down with a short deadline (open streams are cancelled).
  void shutdown();

private:
  std::unique_ptr<grpc::Server> server_;
};

} // namespace spire::server::api::testing
