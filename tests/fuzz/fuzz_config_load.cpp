// Fuzz target: the whole configuration loader, text to typed server and agent configuration
// (config/loader.h), in HCL and JSON.
//
// Invariants: the loader never throws or crashes; a failure is a non-OK status with a message;
// a success passes validation again and loading is deterministic (same text, same outcome).
// Inputs that could name a plugin_data_file are skipped: following them would read arbitrary
// files of the fuzzing machine (/dev/zero, /dev/stdin...).

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/loader.h"
#include "fuzz/fuzz_check.h"

namespace {

bool mayNameAFile(std::string_view text) {
  std::string lower;
  lower.reserve(text.size());
  for (unsigned char c : text) {
    lower += static_cast<char>(std::tolower(c));
  }
  // Keys match case-insensitively; a backslash could spell one with escapes ("data_fil\u0065").
  return lower.find("data_file") != std::string::npos || text.find('\\') != std::string_view::npos;
}

void checkFailure(const spire::Status& status) {
  FUZZ_CHECK(!status.isOk(), "a failure has a non-OK status");
  FUZZ_CHECK(!status.message().empty(), "a failure has a message");
}

template <class Load, class Validate>
void fuzzLoader(std::string_view text, spire::config::ConfigSyntax syntax, Load load,
                Validate validate) {
  spire::config::LoadOptions options;
  options.syntax = syntax;
  options.source_name = syntax == spire::config::ConfigSyntax::kJson ? "fuzz.json" : "fuzz.conf";
  options.base_dir = "/nonexistent-fuzz-dir";
  auto first = load(text, options);
  auto second = load(text, options);
  FUZZ_CHECK(first.isOk() == second.isOk(), "loading is deterministic");
  if (!first.isOk()) {
    checkFailure(first.status());
    FUZZ_CHECK(first.status() == second.status(), "same error twice");
    return;
  }
  FUZZ_CHECK(validate(first.value()).isOk(), "a loaded configuration validates again");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (mayNameAFile(text)) {
    return 0;
  }
  auto load_server = [](std::string_view t, const spire::config::LoadOptions& o) {
    return spire::config::loadServerConfigFromString(t, o);
  };
  auto validate_server = [](const spire::config::ServerFileConfig& c) {
    return spire::config::validateServerConfig(c.server);
  };
  auto load_agent = [](std::string_view t, const spire::config::LoadOptions& o) {
    return spire::config::loadAgentConfigFromString(t, o);
  };
  auto validate_agent = [](const spire::config::AgentFileConfig& c) {
    return spire::config::validateAgentConfig(c.agent);
  };
  for (auto syntax : {spire::config::ConfigSyntax::kHcl, spire::config::ConfigSyntax::kJson}) {
    fuzzLoader(text, syntax, load_server, validate_server);
    fuzzLoader(text, syntax, load_agent, validate_agent);
  }
  return 0;
}
