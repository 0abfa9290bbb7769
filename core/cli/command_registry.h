#pragma once

#include <functional>
#include <istream>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/flag_set.h"
#include "common/status.h"

namespace spire::cli {

// Where a command reads and writes; the daemons pass std::cin/cout/cerr, tests string streams.
struct Env {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

// A command's behaviour, attached later by the daemon code. A non-OK status is printed as
// "Error: <message>" on stderr with exit code 1, as SPIRE's command adapter does.
using RunFunction = std::function<Status(const ParsedFlags& flags, Env& env)>;

// The status a RunFunction returns when it has already printed its own failure report: exit code
// 1 and nothing more on stderr.
inline Status alreadyReported() {
  return Status(StatusCode::kUnknown, "");
}

// A command as data: its path ("entry create"), the one-line synopsis mitchellh/cli lists, the
// name of its Go FlagSet (shown in "Usage of <name>:"), and its flags.
struct CommandSpec {
  std::string path;
  std::string synopsis;
  std::string flag_set_name; // empty means the path
  std::vector<FlagSpec> flags;
  // SPIRE's healthcheck Help() prints the usage but returns "" instead of Go's
  // "flag: help requested", so its help ends with an empty line.
  bool help_text_empty = false;
};

// The commands of one program (spire-server or spire-agent) and their dispatch, following
// mitchellh/cli as SPIRE configures it: nested commands, auto-created parents, -h/--help,
// -v/--version, exit code 127 for an unknown or missing command.
class CommandRegistry {
public:
  CommandRegistry(std::string program, std::string version);

  // Declares a command. Returns InvalidArgument when the path is already declared.
  Status add(CommandSpec spec);
  // Attaches the behaviour of a declared command. NotFound when the path is not declared.
  Status setRun(std::string_view path, RunFunction run);

  const CommandSpec* find(std::string_view path) const;
  const std::string& program() const { return program_; }
  const std::string& version() const { return version_; }
  std::vector<std::string> paths() const; // sorted
  FlagSet flagSet(const CommandSpec& spec) const;

  // Runs argv[1:] and returns the process exit code. Help and version go to env.err, as
  // mitchellh/cli's HelpWriter defaults to stderr.
  int run(const std::vector<std::string>& args, Env& env) const;

private:
  struct Node {
    const CommandSpec* spec = nullptr; // null for an auto-created parent
    const RunFunction* run = nullptr;
  };
  // Every declared path plus its missing parents ("entry" for "entry create").
  std::map<std::string, Node> tree() const;
  std::string helpList(const std::map<std::string, Node>& tree, const std::string& prefix) const;
  void commandHelp(const std::map<std::string, Node>& tree, const std::string& path,
                   std::ostream& out) const;
  std::string commandHelpText(const Node& node, std::ostream& side_effects) const;
  std::string synopsis(const Node& node) const;

  std::string program_;
  std::string version_;
  std::map<std::string, CommandSpec> specs_;
  std::map<std::string, RunFunction> runs_;
};

} // namespace spire::cli
