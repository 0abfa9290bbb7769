// Independent gRPC stacks against the agent's Workload API, both loading spec_workload.proto
// (written from the SPIFFE spec, not from this project's proto/): Python on Debian's
// python3-grpcio (+ PyJWT validating the JWT-SVID with the JWKS from FetchJWTBundles), and Node
// on @grpc/grpc-js + @grpc/proto-loader installed from npm into the build tree.

#include <filesystem>
#include <map>
#include <sstream>

#include "e2e/e2e_deployment.h"
#include "integration/support/process.h"

namespace spire::e2e {
namespace {

const std::string kRoot = "spiffe://example.org/workload/root";

// "key=value" lines of a client's stdout.
std::map<std::string, std::string> facts(const std::string& out) {
  std::map<std::string, std::string> result;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    const auto eq = line.find('=');
    result[eq == std::string::npos ? line : line.substr(0, eq)] =
        eq == std::string::npos ? "" : line.substr(eq + 1);
  }
  return result;
}

CommandOutput run(const std::string& program, const std::vector<std::string>& args,
                  const std::filesystem::path& log_dir, const std::string& name,
                  const std::filesystem::path& work_dir = {},
                  std::chrono::milliseconds timeout = 60s) {
  integration::ProcessOptions p;
  p.program = program;
  p.args = args;
  p.log_dir = log_dir;
  p.name = name;
  p.work_dir = work_dir;
  return integration::runToCompletion(std::move(p), timeout);
}

class InteropE2eTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(deployment_.start());
    ASSERT_TRUE(deployment_.createEntry(kRoot, {"unix:uid:" + std::to_string(::getuid())}));
    ASSERT_TRUE(deployment_.waitForSvid(kRoot)) << deployment_.describe();
  }
  std::filesystem::path logs() { return deployment_.agent().dir() / "logs"; }
  Deployment deployment_;
};

TEST_F(InteropE2eTest, PythonGrpcioClientOverAllFiveRpcsAndPyJwt) {
  const std::filesystem::path gen = deployment_.agent().dir() / "py-gen";
  std::filesystem::create_directories(gen);
  CommandOutput protoc = run("/usr/bin/protoc",
                             {"--proto_path=" + std::string(E2E_INTEROP_DIR),
                              "--python_out=" + gen.string(), "spec_workload.proto"},
                             logs(), "protoc");
  ASSERT_EQ(protoc.exitCode(), 0) << protoc.describe();

  CommandOutput py = run("/usr/bin/python3",
                         {std::string(E2E_INTEROP_DIR) + "/workload_client.py",
                          deployment_.agent().socketPath(), gen.string(), "interop-audience"},
                         logs(), "python");
  ASSERT_EQ(py.exitCode(), 0) << py.describe();
  auto f = facts(py.out);
  EXPECT_EQ(f["x509.id"], kRoot) << py.out;
  EXPECT_EQ(f["x509.san"], kRoot) << py.out;
  EXPECT_EQ(f["x509.key_matches"], "True") << py.out;
  EXPECT_EQ(f["x509.issued_by_bundle"], "True") << py.out;
  EXPECT_EQ(f["x509bundles.tds"], "spiffe://example.org") << py.out;
  EXPECT_EQ(f["jwt.id"], kRoot) << py.out;
  EXPECT_EQ(f["pyjwt.sub"], kRoot) << py.out;
  EXPECT_EQ(f["validate.id"], kRoot) << py.out;
  EXPECT_EQ(f["validate.sub"], kRoot) << py.out;
  EXPECT_EQ(f.count("ok"), 1u) << py.out;
}

TEST_F(InteropE2eTest, NodeGrpcJsClientOverAllFiveRpcs) {
  // npm install once per build tree; a failure is a test failure (the registry is expected to
  // be reachable wherever this suite runs), never a skip.
  const std::filesystem::path node_dir = E2E_NODE_DIR;
  if (!std::filesystem::exists(node_dir / "node_modules" / "@grpc" / "grpc-js") ||
      !std::filesystem::exists(node_dir / "node_modules" / "@grpc" / "proto-loader")) {
    std::filesystem::create_directories(node_dir);
    std::filesystem::copy_file(std::string(E2E_INTEROP_DIR) + "/package.json",
                               node_dir / "package.json",
                               std::filesystem::copy_options::overwrite_existing);
    CommandOutput npm =
        run("/usr/bin/npm", {"install", "--no-audit", "--no-fund"}, logs(), "npm", node_dir, 300s);
    ASSERT_EQ(npm.exitCode(), 0) << "npm install of @grpc/grpc-js and @grpc/proto-loader into "
                                 << node_dir << " failed:\n"
                                 << npm.describe();
  }
  std::filesystem::copy_file(std::string(E2E_INTEROP_DIR) + "/workload_client.js",
                             node_dir / "workload_client.js",
                             std::filesystem::copy_options::overwrite_existing);
  CommandOutput node =
      run("/usr/bin/node",
          {(node_dir / "workload_client.js").string(), deployment_.agent().socketPath(),
           std::string(E2E_INTEROP_DIR) + "/spec_workload.proto", "interop-audience"},
          logs(), "node", node_dir);
  ASSERT_EQ(node.exitCode(), 0) << node.describe();
  auto f = facts(node.out);
  EXPECT_EQ(f["x509.id"], kRoot) << node.out;
  EXPECT_EQ(f["x509.san"], "URI:" + kRoot) << node.out;
  EXPECT_EQ(f["x509.key_matches"], "true") << node.out;
  EXPECT_EQ(f["x509bundles.tds"], "spiffe://example.org") << node.out;
  EXPECT_EQ(f["jwt.id"], kRoot) << node.out;
  EXPECT_EQ(f["node.jwt_signature_valid"], "true") << node.out;
  EXPECT_EQ(f["node.jwt_sub"], kRoot) << node.out;
  EXPECT_EQ(f["validate.id"], kRoot) << node.out;
  EXPECT_EQ(f.count("ok"), 1u) << node.out;
}

} // namespace
} // namespace spire::e2e
