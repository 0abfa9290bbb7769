#pragma once

// spire-server and spire-agent under test: a temp dir holding the data dir, the sockets and the
// config file (HCL, as an operator writes it), free ports, the process, and CLI calls against it.
// Binaries come from the build tree (SPIRE_BIN_DIR, a compile definition of this library) unless
// $SPIRE_SERVER_BIN / $SPIRE_AGENT_BIN name others; daemons get SPIRE_PLUGIN_DIR=build/plugins.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "integration/support/process.h"
#include "support/temp_dir.h"

namespace spire::integration {

std::string spireServerPath();
std::string spireAgentPath();
std::filesystem::path pluginBuildDir();

// The server.conf a test wants. Empty strings leave SPIRE's default (the key is not written).
struct ServerConfigOptions {
  std::string trust_domain = "example.org";
  std::filesystem::path data_dir;
  std::string bind_address = "127.0.0.1";
  int bind_port = 0; // 0: ServerUnderTest picks a free port
  std::filesystem::path socket_path;
  std::string log_level = "DEBUG";
  std::string log_format;
  std::string log_file;
  std::string ca_ttl;
  std::string default_x509_svid_ttl;
  std::string default_jwt_svid_ttl;
  std::string agent_ttl;
  std::vector<std::string> admin_ids;
  // "disk" keeps CA keys across restarts (keys_path in the data dir); "memory" does not.
  std::string key_manager = "disk";
  bool health_checks = false;
  int health_port = 0; // 0 with health_checks: a free port
  // Raw lines added inside server {} and inside plugins {}.
  std::vector<std::string> extra_server_lines;
  std::string extra_plugins;
};

std::string serverConfigHcl(const ServerConfigOptions& options);

// The agent.conf a test wants.
struct AgentConfigOptions {
  std::string trust_domain = "example.org";
  std::filesystem::path data_dir;
  std::string server_address = "127.0.0.1";
  int server_port = 0;
  std::filesystem::path socket_path;       // Workload API
  std::filesystem::path admin_socket_path; // empty: no admin API
  std::filesystem::path trust_bundle_path; // empty: insecure_bootstrap
  std::string join_token;
  std::string log_level = "DEBUG";
  bool health_checks = false;
  int health_port = 0;
  std::vector<std::string> extra_agent_lines;
  std::string
      extra_plugins; // added to NodeAttestor join_token, KeyManager disk, WorkloadAttestor unix
};

std::string agentConfigHcl(const AgentConfigOptions& options);

// One spire-server: construct, adjust options(), start(), drive it, stop() (or let the
// destructor kill it). Restartable: stop() then start() again keeps the temp dir.
class ServerUnderTest {
public:
  explicit ServerUnderTest(ServerConfigOptions options = {});
  ~ServerUnderTest();

  ServerConfigOptions& options() { return options_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::string socketPath() const { return options_.socket_path.string(); }
  int bindPort() const { return options_.bind_port; }
  int healthPort() const { return options_.health_port; }
  std::string configPath() const { return (dir() / "server.conf").string(); }

  // Writes server.conf from options(); returns its path.
  std::string writeConfig();
  // Writes the config and starts `spire-server run -config <path> <extra_args>`.
  Status start(const std::vector<std::string>& extra_args = {});
  // Starts and waits until the API socket accepts connections and the TCP port is open.
  Status startAndWait(const std::vector<std::string>& extra_args = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(60));
  bool waitUntilServing(std::chrono::milliseconds timeout = std::chrono::seconds(60));
  ExitStatus stop(std::chrono::milliseconds grace = std::chrono::seconds(15));
  Process* process() { return process_.get(); }
  std::string describe();

  // `spire-server <args>` with -socketPath inserted after the command words ("entry show
  // -socketPath <sock> -spiffeID ..."), unless with_socket is false.
  CommandOutput cli(const std::vector<std::string>& args, bool with_socket = true,
                    std::chrono::milliseconds timeout = std::chrono::seconds(60));

private:
  testing::TempDir dir_;
  ServerConfigOptions options_;
  std::unique_ptr<Process> process_;
  int starts_ = 0;
};

// One spire-agent, same shape.
class AgentUnderTest {
public:
  explicit AgentUnderTest(AgentConfigOptions options = {});
  ~AgentUnderTest();

  AgentConfigOptions& options() { return options_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::string socketPath() const { return options_.socket_path.string(); }
  std::string adminSocketPath() const { return options_.admin_socket_path.string(); }
  std::string configPath() const { return (dir() / "agent.conf").string(); }

  std::string writeConfig();
  Status start(const std::vector<std::string>& extra_args = {});
  ExitStatus stop(std::chrono::milliseconds grace = std::chrono::seconds(15));
  Process* process() { return process_.get(); }
  std::string describe();

  CommandOutput cli(const std::vector<std::string>& args, bool with_socket = true,
                    std::chrono::milliseconds timeout = std::chrono::seconds(60));

private:
  testing::TempDir dir_;
  AgentConfigOptions options_;
  std::unique_ptr<Process> process_;
  int starts_ = 0;
};

// Inserts {flag, value} after the leading command words of `args` (the arguments before the
// first one starting with '-').
std::vector<std::string> withFlagAfterCommand(std::vector<std::string> args,
                                              const std::string& flag, const std::string& value);

} // namespace spire::integration
