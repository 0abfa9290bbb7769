// The process harness against /bin/sh: capture, environment, waiting, stopping.

#include "integration/support/process.h"

#include <signal.h>

#include <gtest/gtest.h>

#include "integration/support/wait.h"
#include "support/temp_dir.h"

namespace spire::integration {
namespace {

class ProcessTest : public ::testing::Test {
protected:
  ProcessOptions shell(const std::string& script) {
    ProcessOptions o;
    o.program = "/bin/sh";
    o.args = {"-c", script};
    o.log_dir = dir_.path() / "logs";
    o.name = "sh";
    return o;
  }
  std::unique_ptr<Process> start(ProcessOptions o) {
    auto p = Process::start(std::move(o));
    EXPECT_TRUE(p.isOk()) << p.status().message();
    return p.isOk() ? std::move(*p) : nullptr;
  }
  spire::testing::TempDir dir_;
};

TEST_F(ProcessTest, CapturesStdoutStderrAndExitCode) {
  CommandOutput r = runToCompletion(shell("echo out; echo err >&2; exit 3"));
  EXPECT_FALSE(r.timed_out);
  EXPECT_TRUE(r.status.exited);
  EXPECT_EQ(r.exitCode(), 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_EQ(r.status.describe(), "exit code 3");
}

TEST_F(ProcessTest, EnvironmentIsOverriddenAndUnset) {
  ::setenv("SPIRE_HARNESS_INHERITED", "yes", 1);
  ::setenv("SPIRE_HARNESS_DROPPED", "yes", 1);
  ProcessOptions o =
      shell("echo \"$SPIRE_HARNESS_INHERITED:$SPIRE_HARNESS_SET:${SPIRE_HARNESS_DROPPED-unset}\"");
  o.env["SPIRE_HARNESS_SET"] = "given";
  o.unset_env = {"SPIRE_HARNESS_DROPPED"};
  CommandOutput r = runToCompletion(o);
  EXPECT_EQ(r.out, "yes:given:unset\n") << r.describe();
}

TEST_F(ProcessTest, StdinAndWorkDirAreApplied) {
  ProcessOptions o = shell("cat; pwd");
  o.stdin_text = "from stdin\n";
  o.work_dir = dir_.path();
  CommandOutput r = runToCompletion(o);
  EXPECT_EQ(r.out, "from stdin\n" + std::filesystem::canonical(dir_.path()).string() + "\n")
      << r.describe();
}

TEST_F(ProcessTest, ExecFailureIsExitCode127WithReason) {
  ProcessOptions o = shell("");
  o.program = (dir_.path() / "no-such-program").string();
  CommandOutput r = runToCompletion(o);
  EXPECT_EQ(r.exitCode(), 127);
  EXPECT_NE(r.err.find("execve failed: No such file or directory"), std::string::npos) << r.err;
}

TEST_F(ProcessTest, LogDirIsRequired) {
  ProcessOptions o = shell("true");
  o.log_dir.clear();
  auto p = Process::start(o);
  ASSERT_FALSE(p.isOk());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(p.status().message(), "ProcessOptions.log_dir is required");
}

TEST_F(ProcessTest, WaitForLogFindsALineWrittenLater) {
  auto p = start(shell("sleep 0.2; echo 'level=info msg=\"Starting\"' >&2; exec sleep 30"));
  ASSERT_NE(p, nullptr);
  auto line = p->waitForLog("msg=\"Start", std::chrono::seconds(30));
  ASSERT_TRUE(line.has_value()) << p->describe();
  EXPECT_EQ(*line, "level=info msg=\"Starting\"");
  EXPECT_TRUE(p->running());
  EXPECT_EQ(p->logLines("Starting").size(), 1u);
  EXPECT_TRUE(p->logLines("nothing like this").empty());
}

TEST_F(ProcessTest, WaitForLogGivesUpWhenTheProcessExits) {
  auto p = start(shell("echo other; exit 0"));
  ASSERT_NE(p, nullptr);
  auto begin = std::chrono::steady_clock::now();
  EXPECT_FALSE(p->waitForLog("never printed", std::chrono::seconds(30)).has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(20));
  ASSERT_TRUE(p->exitStatus().has_value());
  EXPECT_TRUE(p->exitStatus()->success());
}

TEST_F(ProcessTest, WaitForLogTimesOutOnASilentProcess) {
  auto p = start(shell("exec sleep 30"));
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(p->waitForLog("x", std::chrono::milliseconds(100)).has_value());
  EXPECT_TRUE(p->running());
}

TEST_F(ProcessTest, StopEndsACooperativeProcessWithSigterm) {
  auto p = start(shell("exec sleep 30"));
  ASSERT_NE(p, nullptr);
  ExitStatus s = p->stop(std::chrono::seconds(30));
  EXPECT_FALSE(s.exited);
  EXPECT_EQ(s.signal, SIGTERM);
  EXPECT_FALSE(p->running());
}

TEST_F(ProcessTest, StopEscalatesToSigkillWhenSigtermIsIgnored) {
  auto p = start(shell("trap '' TERM; echo armed; while :; do sleep 1; done"));
  ASSERT_NE(p, nullptr);
  ASSERT_TRUE(p->waitForLog("^armed$", std::chrono::seconds(30))) << p->describe();
  ExitStatus s = p->stop(std::chrono::milliseconds(200));
  EXPECT_FALSE(s.exited);
  EXPECT_EQ(s.signal, SIGKILL);
  EXPECT_EQ(s.describe(), "killed by signal 9");
}

TEST_F(ProcessTest, RunToCompletionKillsAtTheDeadline) {
  CommandOutput r =
      runToCompletion(shell("echo started; exec sleep 30"), std::chrono::milliseconds(300));
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.status.exited);
  EXPECT_EQ(r.out, "started\n");
}

TEST_F(ProcessTest, DescribeShowsStatusAndOutputTail) {
  auto p = start(shell("echo one; echo two >&2; exit 4"));
  ASSERT_NE(p, nullptr);
  ASSERT_TRUE(p->waitForExit(std::chrono::seconds(30)).has_value());
  std::string d = p->describe();
  EXPECT_NE(d.find("exit code 4"), std::string::npos) << d;
  EXPECT_NE(d.find("  one"), std::string::npos) << d;
  EXPECT_NE(d.find("  two"), std::string::npos) << d;
}

TEST(WaitForTest, ReturnsAsSoonAsTheConditionHolds) {
  int calls = 0;
  EXPECT_TRUE(waitFor([&] { return ++calls == 3; }, std::chrono::seconds(30), 1ms));
  EXPECT_EQ(calls, 3);
}

TEST(WaitForTest, ReturnsFalseAtTheDeadline) {
  auto begin = std::chrono::steady_clock::now();
  EXPECT_FALSE(waitFor([] { return false; }, std::chrono::milliseconds(50), 5ms));
  EXPECT_GE(std::chrono::steady_clock::now() - begin, std::chrono::milliseconds(50));
}

} // namespace
} // namespace spire::integration
