// WorkloadAttestor "unix" logic against the test process itself and against fake /proc trees.

#include <algorithm>
#include <filesystem>
#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "builtin_plugins/test_pki.h"
#include "shared/crypto_util.h"
#include "shared/file_util.h"
#include "workload_attestor/unix/unix_attestor.h"

namespace spire::builtin::workload_attestor {
namespace {

using testing::TempDir;

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string selfExe() {
  return std::filesystem::read_symlink("/proc/self/exe").string();
}

TEST(UnixAttestorTest, SelectorsOfTheTestProcess) {
  UnixAttestor attestor;
  ASSERT_TRUE(attestor.configure("{}").isOk());
  auto selectors = attestor.attest(static_cast<int32_t>(::getpid()));
  ASSERT_TRUE(selectors.isOk()) << selectors.status().message();
  EXPECT_EQ((*selectors)[0], "uid:" + std::to_string(::geteuid()));
  EXPECT_TRUE(contains(*selectors, "gid:" + std::to_string(::getegid())));
  if (passwd* pw = ::getpwuid(::geteuid())) {
    EXPECT_EQ((*selectors)[1], std::string("user:") + pw->pw_name);
  }
  if (group* gr = ::getgrgid(::getegid())) {
    EXPECT_TRUE(contains(*selectors, std::string("group:") + gr->gr_name));
  }
  // Supplementary groups are exactly getgroups().
  std::vector<gid_t> groups(static_cast<size_t>(::getgroups(0, nullptr)));
  ::getgroups(static_cast<int>(groups.size()), groups.data());
  for (gid_t g : groups) {
    EXPECT_TRUE(contains(*selectors, "supplementary_gid:" + std::to_string(g)));
  }
  // Path selectors only with discover_workload_path.
  for (const auto& s : *selectors) {
    EXPECT_NE(s.rfind("path:", 0), 0u) << s;
    EXPECT_NE(s.rfind("sha256:", 0), 0u) << s;
  }
}

TEST(UnixAttestorTest, WorkloadPathAndDigest) {
  UnixAttestor attestor;
  ASSERT_TRUE(attestor.configure(R"({"discover_workload_path": true})").isOk());
  auto selectors = attestor.attest(static_cast<int32_t>(::getpid()));
  ASSERT_TRUE(selectors.isOk()) << selectors.status().message();
  auto binary = readFile("/proc/self/exe");
  ASSERT_TRUE(binary.isOk());
  EXPECT_TRUE(contains(*selectors, "path:" + selfExe()));
  EXPECT_TRUE(contains(*selectors, "sha256:" + hexEncode(sha256(*binary))));
  EXPECT_EQ(selectors->back(), "sha256:" + hexEncode(sha256(*binary)));
}

TEST(UnixAttestorTest, SizeLimitRefusesLargeBinaryAndNegativeSkipsHash) {
  UnixAttestor attestor;
  ASSERT_TRUE(
      attestor.configure(R"({"discover_workload_path": true, "workload_size_limit": 10})").isOk());
  auto size = std::filesystem::file_size("/proc/self/exe");
  auto selectors = attestor.attest(static_cast<int32_t>(::getpid()));
  ASSERT_FALSE(selectors.isOk());
  EXPECT_EQ(selectors.status().code(), Code::kInternal);
  EXPECT_EQ(selectors.status().message(),
            "SHA256 digest: workload /proc/" + std::to_string(::getpid()) +
                "/exe exceeds size limit (" + std::to_string(size) + " > 10)");

  ASSERT_TRUE(
      attestor.configure(R"({"discover_workload_path": true, "workload_size_limit": -1})").isOk());
  selectors = attestor.attest(static_cast<int32_t>(::getpid()));
  ASSERT_TRUE(selectors.isOk());
  EXPECT_TRUE(contains(*selectors, "path:" + selfExe()));
  EXPECT_TRUE(std::none_of(selectors->begin(), selectors->end(),
                           [](const std::string& s) { return s.rfind("sha256:", 0) == 0; }));

  // A limit at least as large as the binary hashes it.
  ASSERT_TRUE(attestor
                  .configure(R"({"discover_workload_path": true, "workload_size_limit": )" +
                             std::to_string(size) + "}")
                  .isOk());
  EXPECT_TRUE(attestor.attest(static_cast<int32_t>(::getpid())).isOk());
}

TEST(UnixAttestorTest, VanishedProcessIsAClearError) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child); // reaped: the pid no longer exists
  UnixAttestor attestor;
  ASSERT_TRUE(attestor.configure("{}").isOk());
  auto selectors = attestor.attest(static_cast<int32_t>(child));
  ASSERT_FALSE(selectors.isOk());
  EXPECT_EQ(selectors.status().code(), Code::kNotFound);
  EXPECT_EQ(selectors.status().message(),
            "failed to get process: process " + std::to_string(child) + " does not exist");
}

TEST(UnixAttestorTest, FakeProcTreeUsesEffectiveIds) {
  TempDir proc;
  std::filesystem::create_directories(proc.file("42"));
  proc.write("42/status", "Name:\tfake\nUid:\t1\t4242\t1\t1\nGid:\t2\t4343\t2\t2\n"
                          "Groups:\t5001 5002\n");
  UnixAttestor attestor(proc.path());
  ASSERT_TRUE(attestor.configure("{}").isOk());
  auto selectors = attestor.attest(42);
  ASSERT_TRUE(selectors.isOk()) << selectors.status().message();
  EXPECT_EQ((*selectors)[0], "uid:4242");
  EXPECT_TRUE(contains(*selectors, "gid:4343"));
  EXPECT_TRUE(contains(*selectors, "supplementary_gid:5001"));
  EXPECT_TRUE(contains(*selectors, "supplementary_gid:5002"));
  // Unknown ids get no name selectors.
  EXPECT_TRUE(std::none_of(selectors->begin(), selectors->end(),
                           [](const std::string& s) { return s.rfind("user:", 0) == 0; }));
}

TEST(UnixAttestorTest, FakeProcTreeErrors) {
  TempDir proc;
  std::filesystem::create_directories(proc.file("7"));
  proc.write("7/status", "Name:\tfake\nGid:\t1\t1\t1\t1\n");
  UnixAttestor attestor(proc.path());
  ASSERT_TRUE(attestor.configure(R"({"discover_workload_path": true})").isOk());
  auto r = attestor.attest(7);
  EXPECT_EQ(r.status().code(), Code::kInternal);
  EXPECT_EQ(r.status().message(), "UIDs lookup: no UIDs for process");

  proc.write("7/status", "Uid:\t5\nGid:\t6\n");
  r = attestor.attest(7);
  EXPECT_EQ(r.status().code(), Code::kInternal);
  EXPECT_EQ(r.status().message(),
            "path lookup: readlink " + proc.file("7") + "/exe: No such file or directory");

  proc.write("7/status", "Uid:\t5\n");
  ASSERT_TRUE(attestor.configure("{}").isOk());
  r = attestor.attest(7);
  EXPECT_EQ(r.status().message(), "GIDs lookup: no GIDs for process");

  r = attestor.attest(0);
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "invalid pid 0");
}

TEST(UnixAttestorTest, SingleIdLineIsUsedAsIs) {
  auto st = UnixAttestor::parseStatus("Uid:\t1000\nGid: 100 101\nGroups:\n");
  ASSERT_EQ(st.uids.size(), 1u);
  EXPECT_EQ(st.uids[0], "1000");
  ASSERT_EQ(st.gids.size(), 2u);
  EXPECT_TRUE(st.groups.empty());
}

TEST(UnixAttestorTest, ConfigErrorsAndNotConfigured) {
  UnixAttestor attestor;
  auto r = attestor.attest(static_cast<int32_t>(::getpid()));
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().message(), "not configured");

  Status st = attestor.configure(R"({"discover_workload_path": "yes"})");
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "configuration key \"discover_workload_path\" must be a boolean");
  st = attestor.configure(R"({"workload_size_limit": 1.5})");
  EXPECT_EQ(st.message(), "configuration key \"workload_size_limit\" must be an integer");
  st = attestor.configure(R"({"discover_workload_paths": true})");
  EXPECT_EQ(st.message(), "unknown configuration key \"discover_workload_paths\"");
}

} // namespace
} // namespace spire::builtin::workload_attestor
