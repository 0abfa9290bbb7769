#pragma once

// The pieces of an HA test: a fresh PostgreSQL database per test (created and dropped with psql
// against $SPIRE_TEST_POSTGRES_DSN), and spire-server processes that share it, each with its own
// temp dir (data dir, admin socket, config), TCP port and in-memory KeyManager.
//
// THREADS: the test thread only.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "integration/support/process.h"
#include "support/temp_dir.h"

namespace spire::ha {

inline constexpr char kTrustDomain[] = "example.org";

// $SPIRE_TEST_POSTGRES_DSN, or nullopt when unset or empty.
std::optional<std::string> postgresDsnFromEnv();
// True when SPIRE_REQUIRE_ALL_BACKENDS=1 (a missing database is then a failure, not a skip).
bool allBackendsRequired();

// `dsn` (libpq key=value form) with its dbname set to `database`.
std::string withDatabase(const std::string& dsn, const std::string& database);

// A database made for one test and dropped (WITH (FORCE)) when the object goes.
class PostgresDatabase {
public:
  static Result<std::unique_ptr<PostgresDatabase>> create(const std::string& admin_dsn);
  ~PostgresDatabase();
  PostgresDatabase(const PostgresDatabase&) = delete;
  PostgresDatabase& operator=(const PostgresDatabase&) = delete;

  const std::string& name() const { return name_; }
  std::string dsn() const { return withDatabase(admin_dsn_, name_); }
  // Runs one SQL statement in this database; the unaligned, tuples-only output.
  Result<std::string> query(const std::string& sql) const;

private:
  PostgresDatabase(std::string admin_dsn, std::string name)
      : admin_dsn_(std::move(admin_dsn)), name_(std::move(name)) {}

  spire::testing::TempDir logs_;
  std::string admin_dsn_;
  std::string name_;
};

// Runs psql with `dsn` and one statement; stdout on success.
Result<std::string> runPsql(const std::filesystem::path& log_dir, const std::string& dsn,
                            const std::string& sql);

// One spire-server of the cluster.
class HaServer {
public:
  HaServer(std::string name, std::string database_dsn, std::vector<std::string> extra_lines = {});
  ~HaServer();

  const std::string& name() const { return name_; }
  int port() const { return port_; }
  std::string socketPath() const { return (dir_.path() / "api.sock").string(); }
  const std::filesystem::path& dir() const { return dir_.path(); }
  integration::Process* process() { return process_.get(); }

  std::string configHcl() const;
  // Starts `spire-server run` (without waiting).
  Status start();
  // Waits until the admin socket and the TCP port accept; fails when the process exits first.
  Status waitServing(std::chrono::milliseconds timeout);
  Status startAndWait(std::chrono::milliseconds timeout);
  integration::ExitStatus stop();
  std::string describe();

  // `spire-server <args>` with -socketPath after the command words.
  integration::CommandOutput cli(const std::vector<std::string>& args);

private:
  spire::testing::TempDir dir_;
  std::string name_;
  std::string database_dsn_;
  std::vector<std::string> extra_lines_;
  int port_;
  std::unique_ptr<integration::Process> process_;
};

// The PEM certificates in `pem`, each as its own PEM block.
std::vector<std::string> pemCertificates(const std::string& pem);

} // namespace spire::ha
