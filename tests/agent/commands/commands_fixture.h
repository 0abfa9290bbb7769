#pragma once

// The real Workload API endpoint (core/agent/endpoints) on a Unix socket in a temp dir, with a
// FakeIdentitySource and TestCa certificates behind it, and spire-agent's command registry with
// the client commands attached, run with string streams.

#include <chrono>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "agent/commands/agent_client_commands.h"
#include "agent/endpoints/endpoints.h"
#include "agent/endpoints/fake_identity_source.h"
#include "cli/spire_commands.h"
#include "support/temp_dir.h"
#include "support/test_ca.h"

namespace spire::agent::commands::testing {

using endpoints::IdentitySnapshot;
using endpoints::testing::FakeIdentitySource;

struct CommandOutput {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class CommandsTest : public ::testing::Test {
protected:
  void SetUp() override {
    endpoints::EndpointsConfig config;
    config.socket_path = socket_path_;
    config.workload_api.trust_domain = ca_.trustDomain();
    endpoints_ = std::make_unique<endpoints::Endpoints>(config, source_);
    Status started = endpoints_->start();
    ASSERT_TRUE(started.isOk()) << started.toString();
    for (auto& [path, run] : agentClientCommands()) {
      ASSERT_TRUE(registry_.setRun(path, run).isOk()) << path;
    }
  }
  void TearDown() override { endpoints_.reset(); }

  // `spire-agent <args...>` with -socketPath pointing at the test socket appended.
  CommandOutput run(std::vector<std::string> args, bool with_socket = true) {
    if (with_socket) {
      args.push_back("-socketPath");
      args.push_back(socket_path_);
    }
    std::istringstream in;
    std::ostringstream out;
    std::ostringstream err;
    cli::Env env{in, out, err};
    CommandOutput result;
    result.exit_code = registry_.run(args, env);
    result.out = out.str();
    result.err = err.str();
    return result;
  }

  // Fixed validity periods, so that printed times are known text.
  static crypto::TimePoint day(int y, unsigned m, unsigned d) {
    return std::chrono::sys_days{std::chrono::year{y} / m / d};
  }
  static spire::testing::CaOptions caOptions() {
    spire::testing::CaOptions options;
    options.not_before = day(2020, 1, 1);
    options.not_after = day(2090, 1, 1);
    return options;
  }
  x509::X509Svid issue(const std::string& path) const {
    spire::testing::LeafOptions options;
    options.uri_sans = std::vector<std::string>{"spiffe://example.org" + path};
    options.not_before = day(2021, 2, 3);
    options.not_after = day(2080, 4, 5);
    return ca_.issueLeaf(options).svid();
  }

  // SVIDs for (path, hint) pairs, with the own bundles and optionally the federated ones.
  std::shared_ptr<IdentitySnapshot>
  snapshot(const std::vector<std::pair<std::string, std::string>>& svids,
           bool federated = false) const {
    auto snap = std::make_shared<IdentitySnapshot>();
    for (const auto& [path, hint] : svids) {
      x509::X509Svid svid = issue(path);
      svid.hint = hint;
      snap->svids.push_back(std::make_shared<const x509::X509Svid>(std::move(svid)));
    }
    snap->bundle = std::make_shared<const x509::X509Bundle>(ca_.bundle());
    snap->jwt_bundle = source_.jwtBundle();
    if (federated) {
      snap->federated_bundles.push_back(std::make_shared<const x509::X509Bundle>(fed_ca_.bundle()));
      snap->federated_jwt_bundles.push_back(fed_source_.jwtBundle());
    }
    return snap;
  }

  std::string missingSocketError(const std::string& path) const {
    return "rpc error: code = Unavailable desc = connection error: desc = \"transport: Error "
           "while dialing: dial unix " +
           path + ": connect: no such file or directory\"";
  }

  spire::testing::TempDir dir_;
  std::string socket_path_ = (dir_.path() / "public" / "api.sock").string();
  std::string missing_socket_ = (dir_.path() / "nothing" / "here.sock").string();
  spire::testing::TestCa ca_ = spire::testing::TestCa::createRoot("example.org", caOptions());
  spire::testing::TestCa fed_ca_ =
      spire::testing::TestCa::createRoot("federated.test", caOptions());
  FakeIdentitySource source_{ca_.trustDomain()};
  FakeIdentitySource fed_source_{fed_ca_.trustDomain(), "fed-kid"};
  std::unique_ptr<endpoints::Endpoints> endpoints_;
  cli::CommandRegistry registry_ = cli::makeAgentRegistry("1.0.0-test");
};

} // namespace spire::agent::commands::testing
