// mitchellh/cli dispatch as SPIRE configures it: nesting, help, version, unknown commands.
#include <sstream>

#include <gtest/gtest.h>

#include "cli/command_registry.h"

namespace spire::cli {
namespace {

struct Captured {
  int code = 0;
  std::string out;
  std::string err;
};

class RegistryTest : public ::testing::Test {
protected:
  RegistryTest() : registry_("spire-server", "1.16.0") {
    EXPECT_TRUE(registry_
                    .add({"entry create",
                          "Creates registration entries",
                          "",
                          {stringFlag("spiffeID", "The SPIFFE ID"),
                           stringListFlag("selector", "A selector")}})
                    .isOk());
    EXPECT_TRUE(
        registry_.add({"entry show", "Displays configured registration entries", "", {}}).isOk());
    EXPECT_TRUE(
        registry_.add({"run", "Runs the server", "", {boolFlag("expandEnv", "Expand")}}).isOk());
    EXPECT_TRUE(
        registry_.add({"localauthority x509 show", "Shows the local X.509 authorities", "", {}})
            .isOk());
  }

  Captured run(std::vector<std::string> args) {
    std::istringstream in;
    std::ostringstream out;
    std::ostringstream err;
    Env env{in, out, err};
    Captured c;
    c.code = registry_.run(args, env);
    c.out = out.str();
    c.err = err.str();
    return c;
  }

  CommandRegistry registry_;
};

const char kTopHelp[] = "Usage: spire-server [--version] [--help] <command> [<args>]\n\n"
                        "Available commands are:\n"
                        "    entry             \n"
                        "    localauthority    \n"
                        "    run               Runs the server\n"
                        "\n";

TEST_F(RegistryTest, AddRejectsDuplicatesAndSetRunNeedsDeclaredPath) {
  const Status dup = registry_.add({"run", "again", "", {}});
  EXPECT_EQ(dup.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(dup.message(), "command \"run\" is empty or already declared");
  const Status missing =
      registry_.setRun("entry bogus", [](const ParsedFlags&, Env&) { return Status::ok(); });
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.message(), "no command \"entry bogus\" is declared");
}

TEST_F(RegistryTest, DispatchesNestedCommandWithParsedFlags) {
  std::vector<std::string> selectors;
  std::string id;
  ASSERT_TRUE(registry_
                  .setRun("entry create",
                          [&](const ParsedFlags& flags, Env& env) {
                            id = flags.getString("spiffeID");
                            selectors = flags.getStrings("selector");
                            env.out << "Entry ID         : x\n";
                            return Status::ok();
                          })
                  .isOk());
  const auto c =
      run({"entry", "create", "-spiffeID", "spiffe://td/w", "-selector", "a:b", "--selector=c:d"});
  EXPECT_EQ(c.code, 0);
  EXPECT_EQ(id, "spiffe://td/w");
  EXPECT_EQ(selectors, (std::vector<std::string>{"a:b", "c:d"}));
  EXPECT_EQ(c.out, "Entry ID         : x\n");
  EXPECT_EQ(c.err, "");
}

TEST_F(RegistryTest, ThreeLevelNesting) {
  bool ran = false;
  ASSERT_TRUE(registry_
                  .setRun("localauthority x509 show",
                          [&](const ParsedFlags&, Env&) {
                            ran = true;
                            return Status::ok();
                          })
                  .isOk());
  EXPECT_EQ(run({"localauthority", "x509", "show"}).code, 0);
  EXPECT_TRUE(ran);
}

TEST_F(RegistryTest, RunErrorPrintsErrorPrefixAndExitsOne) {
  ASSERT_TRUE(registry_
                  .setRun("entry show",
                          [](const ParsedFlags&, Env&) {
                            return Status(StatusCode::kNotFound, "entry not found");
                          })
                  .isOk());
  const auto c = run({"entry", "show"});
  EXPECT_EQ(c.code, 1);
  EXPECT_EQ(c.err, "Error: entry not found\n");
}

TEST_F(RegistryTest, CommandWithoutRunIsNotImplemented) {
  const auto c = run({"entry", "show"});
  EXPECT_EQ(c.code, 1);
  EXPECT_EQ(c.err, "Error: not implemented yet\n");
  EXPECT_EQ(c.out, "");
}

TEST_F(RegistryTest, BadFlagExitsOneWithGoMessageAndUsage) {
  const auto c = run({"entry", "create", "-bogus"});
  EXPECT_EQ(c.code, 1);
  EXPECT_EQ(c.err, "flag provided but not defined: -bogus\n"
                   "Usage of entry create:\n"
                   "  -selector value\n"
                   "    \tA selector\n"
                   "  -spiffeID string\n"
                   "    \tThe SPIFFE ID\n");
}

TEST_F(RegistryTest, NoArgumentsListsCommandsWith127) {
  const auto c = run({});
  EXPECT_EQ(c.code, 127);
  EXPECT_EQ(c.err, kTopHelp);
  EXPECT_EQ(c.out, "");
}

TEST_F(RegistryTest, UnknownCommandListsCommandsWith127) {
  const auto c = run({"bogus", "-x"});
  EXPECT_EQ(c.code, 127);
  EXPECT_EQ(c.err, kTopHelp);
  // An argument with a space is never a command.
  EXPECT_EQ(run({"entry create"}).code, 127);
}

TEST_F(RegistryTest, TopLevelHelpExitsZero) {
  for (const std::string help : {"-h", "-help", "--help"}) {
    const auto c = run({help});
    EXPECT_EQ(c.code, 0) << help;
    EXPECT_EQ(c.err, kTopHelp);
  }
}

TEST_F(RegistryTest, VersionFlags) {
  for (const std::string flag : {"-v", "-version", "--version"}) {
    const auto c = run({flag});
    EXPECT_EQ(c.code, 0);
    EXPECT_EQ(c.err, "1.16.0\n");
  }
  // After the subcommand, -v belongs to the command.
  EXPECT_EQ(run({"run", "-v"}).code, 1);
}

TEST_F(RegistryTest, CommandHelpPrintsUsageThenGoHelpError) {
  const auto c = run({"entry", "create", "-spiffeID", "x", "-h"});
  EXPECT_EQ(c.code, 0);
  EXPECT_EQ(c.err, "Usage of entry create:\n"
                   "  -selector value\n"
                   "    \tA selector\n"
                   "  -spiffeID string\n"
                   "    \tThe SPIFFE ID\n"
                   "flag: help requested\n");
  // -help/--help anywhere before "--" count too; the command does not run.
  EXPECT_EQ(run({"--help", "run"}).code, 0);
}

TEST_F(RegistryTest, ParentCommandShowsSubcommandsAndExitsOne) {
  const auto c = run({"entry"});
  EXPECT_EQ(c.code, 1);
  // Building the list calls every child's Help(), which prints its usage first (as SPIRE does).
  EXPECT_EQ(c.err, "Usage of entry create:\n"
                   "  -selector value\n"
                   "    \tA selector\n"
                   "  -spiffeID string\n"
                   "    \tThe SPIFFE ID\n"
                   "Usage of entry show:\n"
                   "This command is accessed by using one of the subcommands below.\n\n"
                   "Subcommands:\n"
                   "    create    Creates registration entries\n"
                   "    show      Displays configured registration entries\n");
  // Asking for help on a parent is exit code 0 with the same text.
  EXPECT_EQ(run({"entry", "-h"}).code, 0);
}

TEST_F(RegistryTest, UnknownSubcommandFallsBackToParent) {
  const auto c = run({"entry", "bogus"});
  EXPECT_EQ(c.code, 1);
  EXPECT_NE(c.err.find("Subcommands:\n    create"), std::string::npos);
  // "entry createx" is not "entry create".
  EXPECT_EQ(run({"entry", "createx"}).code, 1);
}

TEST_F(RegistryTest, FlagsBeforeSubcommandAreRefused) {
  const auto c = run({"-expandEnv", "run"});
  EXPECT_EQ(c.code, 1);
  EXPECT_EQ(c.err, "Invalid flags before the subcommand. If these flags are for\n"
                   "the subcommand, please put them after the subcommand.\n\n"
                   "Usage of run:\n"
                   "  -expandEnv\n"
                   "    \tExpand\n"
                   "flag: help requested\n");
}

TEST_F(RegistryTest, PositionalArgumentsReachTheCommand) {
  std::vector<std::string> rest;
  ASSERT_TRUE(registry_
                  .setRun("run",
                          [&](const ParsedFlags& flags, Env&) {
                            rest = flags.args();
                            return Status::ok();
                          })
                  .isOk());
  EXPECT_EQ(run({"run", "-expandEnv", "--", "-h"}).code, 0);
  EXPECT_EQ(rest, (std::vector<std::string>{"-h"}));
}

TEST_F(RegistryTest, PathsAreSorted) {
  EXPECT_EQ(registry_.paths(), (std::vector<std::string>{"entry create", "entry show",
                                                         "localauthority x509 show", "run"}));
  ASSERT_NE(registry_.find("run"), nullptr);
  EXPECT_EQ(registry_.find("entry"), nullptr);
}

} // namespace
} // namespace spire::cli
