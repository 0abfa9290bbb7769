#pragma once

// One SPIRE deployment for an end-to-end test: a real spire-server and a real spire-agent attested
// with a join token, on their own temp dirs, ports and sockets, driven only through their CLIs and
// the Workload API socket. Workloads are CLI calls (optionally as another uid via setpriv).

#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "integration/support/daemons.h"
#include "integration/support/wait.h"

namespace spire::e2e {

using integration::AgentUnderTest;
using integration::CommandOutput;
using integration::ServerUnderTest;
using namespace std::chrono_literals;

inline constexpr const char* kAgentId = "spiffe://example.org/node";

struct DeploymentOptions {
  std::string sync_interval = "2s";
  std::string default_x509_svid_ttl; // empty: the server's default
  std::string ca_ttl;
};

class Deployment {
public:
  explicit Deployment(DeploymentOptions options = {});

  // Server up, token generated, bundle fetched, agent started and healthy. Adds a gtest failure
  // (with the daemons' logs) and returns false when any step fails.
  bool start();

  ServerUnderTest& server() { return server_; }
  AgentUnderTest& agent() { return agent_; }

  // `spire-server entry create -parentID <agent> -spiffeID id -selector s...`; true on success.
  bool createEntry(const std::string& spiffe_id, const std::vector<std::string>& selectors);

  // `spire-agent api <args> -socketPath <sock>` as this process's user, or as `uid` (root only).
  CommandOutput agentApi(const std::vector<std::string>& args, std::optional<int> uid = {});

  // Polls `api fetch x509` until its output names `spiffe_id` (as `uid`); false at the deadline.
  bool waitForSvid(const std::string& spiffe_id, std::optional<int> uid = {},
                   std::chrono::milliseconds timeout = 30s);

  // A directory anyone may write (for -write as another uid), created under the agent's dir.
  std::string publicDir(const std::string& name);

  // Daemon logs for failure messages.
  std::string describe();

private:
  DeploymentOptions options_;
  ServerUnderTest server_;
  AgentUnderTest agent_;
};

inline bool runningAsRoot() {
  return ::geteuid() == 0;
}

// Lines "SPIFFE ID:\t\t<id>" of `api fetch x509` / `api watch` output, in order.
std::vector<std::string> spiffeIdsIn(const std::string& text);

} // namespace spire::e2e
