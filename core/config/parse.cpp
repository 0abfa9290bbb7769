#include "config/parse.h"

#include <cctype>

#include "config/hcl_lexer.h"
#include "config/hcl_parser.h"
#include "config/json_reader.h"

namespace spire::config {

bool looksLikeJson(std::string_view text, const std::string& file) {
  if (file.size() >= 5) {
    std::string ext = file.substr(file.size() - 5);
    for (auto& c : ext) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (ext == ".json") {
      return true;
    }
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    text.remove_prefix(3);
  }
  std::size_t first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && text[first] == '{';
}

Result<Value> parseConfigText(std::string_view text, const std::string& file, ConfigSyntax syntax) {
  bool json =
      syntax == ConfigSyntax::kJson || (syntax == ConfigSyntax::kAuto && looksLikeJson(text, file));
  if (!json) {
    return parseHcl(text, file);
  }
  Result<Value> value = parseJson(text, file);
  if (value.isOk() && !value->isObject()) {
    return syntaxError(value->position(), "expected a JSON object at the top level, got " +
                                              std::string(value->typeName()));
  }
  return value;
}

} // namespace spire::config
