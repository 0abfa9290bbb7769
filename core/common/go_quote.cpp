#include "common/go_quote.h"

#include <cstdint>
#include <cstdio>

namespace spire {
namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is invalid (overlong
// forms, surrogates and code points above U+10FFFF are invalid, as in Go's utf8.DecodeRune).
std::size_t utf8SequenceLength(std::string_view text, std::size_t i, uint32_t* code_point) {
  auto byte = [&](std::size_t k) { return static_cast<uint8_t>(text[k]); };
  uint8_t b0 = byte(i);
  std::size_t len = 0;
  uint32_t cp = 0;
  if (b0 < 0x80) {
    *code_point = b0;
    return 1;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > text.size()) {
    return 0;
  }
  for (std::size_t k = 1; k < len; ++k) {
    uint8_t b = byte(i + k);
    if ((b & 0xC0) != 0x80) {
      return 0;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
    return 0;
  }
  *code_point = cp;
  return len;
}

void appendHexByte(std::string& out, std::string_view prefix, unsigned value, int width) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%0*x", width, value);
  out.append(prefix);
  out.append(buf);
}

} // namespace

std::string goQuote(std::string_view text) {
  std::string out = "\"";
  std::size_t i = 0;
  while (i < text.size()) {
    uint32_t cp = 0;
    std::size_t len = utf8SequenceLength(text, i, &cp);
    if (len == 0) {
      appendHexByte(out, "\\x", static_cast<uint8_t>(text[i]), 2);
      ++i;
      continue;
    }
    if (len > 1) {
      // Go also escapes the few non-printable non-ASCII code points; the line and paragraph
      // separators are the ones that show up in practice.
      if (cp == 0x2028 || cp == 0x2029) {
        appendHexByte(out, "\\u", cp, 4);
      } else {
        out.append(text.substr(i, len));
      }
      i += len;
      continue;
    }
    char c = text[i++];
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\a':
      out += "\\a";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\v':
      out += "\\v";
      break;
    default:
      if (static_cast<uint8_t>(c) < 0x20 || c == 0x7f) {
        appendHexByte(out, "\\x", static_cast<uint8_t>(c), 2);
      } else {
        out += c;
      }
    }
  }
  out += '"';
  return out;
}

std::string goQuoteList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      out += ' ';
    }
    out += goQuote(items[i]);
  }
  out += ']';
  return out;
}

} // namespace spire
