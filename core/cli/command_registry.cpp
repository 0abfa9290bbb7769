#include "cli/command_registry.h"

#include <algorithm>

namespace spire::cli {
namespace {

constexpr std::string_view kParentHelp =
    "This command is accessed by using one of the subcommands below.";

bool startsWithDash(const std::string& arg) {
  return !arg.empty() && arg[0] == '-';
}

std::size_t countSpaces(std::string_view text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), ' '));
}

// The keys directly under `prefix` (mitchellh/cli helpCommands): "entry create" under "entry".
std::vector<std::string> childKeys(const std::vector<std::string>& keys, std::string prefix) {
  if (!prefix.empty() && prefix.back() != ' ') {
    prefix += ' ';
  }
  std::vector<std::string> out;
  for (const auto& key : keys) {
    if (key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0 &&
        key.find(' ', prefix.size()) == std::string::npos) {
      out.push_back(key);
    }
  }
  return out;
}

} // namespace

CommandRegistry::CommandRegistry(std::string program, std::string version)
    : program_(std::move(program)), version_(std::move(version)) {}

Status CommandRegistry::add(CommandSpec spec) {
  if (spec.path.empty() || specs_.count(spec.path) != 0) {
    return invalidArgument("command \"" + spec.path + "\" is empty or already declared");
  }
  const std::string path = spec.path;
  specs_.emplace(path, std::move(spec));
  return Status::ok();
}

Status CommandRegistry::setRun(std::string_view path, RunFunction run) {
  const auto it = specs_.find(std::string(path));
  if (it == specs_.end()) {
    return notFound("no command \"" + std::string(path) + "\" is declared");
  }
  runs_[it->first] = std::move(run);
  return Status::ok();
}

const CommandSpec* CommandRegistry::find(std::string_view path) const {
  const auto it = specs_.find(std::string(path));
  return it == specs_.end() ? nullptr : &it->second;
}

std::vector<std::string> CommandRegistry::paths() const {
  std::vector<std::string> out;
  for (const auto& [path, spec] : specs_) {
    out.push_back(path);
  }
  return out;
}

FlagSet CommandRegistry::flagSet(const CommandSpec& spec) const {
  return FlagSet(spec.flag_set_name.empty() ? spec.path : spec.flag_set_name, spec.flags);
}

std::map<std::string, CommandRegistry::Node> CommandRegistry::tree() const {
  std::map<std::string, Node> nodes;
  for (const auto& [path, spec] : specs_) {
    Node node;
    node.spec = &spec;
    const auto run = runs_.find(path);
    node.run = run == runs_.end() ? nullptr : &run->second;
    nodes[path] = node;
  }
  for (const auto& [path, spec] : specs_) {
    std::string parent = path;
    for (auto space = parent.rfind(' '); space != std::string::npos; space = parent.rfind(' ')) {
      parent.resize(space);
      nodes.try_emplace(parent, Node{});
    }
  }
  return nodes;
}

std::string CommandRegistry::synopsis(const Node& node) const {
  return node.spec == nullptr ? std::string() : node.spec->synopsis;
}

// A SPIRE command's Help() parses "-h": Go prints the usage to stderr and the text returned is
// the error "flag: help requested". Parents created for nesting have a fixed help text.
std::string CommandRegistry::commandHelpText(const Node& node, std::ostream& side_effects) const {
  if (node.spec == nullptr) {
    return std::string(kParentHelp);
  }
  std::string message = flagSet(*node.spec).parse({"-h"}, side_effects).message;
  return node.spec->help_text_empty ? std::string() : message;
}

// mitchellh/cli BasicHelpFunc.
std::string CommandRegistry::helpList(const std::map<std::string, Node>& nodes,
                                      const std::string& prefix) const {
  std::vector<std::string> keys;
  for (const auto& [key, node] : nodes) {
    keys.push_back(key);
  }
  const auto children = childKeys(keys, prefix);
  std::size_t longest = 0;
  for (const auto& key : children) {
    longest = std::max(longest, key.size());
  }
  std::string out = "Usage: " + program_ + " [--version] [--help] <command> [<args>]\n\n";
  out += "Available commands are:\n";
  for (const auto& key : children) {
    out += "    " + key + std::string(longest - key.size(), ' ') + "    " +
           synopsis(nodes.at(key)) + "\n";
  }
  return out;
}

// mitchellh/cli commandHelp with its default template.
void CommandRegistry::commandHelp(const std::map<std::string, Node>& nodes, const std::string& path,
                                  std::ostream& out) const {
  std::string text = commandHelpText(nodes.at(path), out);
  std::vector<std::string> keys;
  for (const auto& [key, node] : nodes) {
    keys.push_back(key);
  }
  const auto children = childKeys(keys, path);
  if (!children.empty()) {
    std::size_t longest = 0;
    for (const auto& key : children) {
      longest = std::max(longest, key.size());
    }
    text += "\n\nSubcommands:";
    for (const auto& key : children) {
      const Node& child = nodes.at(key);
      // The template builds every child's Help() too, which prints its usage as a side effect.
      commandHelpText(child, out);
      const std::string name = key.substr(key.rfind(' ') + 1);
      text += "\n    " + name + std::string(longest - key.size(), ' ') + "    " + synopsis(child);
    }
  }
  out << text << "\n";
}

int CommandRegistry::run(const std::vector<std::string>& args, Env& env) const {
  const auto nodes = tree();
  bool is_help = false;
  bool is_version = false;
  bool have_subcommand = false;
  std::string subcommand;
  std::vector<std::string> subcommand_args;
  std::vector<std::string> top_flags;

  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      break;
    }
    if (arg == "-h" || arg == "-help" || arg == "--help") {
      is_help = true;
      continue;
    }
    if (!have_subcommand) {
      if (arg == "-v" || arg == "-version" || arg == "--version") {
        is_version = true;
        continue;
      }
      if (startsWithDash(arg)) {
        top_flags.push_back(arg);
      }
    }
    if (!have_subcommand && !arg.empty() && arg[0] != '-') {
      have_subcommand = true;
      // An argument with a space is never a command: mitchellh/cli stops reading here.
      if (arg.find(' ') != std::string::npos) {
        break;
      }
      subcommand = arg;
      // Nested commands: the longest declared path made of the words from here up to the first
      // flag or argument with a space.
      std::size_t end = i;
      while (end < args.size() && !args[end].empty() && args[end][0] != '-' &&
             args[end].find(' ') == std::string::npos) {
        ++end;
      }
      std::string search;
      for (std::size_t k = i; k < end; ++k) {
        search += (k == i ? "" : " ") + args[k];
      }
      // radix LongestPrefix, then the check that the match ends at a word boundary.
      std::string longest;
      for (const auto& [key, node] : nodes) {
        if (search.compare(0, key.size(), key) == 0 && key.size() > longest.size()) {
          longest = key;
        }
      }
      if (!longest.empty() && (search.size() == longest.size() || search[longest.size()] == ' ')) {
        subcommand = longest;
        i += countSpaces(longest);
      }
      subcommand_args.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
    }
  }

  if (is_version && !version_.empty()) {
    env.err << version_ << "\n";
    return 0;
  }
  if (is_help && subcommand.empty()) {
    env.err << helpList(nodes, "") << "\n";
    return 0;
  }
  const auto found = nodes.find(subcommand);
  if (subcommand.empty() || found == nodes.end()) {
    std::string parent;
    if (const auto space = subcommand.rfind(' '); space != std::string::npos) {
      parent = subcommand.substr(0, space);
    }
    env.err << helpList(nodes, parent) << "\n";
    return 127;
  }
  if (is_help) {
    commandHelp(nodes, subcommand, env.err);
    return 0;
  }
  if (!top_flags.empty()) {
    env.err << "Invalid flags before the subcommand. If these flags are for\n"
               "the subcommand, please put them after the subcommand.\n\n";
    commandHelp(nodes, subcommand, env.err);
    return 1;
  }
  const Node& node = found->second;
  if (node.spec == nullptr) {
    // A parent's run result is "show help", which mitchellh/cli turns into exit code 1.
    commandHelp(nodes, subcommand, env.err);
    return 1;
  }
  const auto parsed = flagSet(*node.spec).parse(subcommand_args, env.err);
  if (parsed.kind != ParseOutcome::Kind::kOk) {
    return 1;
  }
  if (node.run == nullptr) {
    env.err << "Error: not implemented yet\n";
    return 1;
  }
  const Status status = (*node.run)(parsed.flags, env);
  if (!status.isOk()) {
    // An empty message means the command already printed its own report in the words SPIRE
    // uses for it (e.g. `validate`); only the exit code is left to give.
    if (!status.message().empty()) {
      env.err << "Error: " << status.message() << "\n";
    }
    return 1;
  }
  return 0;
}

} // namespace spire::cli
