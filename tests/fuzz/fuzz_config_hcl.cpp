// Fuzz target: the HCL1 lexer and parser of the configuration loader (config/hcl_parser.h).
//
// Invariants: errors are InvalidArgument with a "<file>:<line>:<column>: " prefix; an accepted
// file is an object whose JSON rendering reads back, through the JSON reader, to the same
// rendering; parsing is deterministic; parseConfigText with kHcl gives the same tree.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/hcl_lexer.h"
#include "config/hcl_parser.h"
#include "config/parse.h"
#include "config/value.h"
#include "fuzz/config_fuzz_util.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string file = "fuzz.hcl";

  auto tokens = spire::config::tokenizeHcl(text, file);
  if (!tokens.isOk()) {
    spire::fuzz::checkSyntaxError(tokens.status(), file, text);
  } else {
    FUZZ_CHECK(!tokens->empty() && tokens->back().kind == spire::config::HclTokenKind::kEndOfFile,
               "the token stream ends with end of file");
  }

  spire::Result<spire::config::Value> value = spire::config::parseHcl(text, file);
  if (tokens.isOk() == false) {
    FUZZ_CHECK(!value.isOk(), "a lexer error is a parse error");
  }
  spire::Result<spire::config::Value> via_entry =
      spire::config::parseConfigText(text, file, spire::config::ConfigSyntax::kHcl);
  FUZZ_CHECK(value.isOk() == via_entry.isOk(), "parseConfigText(kHcl) agrees with parseHcl");
  if (!value.isOk()) {
    spire::fuzz::checkSyntaxError(value.status(), file, text);
    FUZZ_CHECK(value.status() == via_entry.status(), "same error through parseConfigText");
    return 0;
  }
  FUZZ_CHECK(value->isObject(), "the root of a configuration is an object");
  FUZZ_CHECK(value->sameAs(via_entry.value()), "same tree through parseConfigText");
  spire::fuzz::checkJsonRoundTrip(value.value(), file);
  return 0;
}
