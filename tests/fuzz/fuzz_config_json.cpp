// Fuzz target: the JSON reader of the configuration loader (config/json_reader.h).
//
// Invariants: errors are InvalidArgument with a "<file>:<line>:<column>: " prefix; an accepted
// document renders through Value::toJson to JSON that reads back to the same rendering; the
// reader agrees with nlohmann's strict RFC 8259 parser on documents both can judge (ASCII only,
// nesting well below the reader's depth limit); parseConfigText(kJson) takes exactly the
// accepted documents whose root is an object.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "config/json_reader.h"
#include "config/parse.h"
#include "config/value.h"
#include "fuzz/config_fuzz_util.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string file = "fuzz.json";
  spire::Result<spire::config::Value> value = spire::config::parseJson(text, file);
  spire::Result<spire::config::Value> config =
      spire::config::parseConfigText(text, file, spire::config::ConfigSyntax::kJson);
  if (!value.isOk()) {
    spire::fuzz::checkSyntaxError(value.status(), file, text);
    FUZZ_CHECK(!config.isOk() && config.status() == value.status(),
               "parseConfigText reports the reader's error");
  } else {
    spire::fuzz::checkJsonRoundTrip(value.value(), file);
    FUZZ_CHECK(config.isOk() == value->isObject(), "a configuration is a JSON object");
    if (config.isOk()) {
      FUZZ_CHECK(config->sameAs(value.value()), "parseConfigText gives the reader's tree");
    } else {
      FUZZ_CHECK(config.status().code() == spire::StatusCode::kInvalidArgument,
                 "a non-object root is InvalidArgument");
    }
  }

  // Differential check against nlohmann on the inputs where both must agree: nlohmann rejects
  // invalid UTF-8 (Go and our reader take it) and stops at a NUL byte as if the input ended there.
  bool ascii = true;
  for (unsigned char c : text) {
    ascii = ascii && c < 0x80 && c != 0;
  }
  if (ascii && spire::fuzz::maxBracketDepth(text) < 90) {
    FUZZ_CHECK(value.isOk() == nlohmann::json::accept(text), "agrees with nlohmann on validity");
  }
  return 0;
}
