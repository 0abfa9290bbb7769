#include "cli/flag_set.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "cli/go_strconv.h"

namespace spire::cli {
namespace {

const std::vector<std::string> kEmptyList;
const std::string kPretty = "pretty";

std::string lowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

// Go's UnquoteUsage: a `back-quoted` word in the usage names the value; otherwise the type does.
std::pair<std::string, std::string> unquoteUsage(const FlagSpec& spec) {
  const std::string& usage = spec.usage;
  const auto open = usage.find('`');
  if (open != std::string::npos) {
    const auto close = usage.find('`', open + 1);
    if (close != std::string::npos) {
      std::string name = usage.substr(open + 1, close - open - 1);
      return {name, usage.substr(0, open) + name + usage.substr(close + 1)};
    }
  }
  if (spec.custom_value_type) {
    return {"value", usage};
  }
  switch (spec.kind) {
  case FlagKind::kBool:
    return {"", usage};
  case FlagKind::kDuration:
    return {"duration", usage};
  case FlagKind::kInt:
  case FlagKind::kInt64:
    return {"int", usage};
  case FlagKind::kString:
    return {"string", usage};
  case FlagKind::kStringList:
  case FlagKind::kOutputFormat:
    return {"value", usage};
  }
  return {"value", usage};
}

// The String() of a zero value of the flag's Go type; a default equal to it is not printed.
std::string zeroText(const FlagSpec& spec) {
  switch (spec.kind) {
  case FlagKind::kBool:
    return "false";
  case FlagKind::kInt:
  case FlagKind::kInt64:
    return "0";
  case FlagKind::kString:
    return "";
  case FlagKind::kDuration:
    return "0s";
  case FlagKind::kStringList:
    return "[]";
  case FlagKind::kOutputFormat:
    return kPretty; // cliprinter's FormatterFlag reports "pretty" even when zero
  }
  return "";
}

std::string replaceNewlines(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') {
      out += "    \t";
    }
  }
  return out;
}

} // namespace

FlagSpec boolFlag(std::string name, std::string usage, bool default_value) {
  return {std::move(name), FlagKind::kBool, std::move(usage), default_value};
}
FlagSpec intFlag(std::string name, std::string usage, std::int64_t default_value) {
  return {std::move(name), FlagKind::kInt, std::move(usage), default_value};
}
FlagSpec int64Flag(std::string name, std::string usage, std::int64_t default_value) {
  return {std::move(name), FlagKind::kInt64, std::move(usage), default_value};
}
FlagSpec stringFlag(std::string name, std::string usage, std::string default_value) {
  return {std::move(name), FlagKind::kString, std::move(usage), std::move(default_value)};
}
FlagSpec durationFlag(std::string name, std::string usage, Duration default_value) {
  return {std::move(name), FlagKind::kDuration, std::move(usage), default_value};
}
FlagSpec stringListFlag(std::string name, std::string usage) {
  return {std::move(name), FlagKind::kStringList, std::move(usage), std::vector<std::string>()};
}
FlagSpec outputFlag() {
  return {"output", FlagKind::kOutputFormat,
          "Desired output format (pretty, json); default: pretty.", std::string(kPretty)};
}
FlagSpec customStringFlag(std::string name, std::string usage, std::string default_value) {
  FlagSpec spec = stringFlag(std::move(name), std::move(usage), std::move(default_value));
  spec.custom_value_type = true;
  return spec;
}
FlagSpec customDurationFlag(std::string name, std::string usage, Duration default_value) {
  FlagSpec spec = durationFlag(std::move(name), std::move(usage), default_value);
  spec.custom_value_type = true;
  return spec;
}

std::string defaultText(const FlagSpec& spec) {
  if (const auto* b = std::get_if<bool>(&spec.default_value)) {
    return *b ? "true" : "false";
  }
  if (const auto* i = std::get_if<std::int64_t>(&spec.default_value)) {
    return std::to_string(*i);
  }
  if (const auto* s = std::get_if<std::string>(&spec.default_value)) {
    return *s;
  }
  if (const auto* d = std::get_if<Duration>(&spec.default_value)) {
    return config::formatGoDuration(*d);
  }
  const auto& list = std::get<std::vector<std::string>>(spec.default_value);
  std::string out = "[";
  for (std::size_t i = 0; i < list.size(); ++i) {
    out += (i == 0 ? "" : " ") + list[i];
  }
  return out + "]";
}

// ---- ParsedFlags ----

const FlagValue& ParsedFlags::find(std::string_view name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) {
    // A run function asking for a flag its command does not declare is a programming error:
    // fail loudly in every build type rather than read past the map.
    std::fprintf(stderr, "spire_cli: flag -%.*s is not declared by this command\n",
                 static_cast<int>(name.size()), name.data());
    std::abort();
  }
  return it->second;
}

bool ParsedFlags::has(std::string_view name) const {
  return values_.find(name) != values_.end();
}
bool ParsedFlags::isSet(std::string_view name) const {
  return set_.find(name) != set_.end();
}
bool ParsedFlags::getBool(std::string_view name) const {
  return std::get<bool>(find(name));
}
std::int64_t ParsedFlags::getInt(std::string_view name) const {
  return std::get<std::int64_t>(find(name));
}
const std::string& ParsedFlags::getString(std::string_view name) const {
  return std::get<std::string>(find(name));
}
Duration ParsedFlags::getDuration(std::string_view name) const {
  return std::get<Duration>(find(name));
}
const std::vector<std::string>& ParsedFlags::getStrings(std::string_view name) const {
  return std::get<std::vector<std::string>>(find(name));
}
const std::string& ParsedFlags::outputFormat() const {
  const auto it = values_.find("output");
  if (it == values_.end()) {
    return kPretty;
  }
  return std::get<std::string>(it->second);
}

// ---- FlagSet ----

FlagSet::FlagSet(std::string name, std::vector<FlagSpec> flags)
    : name_(std::move(name)), flags_(std::move(flags)) {
  std::sort(flags_.begin(), flags_.end(),
            [](const FlagSpec& a, const FlagSpec& b) { return a.name < b.name; });
}

const FlagSpec* FlagSet::lookup(std::string_view name) const {
  for (const auto& spec : flags_) {
    if (spec.name == name) {
      return &spec;
    }
  }
  return nullptr;
}

std::string FlagSet::usage() const {
  std::string out = name_.empty() ? "Usage:\n" : "Usage of " + name_ + ":\n";
  for (const auto& spec : flags_) {
    std::string line = "  -" + spec.name;
    auto [type_name, usage] = unquoteUsage(spec);
    if (!type_name.empty()) {
      line += " " + type_name;
    }
    // Go puts a one-letter bool flag's usage on the same line.
    line += line.size() <= 4 ? "\t" : "\n    \t";
    line += replaceNewlines(usage);
    const std::string def = defaultText(spec);
    if (def != zeroText(spec)) {
      if (spec.kind == FlagKind::kString && !spec.custom_value_type) {
        line += " (default " + goQuote(def) + ")";
      } else {
        line += " (default " + def + ")";
      }
    }
    out += line + "\n";
  }
  return out;
}

ParseOutcome FlagSet::parse(const std::vector<std::string>& args, std::ostream& diagnostics) const {
  ParseOutcome outcome;
  ParsedFlags& parsed = outcome.flags;
  for (const auto& spec : flags_) {
    parsed.setValue(spec.name, spec.default_value);
  }
  std::map<std::string, bool> output_set;

  auto fail = [&](std::string message) {
    diagnostics << message << "\n" << usage();
    outcome.kind = ParseOutcome::Kind::kError;
    outcome.message = std::move(message);
    return outcome;
  };

  std::size_t i = 0;
  while (i < args.size()) {
    const std::string& s = args[i];
    if (s.size() < 2 || s[0] != '-') {
      break; // first non-flag argument ("-" included) ends the flags
    }
    std::size_t minuses = 1;
    if (s[1] == '-') {
      minuses = 2;
      if (s.size() == 2) {
        ++i; // "--" ends the flags and is consumed
        break;
      }
    }
    std::string name = s.substr(minuses);
    if (name.empty() || name[0] == '-' || name[0] == '=') {
      return fail("bad flag syntax: " + s);
    }
    ++i;
    bool has_value = false;
    std::string value;
    const auto eq = name.find('=', 1);
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      has_value = true;
      name.resize(eq);
    }
    const FlagSpec* spec = lookup(name);
    if (spec == nullptr) {
      if (name == "help" || name == "h") {
        diagnostics << usage();
        outcome.kind = ParseOutcome::Kind::kHelp;
        outcome.message = "flag: help requested";
        return outcome;
      }
      return fail("flag provided but not defined: -" + name);
    }
    if (spec->kind == FlagKind::kBool) {
      if (has_value) {
        const auto b = parseGoBool(value);
        if (!b) {
          return fail("invalid boolean value " + goQuote(value) + " for -" + name +
                      ": parse error");
        }
        parsed.setValue(name, *b);
      } else {
        parsed.setValue(name, true);
      }
      parsed.markSet(name);
      continue;
    }
    if (!has_value && i < args.size()) {
      value = args[i++];
      has_value = true;
    }
    if (!has_value) {
      return fail("flag needs an argument: -" + name);
    }
    auto invalid = [&](std::string_view why) {
      return fail("invalid value " + goQuote(value) + " for flag -" + name + ": " +
                  std::string(why));
    };
    switch (spec->kind) {
    case FlagKind::kInt:
    case FlagKind::kInt64: {
      std::int64_t number = 0;
      const IntError error = parseGoInt64(value, number);
      if (error != IntError::kNone) {
        return invalid(intErrorText(error));
      }
      parsed.setValue(name, number);
      break;
    }
    case FlagKind::kDuration: {
      auto duration = config::parseGoDuration(value);
      if (!duration) {
        return invalid("parse error");
      }
      parsed.setValue(name, *duration);
      break;
    }
    case FlagKind::kString:
      parsed.setValue(name, value);
      break;
    case FlagKind::kStringList: {
      // Every occurrence appends, starting from an empty list (SPIRE's StringsFlag.Set).
      std::vector<std::string> list =
          parsed.isSet(name) ? parsed.getStrings(name) : std::vector<std::string>();
      if (spec->split_commas) {
        std::size_t start = 0;
        while (true) {
          const auto comma = value.find(',', start);
          list.push_back(value.substr(start, comma - start));
          if (comma == std::string::npos) {
            break;
          }
          start = comma + 1;
        }
      } else {
        list.push_back(value);
      }
      parsed.setValue(name, std::move(list));
      break;
    }
    case FlagKind::kOutputFormat: {
      // cliprinter's FormatterFlag.Set: a second, different spelling is refused.
      const std::string& current = parsed.getString(name);
      if (output_set[name] && current != value) {
        return invalid("the output format has already been set to " + goQuote(current));
      }
      const std::string format = lowerAscii(value);
      if (format == "json") {
        parsed.setValue(name, std::string("json"));
      } else if (format == "pretty" || format == "prettyprint") {
        parsed.setValue(name, std::string(kPretty));
      } else {
        return invalid("bad formatter flag: unknown format option: " + goQuote(value));
      }
      output_set[name] = true;
      break;
    }
    case FlagKind::kBool:
      break;
    }
    parsed.markSet(name);
  }
  parsed.setArgs(
      std::vector<std::string>(args.begin() + static_cast<std::ptrdiff_t>(i), args.end()));
  return outcome;
}

} // namespace spire::cli
