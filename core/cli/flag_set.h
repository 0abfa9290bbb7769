#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"
#include "config/duration.h"

namespace spire::cli {

using Duration = config::Duration;

// The value types SPIRE's commands declare. kStringList is SPIRE's StringsFlag (repeatable,
// "-selector a:b -selector c:d"); kOutputFormat is its cliprinter -output flag.
enum class FlagKind { kBool, kInt, kInt64, kString, kDuration, kStringList, kOutputFormat };

using FlagValue = std::variant<bool, std::int64_t, std::string, Duration, std::vector<std::string>>;

// One flag of a command, declared as data so the tables can be checked against SPIRE's.
struct FlagSpec {
  std::string name; // without the dash: "spiffeID"
  FlagKind kind = FlagKind::kString;
  std::string usage; // SPIRE's description
  FlagValue default_value = std::string();
  // Go prints a custom flag.Value's type as "value" in usage; SPIRE uses such types for some
  // flags that hold a plain string or duration (agent list -banned, agent api -timeout).
  bool custom_value_type = false;
  // kStringList only: split each occurrence at commas (agent "api fetch jwt -audience a,b").
  bool split_commas = false;
};

// Builders for the tables, so each line reads like SPIRE's fs.XxxVar(...) call.
FlagSpec boolFlag(std::string name, std::string usage, bool default_value = false);
FlagSpec intFlag(std::string name, std::string usage, std::int64_t default_value = 0);
FlagSpec int64Flag(std::string name, std::string usage, std::int64_t default_value = 0);
FlagSpec stringFlag(std::string name, std::string usage, std::string default_value = {});
FlagSpec durationFlag(std::string name, std::string usage, Duration default_value = {});
FlagSpec stringListFlag(std::string name, std::string usage);
FlagSpec outputFlag();
// A flag.Value-typed flag whose content is a string (usage shows "value").
FlagSpec customStringFlag(std::string name, std::string usage, std::string default_value = {});
// A flag.Value-typed duration (usage shows "value" and the default unquoted).
FlagSpec customDurationFlag(std::string name, std::string usage, Duration default_value);

// The result of parsing: every declared flag's value (defaults for unset ones), which were
// set on the command line, and the arguments left after the flags.
class ParsedFlags {
public:
  bool has(std::string_view name) const;
  bool isSet(std::string_view name) const;
  bool getBool(std::string_view name) const;
  std::int64_t getInt(std::string_view name) const;
  const std::string& getString(std::string_view name) const;
  Duration getDuration(std::string_view name) const;
  const std::vector<std::string>& getStrings(std::string_view name) const;
  const std::vector<std::string>& args() const { return args_; }
  // The -output choice ("pretty" or "json"); "pretty" when the command has no -output flag.
  const std::string& outputFormat() const;

  // For the parser and for tests that build inputs directly.
  void setValue(const std::string& name, FlagValue value) { values_[name] = std::move(value); }
  void markSet(const std::string& name) { set_[name] = true; }
  void setArgs(std::vector<std::string> args) { args_ = std::move(args); }

private:
  const FlagValue& find(std::string_view name) const;
  std::map<std::string, FlagValue, std::less<>> values_;
  std::map<std::string, bool, std::less<>> set_;
  std::vector<std::string> args_;
};

// How a parse ended, as Go's FlagSet.Parse reports it (ContinueOnError).
struct ParseOutcome {
  enum class Kind { kOk, kHelp, kError } kind = Kind::kOk;
  std::string message; // Go's error text; "flag: help requested" for kHelp
  ParsedFlags flags;
};

// Go's flag.FlagSet with its exact syntax, messages and usage layout. On an error, like Go's
// failf, the message and then the usage are written to `diagnostics` (stderr in the CLI).
class FlagSet {
public:
  FlagSet(std::string name, std::vector<FlagSpec> flags);

  const std::string& name() const { return name_; }
  const std::vector<FlagSpec>& flags() const { return flags_; } // sorted by name
  const FlagSpec* lookup(std::string_view name) const;

  ParseOutcome parse(const std::vector<std::string>& args, std::ostream& diagnostics) const;

  // Go's defaultUsage: "Usage of <name>:\n" then PrintDefaults.
  std::string usage() const;

private:
  std::string name_;
  std::vector<FlagSpec> flags_;
};

// Go's Value.String() of a default, as PrintDefaults shows it ("600", "720h0m0s", "[]").
std::string defaultText(const FlagSpec& spec);

} // namespace spire::cli
