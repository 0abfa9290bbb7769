#include "ha/ha_cluster.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <regex>

#include "integration/support/daemons.h"
#include "integration/support/net.h"
#include "integration/support/wait.h"

namespace spire::ha {
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

} // namespace

std::optional<std::string> postgresDsnFromEnv() {
  const char* dsn = std::getenv("SPIRE_TEST_POSTGRES_DSN");
  if (dsn == nullptr || *dsn == '\0') {
    return std::nullopt;
  }
  return std::string(dsn);
}

bool allBackendsRequired() {
  const char* required = std::getenv("SPIRE_REQUIRE_ALL_BACKENDS");
  return required != nullptr && std::string(required) == "1";
}

std::string withDatabase(const std::string& dsn, const std::string& database) {
  static const std::regex kDbname(R"((^|\s)dbname=\S+)");
  if (std::regex_search(dsn, kDbname)) {
    return std::regex_replace(dsn, kDbname, "$1dbname=" + database);
  }
  return dsn + " dbname=" + database;
}

Result<std::string> runPsql(const std::filesystem::path& log_dir, const std::string& dsn,
                            const std::string& sql) {
  integration::ProcessOptions p;
  p.program = "/usr/bin/psql";
  p.args = {"-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", dsn, "-c", sql};
  p.log_dir = log_dir;
  p.name = "psql";
  integration::CommandOutput out = integration::runToCompletion(std::move(p));
  if (out.exitCode() != 0) {
    return Status(StatusCode::kUnavailable, "psql failed: " + out.describe());
  }
  return out.out;
}

Result<std::unique_ptr<PostgresDatabase>> PostgresDatabase::create(const std::string& admin_dsn) {
  static std::atomic<int> counter{0};
  const std::string name =
      "spire_ha_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  std::unique_ptr<PostgresDatabase> db(new PostgresDatabase(admin_dsn, name));
  // A leftover from a crashed run with the same pid would make CREATE fail; drop it first.
  Result<std::string> dropped =
      runPsql(db->logs_.path(), admin_dsn, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  if (!dropped.isOk()) {
    return dropped.status();
  }
  Result<std::string> made = runPsql(db->logs_.path(), admin_dsn, "CREATE DATABASE " + name);
  if (!made.isOk()) {
    return made.status();
  }
  return db;
}

PostgresDatabase::~PostgresDatabase() {
  (void)runPsql(logs_.path(), admin_dsn_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
}

Result<std::string> PostgresDatabase::query(const std::string& sql) const {
  return runPsql(logs_.path(), dsn(), sql);
}

HaServer::HaServer(std::string name, std::string database_dsn, std::vector<std::string> extra_lines)
    : name_(std::move(name)), database_dsn_(std::move(database_dsn)),
      extra_lines_(std::move(extra_lines)), port_(integration::freeTcpPort()) {
  std::filesystem::create_directories(dir_.path() / "data");
}

HaServer::~HaServer() {
  if (process_) {
    process_->stop(std::chrono::seconds(5));
  }
}

// What an operator writes for each server of the cluster: the same trust domain and database,
// its own data dir, sockets, port and KeyManager (docs/ha.md shows the same).
std::string HaServer::configHcl() const {
  std::string out = "server {\n";
  out += "  trust_domain = " + quoted(kTrustDomain) + "\n";
  out += "  bind_address = \"127.0.0.1\"\n";
  out += "  bind_port = \"" + std::to_string(port_) + "\"\n";
  out += "  socket_path = " + quoted(socketPath()) + "\n";
  out += "  data_dir = " + quoted((dir_.path() / "data").string()) + "\n";
  out += "  log_level = \"DEBUG\"\n";
  for (const std::string& line : extra_lines_) {
    out += "  " + line + "\n";
  }
  out += "}\n\nplugins {\n";
  out += "  DataStore \"sql\" {\n    plugin_data {\n      database_type = \"postgres\"\n";
  out += "      connection_string = " + quoted(database_dsn_) + "\n    }\n  }\n";
  out += "  KeyManager \"memory\" {\n    plugin_data {}\n  }\n";
  out += "  NodeAttestor \"join_token\" {\n    plugin_data {}\n  }\n";
  out += "}\n";
  return out;
}

Status HaServer::start() {
  const std::filesystem::path config = dir_.path() / "server.conf";
  std::ofstream(config, std::ios::binary | std::ios::trunc) << configHcl();
  integration::ProcessOptions p;
  p.program = integration::spireServerPath();
  p.env["SPIRE_PLUGIN_DIR"] = integration::pluginBuildDir().string();
  p.args = {"run", "-config", config.string()};
  p.work_dir = dir_.path();
  p.log_dir = dir_.path() / "logs";
  p.name = "spire-server-" + name_;
  auto started = integration::Process::start(std::move(p));
  if (!started.isOk()) {
    return started.status();
  }
  process_ = std::move(*started);
  return Status::ok();
}

Status HaServer::waitServing(std::chrono::milliseconds timeout) {
  if (!process_) {
    return Status(StatusCode::kFailedPrecondition, "spire-server " + name_ + " was not started");
  }
  const bool serving = integration::waitFor(
      [this] {
        return !process_->running() ||
               (integration::unixSocketAccepts(socketPath()) && integration::tcpPortOpen(port_));
      },
      timeout);
  if (!serving || !process_->running()) {
    return Status(StatusCode::kDeadlineExceeded,
                  "spire-server " + name_ + " is not serving: " + describe());
  }
  return Status::ok();
}

Status HaServer::startAndWait(std::chrono::milliseconds timeout) {
  Status started = start();
  return started.isOk() ? waitServing(timeout) : started;
}

integration::ExitStatus HaServer::stop() {
  return process_ ? process_->stop(std::chrono::seconds(15)) : integration::ExitStatus{};
}

std::string HaServer::describe() {
  return process_ ? process_->describe(60) : "spire-server " + name_ + " was not started";
}

integration::CommandOutput HaServer::cli(const std::vector<std::string>& args) {
  integration::ProcessOptions p;
  p.program = integration::spireServerPath();
  p.args = integration::withFlagAfterCommand(args, "-socketPath", socketPath());
  p.work_dir = dir_.path();
  p.log_dir = dir_.path() / "logs";
  p.name = "cli";
  return integration::runToCompletion(std::move(p), std::chrono::seconds(60));
}

std::vector<std::string> pemCertificates(const std::string& pem) {
  static const std::regex kBlock("-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(pem.begin(), pem.end(), kBlock); it != std::sregex_iterator();
       ++it) {
    out.push_back(it->str() + "\n");
  }
  return out;
}

} // namespace spire::ha
