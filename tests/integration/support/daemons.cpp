#include "integration/support/daemons.h"

#include <cstdlib>
#include <fstream>

#include "integration/support/net.h"
#include "integration/support/wait.h"

namespace spire::integration {
namespace {

std::string quoted(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "\"";
}

void line(std::string& out, const std::string& key, const std::string& value) {
  if (!value.empty()) {
    out += "  " + key + " = " + quoted(value) + "\n";
  }
}

std::string healthBlock(bool enabled, int port) {
  if (!enabled) {
    return "";
  }
  return "health_checks {\n  listener_enabled = true\n  bind_address = \"127.0.0.1\"\n"
         "  bind_port = \"" +
         std::to_string(port) + "\"\n  live_path = \"/live\"\n  ready_path = \"/ready\"\n}\n";
}

std::string writeText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return path.string();
}

} // namespace

std::string spireServerPath() {
  const char* override_path = std::getenv("SPIRE_SERVER_BIN");
  return override_path != nullptr && *override_path != '\0'
             ? std::string(override_path)
             : std::string(SPIRE_BIN_DIR) + "/spire-server";
}

std::string spireAgentPath() {
  const char* override_path = std::getenv("SPIRE_AGENT_BIN");
  return override_path != nullptr && *override_path != '\0'
             ? std::string(override_path)
             : std::string(SPIRE_BIN_DIR) + "/spire-agent";
}
std::filesystem::path pluginBuildDir() {
  return SPIRE_PLUGIN_BUILD_DIR;
}

std::vector<std::string> withFlagAfterCommand(std::vector<std::string> args,
                                              const std::string& flag, const std::string& value) {
  auto at = args.begin();
  while (at != args.end() && !at->empty() && (*at)[0] != '-') {
    ++at;
  }
  at = args.insert(at, value);
  args.insert(at, flag);
  return args;
}

std::string serverConfigHcl(const ServerConfigOptions& o) {
  std::string out = "server {\n";
  line(out, "trust_domain", o.trust_domain);
  line(out, "data_dir", o.data_dir.string());
  line(out, "bind_address", o.bind_address);
  line(out, "bind_port", o.bind_port > 0 ? std::to_string(o.bind_port) : "");
  line(out, "socket_path", o.socket_path.string());
  line(out, "log_level", o.log_level);
  line(out, "log_format", o.log_format);
  line(out, "log_file", o.log_file);
  line(out, "ca_ttl", o.ca_ttl);
  line(out, "default_x509_svid_ttl", o.default_x509_svid_ttl);
  line(out, "default_jwt_svid_ttl", o.default_jwt_svid_ttl);
  line(out, "agent_ttl", o.agent_ttl);
  if (!o.admin_ids.empty()) {
    out += "  admin_ids = [";
    for (std::size_t i = 0; i < o.admin_ids.size(); ++i) {
      out += (i > 0 ? ", " : "") + quoted(o.admin_ids[i]);
    }
    out += "]\n";
  }
  for (const auto& extra : o.extra_server_lines) {
    out += "  " + extra + "\n";
  }
  out += "}\n\nplugins {\n";
  out += "  DataStore \"sql\" {\n    plugin_data {\n      database_type = \"sqlite3\"\n"
         "      connection_string = " +
         quoted((o.data_dir / "datastore.sqlite3").string()) + "\n    }\n  }\n";
  if (o.key_manager == "disk") {
    out += "  KeyManager \"disk\" {\n    plugin_data {\n      keys_path = " +
           quoted((o.data_dir / "keys.json").string()) + "\n    }\n  }\n";
  } else {
    out += "  KeyManager " + quoted(o.key_manager) + " {\n    plugin_data {}\n  }\n";
  }
  out += "  NodeAttestor \"join_token\" {\n    plugin_data {}\n  }\n";
  out += o.extra_plugins;
  out += "}\n";
  out += healthBlock(o.health_checks, o.health_port);
  return out;
}

std::string agentConfigHcl(const AgentConfigOptions& o) {
  std::string out = "agent {\n";
  line(out, "trust_domain", o.trust_domain);
  line(out, "data_dir", o.data_dir.string());
  line(out, "server_address", o.server_address);
  line(out, "server_port", o.server_port > 0 ? std::to_string(o.server_port) : "");
  line(out, "socket_path", o.socket_path.string());
  line(out, "admin_socket_path", o.admin_socket_path.string());
  line(out, "log_level", o.log_level);
  line(out, "join_token", o.join_token);
  if (o.trust_bundle_path.empty()) {
    out += "  insecure_bootstrap = true\n";
  } else {
    line(out, "trust_bundle_path", o.trust_bundle_path.string());
  }
  for (const auto& extra : o.extra_agent_lines) {
    out += "  " + extra + "\n";
  }
  out += "}\n\nplugins {\n";
  out += "  NodeAttestor \"join_token\" {\n    plugin_data {}\n  }\n";
  out += "  KeyManager \"disk\" {\n    plugin_data {\n      directory = " +
         quoted(o.data_dir.string()) + "\n    }\n  }\n";
  out += "  WorkloadAttestor \"unix\" {\n    plugin_data {}\n  }\n";
  out += o.extra_plugins;
  out += "}\n";
  out += healthBlock(o.health_checks, o.health_port);
  return out;
}

// --- ServerUnderTest ---

ServerUnderTest::ServerUnderTest(ServerConfigOptions options) : options_(std::move(options)) {
  if (options_.data_dir.empty()) {
    options_.data_dir = dir() / "data";
  }
  std::filesystem::create_directories(options_.data_dir);
  if (options_.socket_path.empty()) {
    options_.socket_path = dir() / "private" / "api.sock";
  }
  if (options_.bind_port == 0) {
    options_.bind_port = freeTcpPort();
  }
  if (options_.health_checks && options_.health_port == 0) {
    options_.health_port = freeTcpPort();
  }
}

ServerUnderTest::~ServerUnderTest() {
  if (process_) {
    process_->stop(std::chrono::seconds(5));
  }
}

std::string ServerUnderTest::writeConfig() {
  return writeText(configPath(), serverConfigHcl(options_));
}

Status ServerUnderTest::start(const std::vector<std::string>& extra_args) {
  if (process_ && process_->running()) {
    return Status(StatusCode::kFailedPrecondition, "the server is already running");
  }
  ProcessOptions p;
  p.program = spireServerPath();
  p.env["SPIRE_PLUGIN_DIR"] = pluginBuildDir().string();
  p.args = {"run", "-config", writeConfig()};
  p.args.insert(p.args.end(), extra_args.begin(), extra_args.end());
  p.work_dir = dir();
  p.log_dir = dir() / "logs";
  p.name = "spire-server-" + std::to_string(starts_++);
  auto started = Process::start(std::move(p));
  if (!started.isOk()) {
    return started.status();
  }
  process_ = std::move(*started);
  return Status::ok();
}

bool ServerUnderTest::waitUntilServing(std::chrono::milliseconds timeout) {
  return waitFor(
             [this] {
               if (!process_ || !process_->running()) {
                 return true; // stop waiting; the caller sees it is not serving
               }
               return unixSocketAccepts(socketPath()) && tcpPortOpen(bindPort());
             },
             timeout) &&
         process_ && process_->running();
}

Status ServerUnderTest::startAndWait(const std::vector<std::string>& extra_args,
                                     std::chrono::milliseconds timeout) {
  Status started = start(extra_args);
  if (!started.isOk()) {
    return started;
  }
  if (!waitUntilServing(timeout)) {
    return Status(StatusCode::kDeadlineExceeded, "spire-server is not serving: " + describe());
  }
  return Status::ok();
}

ExitStatus ServerUnderTest::stop(std::chrono::milliseconds grace) {
  if (!process_) {
    return ExitStatus{};
  }
  return process_->stop(grace);
}

std::string ServerUnderTest::describe() {
  return process_ ? process_->describe() : std::string("spire-server was not started");
}

CommandOutput ServerUnderTest::cli(const std::vector<std::string>& args, bool with_socket,
                                   std::chrono::milliseconds timeout) {
  ProcessOptions p;
  p.program = spireServerPath();
  p.args = with_socket ? withFlagAfterCommand(args, "-socketPath", socketPath()) : args;
  p.work_dir = dir();
  p.log_dir = dir() / "logs";
  p.name = "cli";
  return runToCompletion(std::move(p), timeout);
}

// --- AgentUnderTest ---

AgentUnderTest::AgentUnderTest(AgentConfigOptions options) : options_(std::move(options)) {
  if (options_.data_dir.empty()) {
    options_.data_dir = dir() / "data";
  }
  std::filesystem::create_directories(options_.data_dir);
  if (options_.socket_path.empty()) {
    options_.socket_path = dir() / "public" / "api.sock";
  }
  if (options_.health_checks && options_.health_port == 0) {
    options_.health_port = freeTcpPort();
  }
}

AgentUnderTest::~AgentUnderTest() {
  if (process_) {
    process_->stop(std::chrono::seconds(5));
  }
}

std::string AgentUnderTest::writeConfig() {
  return writeText(configPath(), agentConfigHcl(options_));
}

Status AgentUnderTest::start(const std::vector<std::string>& extra_args) {
  if (process_ && process_->running()) {
    return Status(StatusCode::kFailedPrecondition, "the agent is already running");
  }
  ProcessOptions p;
  p.program = spireAgentPath();
  p.env["SPIRE_PLUGIN_DIR"] = pluginBuildDir().string();
  p.args = {"run", "-config", writeConfig()};
  p.args.insert(p.args.end(), extra_args.begin(), extra_args.end());
  p.work_dir = dir();
  p.log_dir = dir() / "logs";
  p.name = "spire-agent-" + std::to_string(starts_++);
  auto started = Process::start(std::move(p));
  if (!started.isOk()) {
    return started.status();
  }
  process_ = std::move(*started);
  return Status::ok();
}

ExitStatus AgentUnderTest::stop(std::chrono::milliseconds grace) {
  if (!process_) {
    return ExitStatus{};
  }
  return process_->stop(grace);
}

std::string AgentUnderTest::describe() {
  return process_ ? process_->describe() : std::string("spire-agent was not started");
}

CommandOutput AgentUnderTest::cli(const std::vector<std::string>& args, bool with_socket,
                                  std::chrono::milliseconds timeout) {
  ProcessOptions p;
  p.program = spireAgentPath();
  p.args = with_socket ? withFlagAfterCommand(args, "-socketPath", socketPath()) : args;
  p.work_dir = dir();
  p.log_dir = dir() / "logs";
  p.name = "cli";
  return runToCompletion(std::move(p), timeout);
}

} // namespace spire::integration
