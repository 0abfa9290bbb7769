#include "cli/selector.h"

namespace spire::cli {

Result<SelectorArg> parseSelectorArg(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    // SPIRE formats this with %s inside literal quotes, not %q: no escaping.
    return invalidArgument("selector \"" + std::string(text) +
                           "\" must be formatted as type:value");
  }
  return SelectorArg{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

} // namespace spire::cli
