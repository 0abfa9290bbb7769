#include "config/hcl_parser.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <utility>
#include <vector>

#include "config/hcl_lexer.h"

namespace spire::config {
namespace {

// Deep enough for any real configuration, shallow enough that hostile input cannot exhaust the
// stack of the recursive descent.
constexpr int kMaxDepth = 100;

std::string lineColumn(const SourcePosition& pos) {
  return std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

class Parser {
public:
  explicit Parser(std::vector<HclToken> tokens) : tokens_(std::move(tokens)) {}

  Result<Value> parseFile() {
    SourcePosition start = tokens_.front().position;
    start.line = 1;
    start.column = 1;
    Value::Object entries;
    Status status = parseBody(entries, nullptr, "");
    if (!status.isOk()) {
      return status;
    }
    return Value::makeObject(std::move(entries), start);
  }

private:
  const HclToken& peek() const { return tokens_[index_]; }
  const HclToken& next() {
    const HclToken& token = tokens_[index_];
    if (token.kind != HclTokenKind::kEndOfFile) {
      ++index_;
    }
    return token;
  }

  // Items until the closing '}' (or end of file for the top level). `open` is where a nested body
  // starts for the "expected '}'" message (a block's first key, an object literal's '{'), null at
  // the top level; `what` names it.
  Status parseBody(Value::Object& entries, const SourcePosition* open, const std::string& what) {
    while (true) {
      const HclToken& token = peek();
      if (token.kind == HclTokenKind::kEndOfFile) {
        if (open == nullptr) {
          return Status::ok();
        }
        return syntaxError(token.position,
                           "expected '}' to close " + what + " opened at " + lineColumn(*open));
      }
      if (token.kind == HclTokenKind::kRightBrace) {
        if (open == nullptr) {
          return syntaxError(token.position, "unexpected '}' with no open block");
        }
        next();
        return Status::ok();
      }
      Status status = parseItem(entries);
      if (!status.isOk()) {
        return status;
      }
      // HCL1 accepts an optional comma after an item; newlines need no marker.
      if (peek().kind == HclTokenKind::kComma) {
        next();
      }
    }
  }

  Status parseItem(Value::Object& entries) {
    std::vector<HclToken> keys;
    while (peek().kind == HclTokenKind::kIdentifier || peek().kind == HclTokenKind::kString) {
      keys.push_back(next());
    }
    if (keys.empty()) {
      return syntaxError(peek().position, "expected a key, got " + describeToken(peek()));
    }
    const HclToken& token = peek();
    if (token.kind == HclTokenKind::kAssign && keys.size() == 1) {
      next();
      Result<Value> value = parseValue();
      if (!value.isOk()) {
        return value.status();
      }
      entries.push_back(ObjectEntry{keys[0].text, keys[0].position, std::move(value).value()});
      return Status::ok();
    }
    if (token.kind == HclTokenKind::kLeftBrace) {
      const HclToken& open = next();
      std::string what = "block";
      for (std::size_t i = 0; i < keys.size(); ++i) {
        what += " " + quote(keys[i].text);
      }
      // Each label wraps the body in one more object, so the body and every label count as a
      // nesting level: the tree must stay shallow enough to walk and destroy recursively.
      const int levels = static_cast<int>(keys.size());
      for (int i = 0; i < levels; ++i) {
        Status entered = enter(i + 1 < levels ? keys[i + 1].position : open.position);
        if (!entered.isOk()) {
          depth_ -= i;
          return entered;
        }
      }
      Value::Object body;
      Status status = parseBody(body, &keys[0].position, what);
      depth_ -= levels;
      if (!status.isOk()) {
        return status;
      }
      // Innermost first: the body, then one single-entry object per label.
      Value value = Value::makeObject(std::move(body), open.position);
      for (std::size_t i = keys.size() - 1; i > 0; --i) {
        Value::Object wrapper;
        wrapper.push_back(ObjectEntry{keys[i].text, keys[i].position, std::move(value)});
        value = Value::makeObject(std::move(wrapper), keys[i].position);
      }
      entries.push_back(ObjectEntry{keys[0].text, keys[0].position, std::move(value)});
      return Status::ok();
    }
    if (keys.size() == 1) {
      return syntaxError(token.position, "expected '=' or '{' after key " + quote(keys[0].text) +
                                             ", got " + describeToken(token));
    }
    return syntaxError(token.position, "expected '{' after block labels of " + quote(keys[0].text) +
                                           ", got " + describeToken(token));
  }

  // Called after an opening token has been consumed; errors point at that token.
  Status enter(const SourcePosition& at) {
    if (++depth_ > kMaxDepth) {
      --depth_;
      return syntaxError(at, "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    return Status::ok();
  }

  Result<Value> parseValue() {
    const HclToken& token = peek();
    switch (token.kind) {
    case HclTokenKind::kString:
    case HclTokenKind::kHeredoc:
      next();
      return Value::makeString(token.text, token.position);
    case HclTokenKind::kBool:
      next();
      return Value::makeBool(token.text == "true", token.position);
    case HclTokenKind::kInteger:
      next();
      return parseInteger(token);
    case HclTokenKind::kFloat: {
      next();
      errno = 0;
      double value = std::strtod(token.text.c_str(), nullptr);
      if (errno == ERANGE && std::isinf(value)) {
        return syntaxError(token.position, "number out of range " + token.text);
      }
      return Value::makeFloat(value, token.text, token.position);
    }
    case HclTokenKind::kLeftBracket:
      return parseList();
    case HclTokenKind::kLeftBrace: {
      const HclToken& open = next();
      Status status = enter(open.position);
      if (!status.isOk()) {
        return status;
      }
      Value::Object body;
      status = parseBody(body, &open.position, "object");
      --depth_;
      if (!status.isOk()) {
        return status;
      }
      return Value::makeObject(std::move(body), open.position);
    }
    case HclTokenKind::kIdentifier:
      return syntaxError(token.position, "expected a value, got " + describeToken(token) +
                                             " (strings must be quoted)");
    default:
      return syntaxError(token.position, "expected a value, got " + describeToken(token));
    }
  }

  // Integers read as Go's strconv.ParseInt(text, 0, 64) reads them: 0x hex, leading-0 octal.
  static Result<Value> parseInteger(const HclToken& token) {
    const std::string& text = token.text;
    std::size_t digits = text[0] == '-' ? 1 : 0;
    int base = 10;
    if (text.size() > digits + 1 && text[digits] == '0') {
      if (text[digits + 1] == 'x' || text[digits + 1] == 'X') {
        base = 16;
      } else {
        base = 8;
      }
    }
    if (base == 8) {
      for (std::size_t i = digits; i < text.size(); ++i) {
        if (text[i] > '7') {
          return syntaxError(token.position,
                             "invalid number " + quote(text) + " (a leading 0 makes it octal)");
        }
      }
    }
    errno = 0;
    char* end = nullptr;
    long long value = std::strtoll(text.c_str(), &end, base);
    if (errno == ERANGE) {
      return syntaxError(token.position, "number out of range " + text);
    }
    return Value::makeInteger(value, text, token.position);
  }

  Result<Value> parseList() {
    const HclToken& open = next();
    Status status = enter(open.position);
    if (!status.isOk()) {
      return status;
    }
    Value::List items;
    auto unclosed = [&]() {
      return syntaxError(peek().position,
                         "expected ']' to close list opened at " + lineColumn(open.position));
    };
    while (true) {
      if (peek().kind == HclTokenKind::kRightBracket) {
        next();
        break;
      }
      if (peek().kind == HclTokenKind::kEndOfFile) {
        --depth_;
        return unclosed();
      }
      Result<Value> item = parseValue();
      if (!item.isOk()) {
        --depth_;
        return item.status();
      }
      items.push_back(std::move(item).value());
      if (peek().kind == HclTokenKind::kComma) {
        next();
        continue;
      }
      if (peek().kind == HclTokenKind::kRightBracket) {
        next();
        break;
      }
      --depth_;
      if (peek().kind == HclTokenKind::kEndOfFile) {
        return unclosed();
      }
      return syntaxError(peek().position, "expected ',' or ']' in list opened at " +
                                              lineColumn(open.position) + ", got " +
                                              describeToken(peek()));
    }
    --depth_;
    return Value::makeList(std::move(items), open.position);
  }

  std::vector<HclToken> tokens_;
  std::size_t index_ = 0;
  int depth_ = 0;
};

} // namespace

Result<Value> parseHcl(std::string_view text, const std::string& file) {
  Result<std::vector<HclToken>> tokens = tokenizeHcl(text, file);
  if (!tokens.isOk()) {
    return tokens.status();
  }
  return Parser(std::move(tokens).value()).parseFile();
}

} // namespace spire::config
