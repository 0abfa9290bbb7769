#include "config/hcl_lexer.h"

#include <cstdint>
#include <cstdio>

#include "config/value.h"

namespace spire::config {
namespace {

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isHexDigit(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
std::uint32_t hexValue(char c) {
  if (isDigit(c)) {
    return static_cast<std::uint32_t>(c - '0');
  }
  return static_cast<std::uint32_t>((c | 0x20) - 'a' + 10);
}
// Bytes >= 0x80 count as letters so that UTF-8 identifiers pass, as Go's unicode.IsLetter would.
bool isLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

void appendUtf8(std::string& out, std::uint32_t cp) {
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

class Lexer {
public:
  Lexer(std::string_view text, const std::string& file) : text_(text), file_(file) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") {
      offset_ = 3;
    }
  }

  Result<std::vector<HclToken>> run() {
    std::vector<HclToken> tokens;
    while (true) {
      Status status = skipSpaceAndComments();
      if (!status.isOk()) {
        return status;
      }
      HclToken token;
      token.position = here();
      if (atEnd()) {
        token.kind = HclTokenKind::kEndOfFile;
        tokens.push_back(std::move(token));
        return tokens;
      }
      char c = peek();
      status = Status::ok();
      switch (c) {
      case '{':
        token.kind = HclTokenKind::kLeftBrace;
        advance();
        break;
      case '}':
        token.kind = HclTokenKind::kRightBrace;
        advance();
        break;
      case '[':
        token.kind = HclTokenKind::kLeftBracket;
        advance();
        break;
      case ']':
        token.kind = HclTokenKind::kRightBracket;
        advance();
        break;
      case '=':
        token.kind = HclTokenKind::kAssign;
        advance();
        break;
      case ',':
        token.kind = HclTokenKind::kComma;
        advance();
        break;
      case '"':
        token.kind = HclTokenKind::kString;
        status = scanString(token);
        break;
      case '<':
        token.kind = HclTokenKind::kHeredoc;
        status = scanHeredoc(token);
        break;
      default:
        if (isDigit(c) || (c == '-' && isDigit(peek(1)))) {
          status = scanNumber(token);
        } else if (isLetter(c)) {
          scanIdentifier(token);
        } else {
          return syntaxError(token.position, "unexpected character " + describeChar(c));
        }
      }
      if (!status.isOk()) {
        return status;
      }
      tokens.push_back(std::move(token));
    }
  }

private:
  bool atEnd() const { return offset_ >= text_.size(); }
  char peek(std::size_t ahead = 0) const {
    return offset_ + ahead < text_.size() ? text_[offset_ + ahead] : '\0';
  }
  SourcePosition here() const { return SourcePosition{file_, line_, column_}; }

  // Columns count characters, not bytes: UTF-8 continuation bytes do not move the column.
  void advance() {
    char c = text_[offset_++];
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++column_;
    }
  }

  static std::string describeChar(char c) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "0x%02x", static_cast<unsigned char>(c));
      return buf;
    }
    return std::string("'") + c + "'";
  }

  Status skipSpaceAndComments() {
    while (!atEnd()) {
      char c = peek();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        advance();
      } else if (c == '#' || (c == '/' && peek(1) == '/')) {
        while (!atEnd() && peek() != '\n') {
          advance();
        }
      } else if (c == '/' && peek(1) == '*') {
        SourcePosition start = here();
        advance();
        advance();
        while (!(peek() == '*' && peek(1) == '/')) {
          if (atEnd()) {
            return syntaxError(start, "unterminated block comment, expected '*/'");
          }
          advance();
        }
        advance();
        advance();
      } else {
        break;
      }
    }
    return Status::ok();
  }

  // HCL1 keeps `${ ... }` interpolations verbatim and lets them contain quotes; outside them the
  // usual Go escapes apply.
  Status scanString(HclToken& token) {
    advance(); // opening quote
    int braces = 0;
    while (true) {
      if (atEnd() || (peek() == '\n' && braces == 0)) {
        return syntaxError(token.position, "unterminated string, expected closing '\"'");
      }
      char c = peek();
      if (braces == 0 && c == '"') {
        advance();
        return Status::ok();
      }
      if (braces == 0 && c == '$' && peek(1) == '{') {
        braces = 1;
        token.text += "${";
        advance();
        advance();
        continue;
      }
      if (braces > 0) {
        if (c == '{') {
          ++braces;
        } else if (c == '}') {
          --braces;
        }
        token.text += c;
        advance();
        continue;
      }
      if (c == '\\') {
        Status status = scanEscape(token.text);
        if (!status.isOk()) {
          return status;
        }
        continue;
      }
      token.text += c;
      advance();
    }
  }

  Status scanEscape(std::string& out) {
    SourcePosition start = here();
    advance(); // backslash
    if (atEnd()) {
      return syntaxError(start, "unterminated string, expected closing '\"'");
    }
    char c = peek();
    advance();
    switch (c) {
    case 'a':
      out += '\a';
      return Status::ok();
    case 'b':
      out += '\b';
      return Status::ok();
    case 'f':
      out += '\f';
      return Status::ok();
    case 'n':
      out += '\n';
      return Status::ok();
    case 'r':
      out += '\r';
      return Status::ok();
    case 't':
      out += '\t';
      return Status::ok();
    case 'v':
      out += '\v';
      return Status::ok();
    case '\\':
      out += '\\';
      return Status::ok();
    case '"':
      out += '"';
      return Status::ok();
    case 'x':
      return scanCodePoint(start, 2, out, /*raw_byte=*/true);
    case 'u':
      return scanCodePoint(start, 4, out, false);
    case 'U':
      return scanCodePoint(start, 8, out, false);
    default:
      break;
    }
    if (c >= '0' && c <= '7') {
      std::uint32_t value = static_cast<std::uint32_t>(c - '0');
      for (int i = 0; i < 2; ++i) {
        if (!(peek() >= '0' && peek() <= '7')) {
          return syntaxError(start, "invalid octal escape, expected 3 octal digits");
        }
        value = value * 8 + static_cast<std::uint32_t>(peek() - '0');
        advance();
      }
      if (value > 255) {
        return syntaxError(start, "invalid octal escape, value above \\377");
      }
      out += static_cast<char>(value);
      return Status::ok();
    }
    return syntaxError(start, std::string("invalid escape sequence '\\") +
                                  (c == '\n' ? std::string("\\n") : std::string(1, c)) + "'");
  }

  Status scanCodePoint(const SourcePosition& start, int digits, std::string& out, bool raw_byte) {
    std::uint32_t value = 0;
    for (int i = 0; i < digits; ++i) {
      char c = peek();
      if (!isHexDigit(c)) {
        return syntaxError(start, "invalid escape sequence, expected " + std::to_string(digits) +
                                      " hex digits");
      }
      value = value * 16 + hexValue(c);
      advance();
    }
    if (raw_byte) {
      out += static_cast<char>(value);
      return Status::ok();
    }
    if (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
      return syntaxError(start, "invalid unicode escape, not a valid code point");
    }
    appendUtf8(out, value);
    return Status::ok();
  }

  Status scanHeredoc(HclToken& token) {
    if (peek(1) != '<') {
      return syntaxError(token.position, "unexpected character '<'");
    }
    advance();
    advance();
    bool indented = false;
    if (peek() == '-') {
      indented = true;
      advance();
    }
    std::string marker;
    if (!isLetter(peek())) {
      return syntaxError(token.position, "invalid heredoc, expected an identifier after '<<'");
    }
    while (isLetter(peek()) || isDigit(peek()) || peek() == '-') {
      marker += peek();
      advance();
    }
    if (peek() == '\r') {
      advance();
    }
    if (peek() != '\n') {
      return syntaxError(token.position,
                         "heredoc marker " + quote(marker) + " must be followed by a newline");
    }
    advance();
    std::vector<std::string> lines;
    std::string closing_indent;
    while (true) {
      if (atEnd()) {
        return syntaxError(token.position,
                           "unterminated heredoc, expected closing marker " + quote(marker));
      }
      std::string line;
      while (!atEnd() && peek() != '\n') {
        line += peek();
        advance();
      }
      bool had_newline = !atEnd();
      if (!line.empty() && line.back() == '\r') {
        line.pop_back();
      }
      std::size_t indent = line.find_first_not_of(" \t");
      if (indent != std::string::npos && line.compare(indent, std::string::npos, marker) == 0) {
        closing_indent = line.substr(0, indent);
        break;
      }
      lines.push_back(std::move(line));
      if (!had_newline) {
        return syntaxError(token.position,
                           "unterminated heredoc, expected closing marker " + quote(marker));
      }
      advance();
    }
    // HCL1's <<- removes the closing marker's indentation from every line, but only when every
    // line has it; we let blank lines through that check so a paragraph break does not disable it.
    if (indented && !closing_indent.empty()) {
      bool all_indented = true;
      for (const auto& line : lines) {
        if (line.find_first_not_of(" \t") != std::string::npos &&
            line.compare(0, closing_indent.size(), closing_indent) != 0) {
          all_indented = false;
        }
      }
      if (all_indented) {
        for (auto& line : lines) {
          line = line.size() >= closing_indent.size() ? line.substr(closing_indent.size()) : "";
        }
      }
    }
    for (const auto& line : lines) {
      token.text += line;
      token.text += '\n';
    }
    return Status::ok();
  }

  Status scanNumber(HclToken& token) {
    std::size_t start = offset_;
    bool is_float = false;
    if (peek() == '-') {
      advance();
    }
    if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X')) {
      advance();
      advance();
      if (!isHexDigit(peek())) {
        return syntaxError(token.position, "invalid number, expected hex digits after '0x'");
      }
      while (isHexDigit(peek())) {
        advance();
      }
    } else {
      while (isDigit(peek())) {
        advance();
      }
      if (peek() == '.' && isDigit(peek(1))) {
        is_float = true;
        advance();
        while (isDigit(peek())) {
          advance();
        }
      }
      if (peek() == 'e' || peek() == 'E') {
        std::size_t ahead = (peek(1) == '+' || peek(1) == '-') ? 2 : 1;
        if (isDigit(peek(ahead))) {
          is_float = true;
          for (std::size_t i = 0; i < ahead; ++i) {
            advance();
          }
          while (isDigit(peek())) {
            advance();
          }
        }
      }
    }
    token.text = std::string(text_.substr(start, offset_ - start));
    if (isLetter(peek()) || isDigit(peek()) || peek() == '.') {
      std::string rest = token.text;
      while (isLetter(peek()) || isDigit(peek()) || peek() == '.') {
        rest += peek();
        advance();
      }
      return syntaxError(token.position, "invalid number " + quote(rest));
    }
    token.kind = is_float ? HclTokenKind::kFloat : HclTokenKind::kInteger;
    return Status::ok();
  }

  void scanIdentifier(HclToken& token) {
    while (isLetter(peek()) || isDigit(peek()) || peek() == '-' || peek() == '.') {
      token.text += peek();
      advance();
    }
    token.kind = (token.text == "true" || token.text == "false") ? HclTokenKind::kBool
                                                                 : HclTokenKind::kIdentifier;
  }

  std::string_view text_;
  const std::string& file_;
  std::size_t offset_ = 0;
  int line_ = 1;
  int column_ = 1;
};

} // namespace

Status syntaxError(const SourcePosition& position, const std::string& what) {
  return invalidArgument(position.toString() + ": " + what);
}

Result<std::vector<HclToken>> tokenizeHcl(std::string_view text, const std::string& file) {
  return Lexer(text, file).run();
}

std::string describeToken(const HclToken& token) {
  switch (token.kind) {
  case HclTokenKind::kLeftBrace:
    return "'{'";
  case HclTokenKind::kRightBrace:
    return "'}'";
  case HclTokenKind::kLeftBracket:
    return "'['";
  case HclTokenKind::kRightBracket:
    return "']'";
  case HclTokenKind::kAssign:
    return "'='";
  case HclTokenKind::kComma:
    return "','";
  case HclTokenKind::kIdentifier:
    return "identifier " + quote(token.text);
  case HclTokenKind::kString:
    return "string " + quote(token.text);
  case HclTokenKind::kHeredoc:
    return "heredoc";
  case HclTokenKind::kInteger:
  case HclTokenKind::kFloat:
    return "number " + token.text;
  case HclTokenKind::kBool:
    return "bool " + token.text;
  case HclTokenKind::kEndOfFile:
    return "end of file";
  }
  return "token";
}

} // namespace spire::config
