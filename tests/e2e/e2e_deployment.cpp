#include "e2e/e2e_deployment.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

#include "integration/support/process.h"

namespace spire::e2e {

using integration::ProcessOptions;

Deployment::Deployment(DeploymentOptions options) : options_(std::move(options)) {
  server_.options().log_level = "INFO";
  server_.options().default_x509_svid_ttl = options_.default_x509_svid_ttl;
  server_.options().ca_ttl = options_.ca_ttl;
  agent_.options().log_level = "DEBUG";
  agent_.options().server_port = server_.bindPort();
  agent_.options().trust_bundle_path = agent_.dir() / "bootstrap.crt";
  agent_.options().extra_agent_lines = {
      "experimental {", "  sync_interval = \"" + options_.sync_interval + "\"", "}"};
  // Workloads running as another uid reach the socket: the agent makes the socket itself
  // world-connectable, the test makes the directories on its path traversable.
  ::chmod(agent_.dir().c_str(), 0755);
}

bool Deployment::start() {
  Status served = server_.startAndWait();
  if (!served.isOk()) {
    ADD_FAILURE() << served.message();
    return false;
  }
  CommandOutput token = server_.cli({"token", "generate", "-spiffeID", kAgentId});
  std::smatch m;
  if (token.exitCode() != 0 || !std::regex_search(token.out, m, std::regex("Token: (\\S+)"))) {
    ADD_FAILURE() << token.describe();
    return false;
  }
  // In the config rather than -joinToken, so that a restart with the same config would have to
  // attest with an already used token: a restart that serves proves it did not re-attest.
  agent_.options().join_token = m[1];
  CommandOutput bundle = server_.cli({"bundle", "show"});
  if (bundle.exitCode() != 0) {
    ADD_FAILURE() << bundle.describe();
    return false;
  }
  std::filesystem::create_directories(agent_.dir());
  {
    std::ofstream out(agent_.options().trust_bundle_path, std::ios::trunc);
    out << bundle.out;
  }
  Status started = agent_.start();
  if (!started.isOk()) {
    ADD_FAILURE() << started.message();
    return false;
  }
  const bool healthy = integration::waitFor(
      [this] {
        return !agent_.process()->running() ||
               agent_.cli({"healthcheck"}, true, 10s).exitCode() == 0;
      },
      integration::kStartDeadline, 100ms);
  if (!healthy || !agent_.process()->running()) {
    ADD_FAILURE() << "spire-agent did not become healthy\n" << describe();
    return false;
  }
  ::chmod((agent_.dir() / "public").c_str(), 0755);
  return true;
}

bool Deployment::createEntry(const std::string& spiffe_id,
                             const std::vector<std::string>& selectors) {
  std::vector<std::string> args = {"entry",  "create",    "-parentID",
                                   kAgentId, "-spiffeID", spiffe_id};
  for (const auto& selector : selectors) {
    args.push_back("-selector");
    args.push_back(selector);
  }
  CommandOutput out = server_.cli(args);
  EXPECT_EQ(out.exitCode(), 0) << out.describe();
  return out.exitCode() == 0;
}

CommandOutput Deployment::agentApi(const std::vector<std::string>& args, std::optional<int> uid) {
  std::vector<std::string> full = {"api"};
  full.insert(full.end(), args.begin(), args.end());
  full = integration::withFlagAfterCommand(full, "-socketPath", agent_.socketPath());
  ProcessOptions p;
  if (uid) {
    p.program = "/usr/bin/setpriv";
    p.args = {"--reuid=" + std::to_string(*uid), "--regid=" + std::to_string(*uid),
              "--clear-groups", integration::spireAgentPath()};
    p.args.insert(p.args.end(), full.begin(), full.end());
    p.work_dir = "/";
  } else {
    p.program = integration::spireAgentPath();
    p.args = full;
    p.work_dir = agent_.dir();
  }
  p.log_dir = agent_.dir() / "logs";
  p.name = "api";
  return integration::runToCompletion(std::move(p), 30s);
}

bool Deployment::waitForSvid(const std::string& spiffe_id, std::optional<int> uid,
                             std::chrono::milliseconds timeout) {
  return integration::waitFor(
      [&] {
        CommandOutput out = agentApi({"fetch", "x509", "-timeout", "5s"}, uid);
        const auto ids = spiffeIdsIn(out.out);
        return std::find(ids.begin(), ids.end(), spiffe_id) != ids.end();
      },
      timeout, 100ms);
}

std::string Deployment::publicDir(const std::string& name) {
  std::filesystem::path dir = agent_.dir() / name;
  std::filesystem::create_directories(dir);
  ::chmod(dir.c_str(), 0777);
  return dir.string();
}

std::string Deployment::describe() {
  return "--- spire-server\n" + server_.describe() + "\n--- spire-agent\n" + agent_.describe();
}

std::vector<std::string> spiffeIdsIn(const std::string& text) {
  std::vector<std::string> ids;
  static const std::regex kLine("SPIFFE ID:\\s+(spiffe://\\S+)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kLine);
       it != std::sregex_iterator(); ++it) {
    ids.push_back((*it)[1]);
  }
  return ids;
}

} // namespace spire::e2e
