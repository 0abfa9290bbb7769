#include "cli/output.h"

#include "cli/go_strconv.h"

namespace spire::cli {

Result<OutputFormat> parseOutputFormat(std::string_view text) {
  std::string lowered(text);
  for (char& c : lowered) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  if (lowered == "json") {
    return OutputFormat::kJson;
  }
  if (lowered == "pretty" || lowered == "prettyprint") {
    return OutputFormat::kPretty;
  }
  return invalidArgument("bad formatter flag: unknown format option: " + goQuote(text));
}

void printJson(std::ostream& out, const nlohmann::ordered_json& value) {
  // These characters can only occur inside JSON strings, so escaping them in the serialised text
  // is the same as Go's HTML-safe string encoding.
  const std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string escaped;
  escaped.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '<') {
      escaped += "\\u003c";
    } else if (c == '>') {
      escaped += "\\u003e";
    } else if (c == '&') {
      escaped += "\\u0026";
    } else if (c == '\xE2' && i + 2 < text.size() && text[i + 1] == '\x80' &&
               (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
      escaped += text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      escaped += c;
    }
  }
  out << escaped << "\n";
}

void printJsonMessages(std::ostream& out, const std::vector<nlohmann::ordered_json>& messages) {
  if (messages.empty()) {
    return;
  }
  if (messages.size() == 1) {
    printJson(out, messages.front());
    return;
  }
  printJson(out, nlohmann::ordered_json(messages));
}

std::string pluralize(std::string msg, std::string_view singular, std::string_view plural,
                      long long count) {
  msg += count == 1 ? singular : plural;
  return msg;
}

} // namespace spire::cli
