// The examples as an author would use them: install the SDK into a prefix of its own, build each
// example out of tree with cmake against it, then load the results through the host (with
// plugin_checksum) and attest. The C example attests this test process itself.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include <gtest/gtest.h>

#include "crypto/digest.h"
#include "plugin_abi/plugin_fixtures.h"
#include "plugin_host/loader.h"
#include "plugin_host/node_attestor.h"
#include "plugin_host/workload_attestor.h"
#include "support/command.h"

namespace spire::plugin_host {
namespace {

using spire::testing::runCommand;

class ExamplesTest : public ::testing::Test {
protected:
  // ctest runs each case in its own process: the out-of-tree builds live in a fixed directory of
  // the build tree, so only the first process pays for them (later runs are incremental no-ops),
  // and a file lock keeps concurrent processes from building at the same time.
  static void SetUpTestSuite() {
    const std::filesystem::path root = SPIRE_EXAMPLES_WORK_DIR;
    std::filesystem::create_directories(root);
    int lock_fd = ::open((root / "lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (lock_fd >= 0) {
      ::flock(lock_fd, LOCK_EX);
    }
    const std::string sdk = (root / "sdk").string();
    std::string log;
    auto run = [&](const std::string& command) {
      spire::testing::CommandResult r = runCommand(command);
      log += "$ " + command + "\n" + r.output;
      return r.exit_code == 0;
    };
    const std::string cmake = SPIRE_CMAKE_COMMAND;
    ok_ = run(cmake + " --install " + SPIRE_BINARY_DIR + " --component SpirePluginSDK --prefix " +
              sdk);
    for (const char* example : {"workload_attestor_environ", "node_attestor_psk"}) {
      const std::string build = (root / example).string();
      ok_ = ok_ &&
            run(cmake + " -S " + SPIRE_SOURCE_DIR + "/examples/" + example + " -B " + build +
                " -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=" + sdk) &&
            run(cmake + " --build " + build);
    }
    if (lock_fd >= 0) {
      ::close(lock_fd); // releases the lock
    }
    root_ = new std::filesystem::path(root);
    log_ = new std::string(log);
  }

  static void TearDownTestSuite() {
    delete root_;
    delete log_;
  }

  void SetUp() override { ASSERT_TRUE(ok_) << *log_; }

  static std::string built(const std::string& example, const std::string& file) {
    return (*root_ / example / file).string();
  }

  static config::PluginSpec withChecksum(config::PluginSpec spec) {
    Result<std::string> sum = crypto::sha256FilePath(spec.plugin_cmd);
    EXPECT_TRUE(sum.isOk());
    spec.plugin_checksum = sum.isOk() ? *sum : "";
    return spec;
  }

  static inline std::filesystem::path* root_ = nullptr;
  static inline std::string* log_ = nullptr;
  static inline bool ok_ = false;
};

TEST_F(ExamplesTest, InstalledSdkHoldsOnlyTheSdk) {
  const std::filesystem::path sdk = *root_ / "sdk";
  EXPECT_TRUE(std::filesystem::exists(sdk / "include/spire/plugin/plugin.h"));
  EXPECT_TRUE(std::filesystem::exists(sdk / "include/spire/plugin/cpp/plugin.hpp"));
  EXPECT_TRUE(std::filesystem::exists(sdk / "lib/cmake/SpirePluginSDK/SpirePluginSDKConfig.cmake"));
  EXPECT_FALSE(std::filesystem::exists(sdk / "include/common"));
}

TEST_F(ExamplesTest, CWorkloadAttestorAttestsThisProcess) {
  config::PluginSpec spec = withChecksum(spire::testing::externalSpec(
      "WorkloadAttestor", "environ",
      built("workload_attestor_environ", "workload_attestor_environ.so"), R"({"prefix": "PATH"})"));
  Result<LoadedPluginPtr> loaded = loadPlugin(spec, spire::testing::loaderOptions(Role::kAgent));
  ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
  Result<std::vector<Selector>> selectors =
      WorkloadAttestorPlugin(*loaded).attest(static_cast<std::int32_t>(::getpid()));
  ASSERT_TRUE(selectors.isOk()) << selectors.status().toString();
  const char* path = std::getenv("PATH");
  ASSERT_NE(path, nullptr);
  Selector expected{"environ", std::string("env:PATH=") + path};
  EXPECT_NE(std::find(selectors->begin(), selectors->end(), expected), selectors->end());
  for (const Selector& s : *selectors) {
    EXPECT_EQ(s.value.rfind("env:PATH", 0), 0u) << s.value;
  }
}

TEST_F(ExamplesTest, CWorkloadAttestorErrors) {
  const std::string so = built("workload_attestor_environ", "workload_attestor_environ.so");
  Result<LoadedPluginPtr> unconfigured =
      loadPlugin(spire::testing::externalSpec("WorkloadAttestor", "environ", so, "{}"),
                 spire::testing::loaderOptions(Role::kAgent));
  EXPECT_EQ(unconfigured.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(unconfigured.status().message(),
            "WorkloadAttestor \"environ\": failed to configure plugin: prefix is required");

  Result<LoadedPluginPtr> loaded = loadPlugin(
      spire::testing::externalSpec("WorkloadAttestor", "environ", so, R"({"prefix": "X"})"),
      spire::testing::loaderOptions(Role::kAgent));
  ASSERT_TRUE(loaded.isOk());
  Result<std::vector<Selector>> gone = WorkloadAttestorPlugin(*loaded).attest(2147483600);
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(gone.status().message(), "WorkloadAttestor \"environ\": cannot read "
                                     "/proc/2147483600/environ: No such file or directory");
}

TEST_F(ExamplesTest, CppNodeAttestorBothSides) {
  const std::string so = built("node_attestor_psk", "node_attestor_psk.so");
  LoaderOptions server_options = spire::testing::loaderOptions(Role::kServer);
  server_options.agent_store = [](std::string_view) -> Result<std::optional<AgentInfo>> {
    return std::optional<AgentInfo>();
  };
  Result<LoadedPluginPtr> server =
      loadPlugin(withChecksum(spire::testing::externalSpec("NodeAttestor", "psk", so,
                                                           R"({"secret": "0123456789abcdef"})")),
                 server_options);
  ASSERT_TRUE(server.isOk()) << server.status().toString();
  Result<LoadedPluginPtr> agent = loadPlugin(
      withChecksum(spire::testing::externalSpec(
          "NodeAttestor", "psk", so, R"({"secret": "0123456789abcdef", "node_name": "web-01"})")),
      spire::testing::loaderOptions(Role::kAgent));
  ASSERT_TRUE(agent.isOk()) << agent.status().toString();

  Result<std::unique_ptr<AgentAttestSession>> session = AgentNodeAttestorPlugin(*agent).begin();
  ASSERT_TRUE(session.isOk()) << session.status().toString();
  Result<ServerAttestStep> result = ServerNodeAttestorPlugin(*server).attest(
      (*session)->payload(), [&](const Bytes& challenge) { return (*session)->answer(challenge); });
  ASSERT_TRUE(result.isOk()) << result.status().toString();
  EXPECT_EQ(result->attributes.spiffe_id, "spiffe://example.org/spire/agent/psk/web-01");
  EXPECT_EQ(result->selectors, (std::vector<Selector>{{"psk", "node:web-01"}}));
}

TEST_F(ExamplesTest, CppNodeAttestorRejectsAWrongSecret) {
  const std::string so = built("node_attestor_psk", "node_attestor_psk.so");
  Result<LoadedPluginPtr> server = loadPlugin(
      spire::testing::externalSpec("NodeAttestor", "psk", so, R"({"secret": "0123456789abcdef"})"),
      spire::testing::loaderOptions(Role::kServer));
  Result<LoadedPluginPtr> agent = loadPlugin(
      spire::testing::externalSpec("NodeAttestor", "psk", so,
                                   R"({"secret": "fedcba9876543210", "node_name": "web-01"})"),
      spire::testing::loaderOptions(Role::kAgent));
  ASSERT_TRUE(server.isOk());
  ASSERT_TRUE(agent.isOk());
  Result<std::unique_ptr<AgentAttestSession>> session = AgentNodeAttestorPlugin(*agent).begin();
  ASSERT_TRUE(session.isOk());
  Result<ServerAttestStep> result = ServerNodeAttestorPlugin(*server).attest(
      (*session)->payload(), [&](const Bytes& challenge) { return (*session)->answer(challenge); });
  EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(result.status().message(), "NodeAttestor \"psk\": challenge response does not match");
}

TEST_F(ExamplesTest, CppNodeAttestorConfigErrors) {
  const std::string so = built("node_attestor_psk", "node_attestor_psk.so");
  Result<LoadedPluginPtr> short_secret =
      loadPlugin(spire::testing::externalSpec("NodeAttestor", "psk", so, R"({"secret": "short"})"),
                 spire::testing::loaderOptions(Role::kServer));
  EXPECT_EQ(short_secret.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(short_secret.status().message(),
            "NodeAttestor \"psk\": failed to configure plugin: secret must be a string of at "
            "least 16 characters");
  Result<LoadedPluginPtr> unknown =
      loadPlugin(spire::testing::externalSpec("NodeAttestor", "psk", so,
                                              R"({"secret": "0123456789abcdef", "extra": 1})"),
                 spire::testing::loaderOptions(Role::kServer));
  EXPECT_EQ(unknown.status().message(),
            "NodeAttestor \"psk\": failed to configure plugin: unknown configuration field "
            "\"extra\"");
}

TEST_F(ExamplesTest, PluginInfoOfTheCppExample) {
  Result<std::string> info = pluginInfoText(built("node_attestor_psk", "node_attestor_psk.so"));
  ASSERT_TRUE(info.isOk()) << info.status().toString();
  EXPECT_NE(info->find("  description: pre-shared key node attestation (server side)\n  "
                       "abi_version: 1\n  flags: none\n  vtable_size: 32\n  validate: yes\n"),
            std::string::npos)
      << *info;
  EXPECT_NE(info->find("  description: pre-shared key node attestation (agent side)\n"),
            std::string::npos);
}

} // namespace
} // namespace spire::plugin_host
