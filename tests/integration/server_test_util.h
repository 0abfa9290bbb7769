#pragma once

// Helpers the spire-server integration tests share: CLI calls with JSON output, the bundle, join
// tokens, and assertions that print the daemon's log when they fail.

#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/support/daemons.h"
#include "integration/support/server_api_client.h"
#include "support/command.h"

namespace spire::integration {

// Starts `server` and fails the test (with the log) when it does not serve.
#define ASSERT_SERVING(server)                                                                     \
  do {                                                                                             \
    Status started_ = (server).startAndWait();                                                     \
    ASSERT_TRUE(started_.isOk()) << started_.message();                                            \
  } while (0)

// `args` with -output json; the parsed stdout (null when it is not JSON).
inline nlohmann::json cliJson(ServerUnderTest& server, std::vector<std::string> args,
                              CommandOutput* raw = nullptr) {
  args.push_back("-output");
  args.push_back("json");
  CommandOutput out = server.cli(args);
  if (raw != nullptr) {
    *raw = out;
  }
  auto parsed = nlohmann::json::parse(out.out, nullptr, false);
  return parsed.is_discarded() ? nlohmann::json() : parsed;
}

// `spire-server bundle show` (PEM).
inline std::string bundlePem(ServerUnderTest& server) {
  CommandOutput out = server.cli({"bundle", "show"});
  EXPECT_EQ(out.exitCode(), 0) << out.describe();
  return out.out;
}

// `spire-server token generate`; the token ("" on failure).
inline std::string generateToken(ServerUnderTest& server,
                                 const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"token", "generate"};
  args.insert(args.end(), extra.begin(), extra.end());
  CommandOutput out = server.cli(args);
  std::smatch m;
  if (out.exitCode() != 0 || !std::regex_search(out.out, m, std::regex("^Token: (\\S+)"))) {
    ADD_FAILURE() << out.describe();
    return "";
  }
  return m[1];
}

// Writes `text` into the server's temp dir and returns the path.
inline std::string writeTemp(ServerUnderTest& server, const std::string& name,
                             const std::string& text) {
  std::filesystem::path path = server.dir() / name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path.string();
}

// `openssl verify -CAfile bundle [-untrusted chain] leaf`, as an independent check.
inline testing::CommandResult opensslVerify(ServerUnderTest& server, const std::string& bundle_pem,
                                            const std::string& leaf_pem) {
  const std::string ca = writeTemp(server, "verify-ca.pem", bundle_pem);
  const std::string leaf = writeTemp(server, "verify-leaf.pem", leaf_pem);
  return testing::runCommand("openssl verify -CAfile " + ca + " " + leaf);
}

} // namespace spire::integration
