#pragma once

// Runs spire-server client commands through the real command table (flag parsing, "Error: "
// reporting, exit codes) against the fake services served on a UDS in a temp dir.

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "cli/spire_commands.h"
#include "server/commands/fake_services.h"
#include "server/commands/server_client_commands.h"
#include "support/temp_dir.h"

namespace spire::server::commands::testing {

struct CommandResult {
  int code = 0;
  std::string out;
  std::string err;
};

class CommandFixture : public ::testing::Test {
protected:
  void SetUp() override {
    // Agent expiry prints in the local zone; pin it.
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    socket_path_ = (dir_.path() / "api.sock").string();
    grpc::ServerBuilder builder;
    builder.AddListeningPort("unix:" + socket_path_, grpc::InsecureServerCredentials());
    builder.RegisterService(&entry_);
    builder.RegisterService(&agent_);
    builder.RegisterService(&bundle_);
    builder.RegisterService(&svid_);
    builder.RegisterService(&logger_);
    builder.RegisterService(&health_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }

  void TearDown() override {
    if (server_) {
      server_->Shutdown();
    }
  }

  // `spire-server <words...> <args...> -socketPath <fake>`; stdin holds `input`.
  CommandResult run(const std::string& command, std::vector<std::string> args,
                    const std::string& input = "") {
    args.push_back("-socketPath");
    args.push_back(socket_path_);
    return runRaw(command, args, input);
  }

  // Without the -socketPath argument.
  CommandResult runRaw(const std::string& command, const std::vector<std::string>& args,
                       const std::string& input = "") {
    auto registry = cli::makeServerRegistry("test");
    for (const auto& [path, fn] : serverClientCommands()) {
      EXPECT_TRUE(registry.setRun(path, fn).isOk()) << path;
    }
    std::vector<std::string> argv;
    std::istringstream words(command);
    for (std::string w; words >> w;) {
      argv.push_back(w);
    }
    argv.insert(argv.end(), args.begin(), args.end());
    std::istringstream in(input);
    std::ostringstream out;
    std::ostringstream err;
    cli::Env env{in, out, err};
    CommandResult result;
    result.code = registry.run(argv, env);
    result.out = out.str();
    result.err = err.str();
    return result;
  }

  spire::testing::TempDir dir_;
  std::string socket_path_;
  FakeEntryService entry_;
  FakeAgentService agent_;
  FakeBundleService bundle_;
  FakeSvidService svid_;
  FakeLoggerService logger_;
  FakeHealthService health_;
  std::unique_ptr<grpc::Server> server_;
};

} // namespace spire::server::commands::testing
