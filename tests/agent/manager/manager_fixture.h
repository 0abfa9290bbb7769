#pragma once

// Shared setup for the manager tests: a fake server on 127.0.0.1, a catalog with the built-in
// KeyManager (memory or disk), join_token NodeAttestor and unix WorkloadAttestor plugins, a
// data_dir in a temp dir, and a settable clock shared by agent and server.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include <unistd.h>

#include "agent/manager/agent_manager.h"
#include "agent/manager/fake_server.h"
#include "plugin_host/catalog.h"
#include "support/temp_dir.h"

namespace spire::testing {

// A clock tests move by hand; starts at the real time so that TLS certificates stay valid.
class ManualClock {
public:
  ManualClock() : offset_ns_(0) {}
  crypto::TimePoint now() const {
    return std::chrono::system_clock::now() + std::chrono::nanoseconds(offset_ns_.load());
  }
  void advance(std::chrono::nanoseconds by) { offset_ns_ += by.count(); }
  std::function<crypto::TimePoint()> fn() {
    return [this] { return now(); };
  }

private:
  std::atomic<int64_t> offset_ns_;
};

inline const char* kToken = "test-token";

class ManagerTest : public ::testing::Test {
protected:
  ManagerTest() : server_("example.org", clock_.fn()) {}

  void SetUp() override {
    server_.addJoinToken(kToken);
    server_.start();
  }

  std::string agentId() const { return server_.agentIdForToken(kToken); }

  std::unique_ptr<plugin_host::Catalog> loadCatalog(const std::string& key_manager = "memory",
                                                    bool challenge_response = false) {
    auto spec = [](std::string type, std::string name, std::string data) {
      config::PluginSpec out;
      out.type = std::move(type);
      out.name = std::move(name);
      out.data_json = std::move(data);
      return out;
    };
    std::string km_data = "{}";
    if (key_manager == "disk") {
      km_data = R"({"keys_path": ")" + (dir_.path() / "keys.json").string() + R"("})";
    }
    config::PluginSpecs specs = {
        spec("KeyManager", key_manager, km_data),
        spec("NodeAttestor", "join_token", std::string(R"({"join_token": ")") + kToken + "\"}"),
        spec("WorkloadAttestor", "unix", "{}")};
    if (challenge_response) {
      specs[1] = spec("NodeAttestor", "fx_node", R"({"node_name": "n1"})");
      specs[1].plugin_cmd = SPIRE_MANAGER_TEST_FIXTURE_DIR "/node_attestor_fx_node.so";
    }
    plugin_host::LoaderOptions options;
    options.role = plugin_host::Role::kAgent;
    options.plugin_dir = SPIRE_MANAGER_TEST_PLUGIN_DIR;
    options.trust_domain = "example.org";
    Result<std::unique_ptr<plugin_host::Catalog>> catalog =
        plugin_host::Catalog::load(specs, options);
    if (!catalog) {
      ADD_FAILURE() << catalog.status().toString();
      return nullptr;
    }
    return std::move(*catalog);
  }

  agent::manager::ManagerConfig config() {
    agent::manager::ManagerConfig out;
    out.trust_domain = "example.org";
    out.server_address = server_.address();
    out.server_port = server_.port();
    out.data_dir = (dir_.path() / "data").string();
    out.trust_bundle_contents = server_.bundlePem();
    // Long enough that only the tests decide when a sync happens, unless they say otherwise.
    out.sync_interval = std::chrono::hours(1);
    out.rpc_timeout = std::chrono::seconds(5);
    out.clock = clock_.fn();
    // Pinned to the middle of the window: rotation at exactly half-life.
    out.jitter = [](int64_t n) { return n / 2; };
    return out;
  }

  Result<std::unique_ptr<agent::manager::AgentManager>>
  startManager(agent::manager::ManagerConfig cfg, const plugin_host::Catalog& catalog) {
    return agent::manager::AgentManager::start(std::move(cfg), catalog);
  }

  static agent::endpoints::Selectors uidSelectors(const std::string& uid) {
    return {{"unix", "uid:" + uid}};
  }

  ManualClock clock_;
  TempDir dir_;
  FakeServer server_;
};

// Collects snapshots from a subscription callback; tests wait on it with a deadline.
class SnapshotSink {
public:
  void push(agent::endpoints::IdentitySnapshotPtr snapshot) {
    std::lock_guard<std::mutex> lock(mu_);
    snapshots_.push_back(std::move(snapshot));
    cv_.notify_all();
  }
  // Waits until a snapshot satisfies `predicate`; returns it or null on timeout.
  agent::endpoints::IdentitySnapshotPtr
  waitFor(const std::function<bool(const agent::endpoints::IdentitySnapshot&)>& predicate,
          std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock<std::mutex> lock(mu_);
    agent::endpoints::IdentitySnapshotPtr found;
    cv_.wait_for(lock, timeout, [&] {
      for (const auto& snapshot : snapshots_) {
        if (predicate(*snapshot)) {
          found = snapshot;
          return true;
        }
      }
      return false;
    });
    return found;
  }
  size_t count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return snapshots_.size();
  }

private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<agent::endpoints::IdentitySnapshotPtr> snapshots_;
};

} // namespace spire::testing
