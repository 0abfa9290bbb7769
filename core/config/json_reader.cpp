#include "config/json_reader.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "config/hcl_lexer.h"

namespace spire::config {
namespace {

constexpr int kMaxDepth = 100;

class JsonReader {
public:
  JsonReader(std::string_view text, const std::string& file) : text_(text), file_(file) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") {
      offset_ = 3;
    }
  }

  Result<Value> run() {
    skipSpace();
    Result<Value> value = parseValue();
    if (!value.isOk()) {
      return value;
    }
    skipSpace();
    if (!atEnd()) {
      return syntaxError(here(), "unexpected " + describeHere() + " after the JSON value");
    }
    return value;
  }

private:
  bool atEnd() const { return offset_ >= text_.size(); }
  char peek() const { return atEnd() ? '\0' : text_[offset_]; }
  SourcePosition here() const { return SourcePosition{file_, line_, column_}; }
  void advance() {
    char c = text_[offset_++];
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++column_;
    }
  }
  void skipSpace() {
    while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\r' || peek() == '\n')) {
      advance();
    }
  }
  std::string describeHere() const {
    if (atEnd()) {
      return "end of file";
    }
    unsigned char c = static_cast<unsigned char>(peek());
    if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "0x%02x", c);
      return buf;
    }
    return std::string("'") + peek() + "'";
  }
  static std::string lineColumn(const SourcePosition& pos) {
    return std::to_string(pos.line) + ":" + std::to_string(pos.column);
  }

  Result<Value> parseValue() {
    SourcePosition start = here();
    char c = peek();
    if (c == '{') {
      return parseObject();
    }
    if (c == '[') {
      return parseArray();
    }
    if (c == '"') {
      Result<std::string> text = parseString();
      if (!text.isOk()) {
        return text.status();
      }
      return Value::makeString(std::move(text).value(), start);
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      return parseNumber();
    }
    for (const char* word : {"true", "false", "null"}) {
      std::string_view w(word);
      if (text_.substr(offset_, w.size()) == w) {
        for (std::size_t i = 0; i < w.size(); ++i) {
          advance();
        }
        if (w == "null") {
          return Value::makeNull(start);
        }
        return Value::makeBool(w == "true", start);
      }
    }
    return syntaxError(start, "expected a JSON value, got " + describeHere());
  }

  Status enter(const SourcePosition& at) {
    if (++depth_ > kMaxDepth) {
      return syntaxError(at, "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    return Status::ok();
  }

  Result<Value> parseObject() {
    SourcePosition open = here();
    advance();
    Status status = enter(open);
    if (!status.isOk()) {
      return status;
    }
    Value::Object entries;
    skipSpace();
    if (peek() == '}') {
      advance();
      --depth_;
      return Value::makeObject(std::move(entries), open);
    }
    while (true) {
      skipSpace();
      if (peek() != '"') {
        if (atEnd()) {
          return syntaxError(here(), "expected '}' to close object opened at " + lineColumn(open));
        }
        return syntaxError(here(), "expected a string key, got " + describeHere());
      }
      SourcePosition key_pos = here();
      Result<std::string> key = parseString();
      if (!key.isOk()) {
        return key.status();
      }
      skipSpace();
      if (peek() != ':') {
        return syntaxError(here(), "expected ':' after object key " + quote(key.value()) +
                                       ", got " + describeHere());
      }
      advance();
      skipSpace();
      Result<Value> value = parseValue();
      if (!value.isOk()) {
        return value;
      }
      entries.push_back(ObjectEntry{std::move(key).value(), key_pos, std::move(value).value()});
      skipSpace();
      if (peek() == ',') {
        advance();
        continue;
      }
      if (peek() == '}') {
        advance();
        break;
      }
      if (atEnd()) {
        return syntaxError(here(), "expected '}' to close object opened at " + lineColumn(open));
      }
      return syntaxError(here(), "expected ',' or '}' in object opened at " + lineColumn(open) +
                                     ", got " + describeHere());
    }
    --depth_;
    return Value::makeObject(std::move(entries), open);
  }

  Result<Value> parseArray() {
    SourcePosition open = here();
    advance();
    Status status = enter(open);
    if (!status.isOk()) {
      return status;
    }
    Value::List items;
    skipSpace();
    if (peek() == ']') {
      advance();
      --depth_;
      return Value::makeList(std::move(items), open);
    }
    while (true) {
      skipSpace();
      if (atEnd()) {
        return syntaxError(here(), "expected ']' to close array opened at " + lineColumn(open));
      }
      Result<Value> item = parseValue();
      if (!item.isOk()) {
        return item;
      }
      items.push_back(std::move(item).value());
      skipSpace();
      if (peek() == ',') {
        advance();
        continue;
      }
      if (peek() == ']') {
        advance();
        break;
      }
      if (atEnd()) {
        return syntaxError(here(), "expected ']' to close array opened at " + lineColumn(open));
      }
      return syntaxError(here(), "expected ',' or ']' in array opened at " + lineColumn(open) +
                                     ", got " + describeHere());
    }
    --depth_;
    return Value::makeList(std::move(items), open);
  }

  Result<std::uint32_t> parseHex4(const SourcePosition& escape_pos) {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      char c = peek();
      std::uint32_t digit = 0;
      if (c >= '0' && c <= '9') {
        digit = static_cast<std::uint32_t>(c - '0');
      } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
        digit = static_cast<std::uint32_t>((c | 0x20) - 'a' + 10);
      } else {
        return syntaxError(escape_pos, "invalid \\u escape, expected 4 hex digits");
      }
      value = value * 16 + digit;
      advance();
    }
    return value;
  }

  static void appendUtf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  Result<std::string> parseString() {
    SourcePosition open = here();
    advance();
    std::string out;
    while (true) {
      if (atEnd()) {
        return syntaxError(open, "unterminated string, expected closing '\"'");
      }
      char c = peek();
      if (c == '"') {
        advance();
        return out;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return syntaxError(here(), "control character in string (escape it)");
      }
      if (c != '\\') {
        out += c;
        advance();
        continue;
      }
      SourcePosition escape_pos = here();
      advance();
      char e = peek();
      if (atEnd()) {
        return syntaxError(open, "unterminated string, expected closing '\"'");
      }
      advance();
      switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        Result<std::uint32_t> cp = parseHex4(escape_pos);
        if (!cp.isOk()) {
          return cp.status();
        }
        std::uint32_t code = cp.value();
        if (code >= 0xD800 && code <= 0xDBFF) {
          if (peek() != '\\' || offset_ + 1 >= text_.size() || text_[offset_ + 1] != 'u') {
            return syntaxError(escape_pos, "invalid \\u escape, unpaired surrogate");
          }
          advance();
          advance();
          Result<std::uint32_t> low = parseHex4(escape_pos);
          if (!low.isOk()) {
            return low.status();
          }
          if (low.value() < 0xDC00 || low.value() > 0xDFFF) {
            return syntaxError(escape_pos, "invalid \\u escape, unpaired surrogate");
          }
          code = 0x10000 + ((code - 0xD800) << 10) + (low.value() - 0xDC00);
        } else if (code >= 0xDC00 && code <= 0xDFFF) {
          return syntaxError(escape_pos, "invalid \\u escape, unpaired surrogate");
        }
        appendUtf8(out, code);
        break;
      }
      default:
        return syntaxError(escape_pos, std::string("invalid escape sequence '\\") + e + "'");
      }
    }
  }

  Result<Value> parseNumber() {
    SourcePosition start = here();
    std::size_t begin = offset_;
    auto digits = [&]() {
      std::size_t count = 0;
      while (peek() >= '0' && peek() <= '9') {
        advance();
        ++count;
      }
      return count;
    };
    bool is_float = false;
    if (peek() == '-') {
      advance();
    }
    if (peek() == '0') {
      advance();
    } else if (digits() == 0) {
      return syntaxError(start, "invalid number, expected a digit");
    }
    if (peek() == '.') {
      advance();
      is_float = true;
      if (digits() == 0) {
        return syntaxError(start, "invalid number, expected a digit after '.'");
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      advance();
      is_float = true;
      if (peek() == '+' || peek() == '-') {
        advance();
      }
      if (digits() == 0) {
        return syntaxError(start, "invalid number, expected a digit in the exponent");
      }
    }
    std::string text(text_.substr(begin, offset_ - begin));
    errno = 0;
    if (!is_float) {
      long long value = std::strtoll(text.c_str(), nullptr, 10);
      if (errno != ERANGE) {
        return Value::makeInteger(value, text, start);
      }
      errno = 0; // too big for int64: keep it as a float, as JSON allows
    }
    double value = std::strtod(text.c_str(), nullptr);
    if (errno == ERANGE && std::isinf(value)) {
      return syntaxError(start, "number out of range " + text);
    }
    return Value::makeFloat(value, text, start);
  }

  std::string_view text_;
  const std::string& file_;
  std::size_t offset_ = 0;
  int line_ = 1;
  int column_ = 1;
  int depth_ = 0;
};

} // namespace

Result<Value> parseJson(std::string_view text, const std::string& file) {
  return JsonReader(text, file).run();
}

} // namespace spire::config
