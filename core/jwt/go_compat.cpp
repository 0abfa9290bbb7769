#include "jwt/go_compat.h"

#include <array>
#include <cstdint>
#include <cstdio>

namespace spire::jwt {
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

// Go's decodeQuantum loop (encoding/base64), non-strict.
Result<std::string> goDecode(std::string_view src, bool url, bool padded) {
  auto value_of = [url](char c) -> int {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    if (c == (url ? '-' : '+')) {
      return 62;
    }
    if (c == (url ? '_' : '/')) {
      return 63;
    }
    return -1;
  };
  auto corrupt = [](std::size_t at) -> Status {
    return invalidArgument("illegal base64 data at input byte " + std::to_string(at));
  };
  auto is_newline = [](char c) { return c == '\n' || c == '\r'; };

  std::string out;
  std::size_t si = 0;
  while (si < src.size()) {
    std::array<int, 4> dbuf{};
    int dlen = 4;
    bool trailing_garbage = false;
    std::size_t garbage_at = 0;
    for (int j = 0; j < 4; ++j) {
      if (si == src.size()) {
        if (j == 0) {
          return out;
        }
        if (j == 1 || padded) {
          return corrupt(si - static_cast<std::size_t>(j));
        }
        dlen = j;
        break;
      }
      char in = src[si++];
      int v = value_of(in);
      if (v >= 0) {
        dbuf[static_cast<std::size_t>(j)] = v;
        continue;
      }
      if (is_newline(in)) {
        --j;
        continue;
      }
      if (!padded || in != '=') {
        return corrupt(si - 1);
      }
      // Padding reached.
      if (j == 0 || j == 1) {
        return corrupt(si - 1);
      }
      if (j == 2) {
        while (si < src.size() && is_newline(src[si])) {
          ++si;
        }
        if (si == src.size()) {
          return corrupt(src.size());
        }
        if (src[si] != '=') {
          return corrupt(si - 1);
        }
        ++si;
      }
      while (si < src.size() && is_newline(src[si])) {
        ++si;
      }
      if (si < src.size()) {
        trailing_garbage = true;
        garbage_at = si;
      }
      dlen = j;
      break;
    }
    uint32_t val = (static_cast<uint32_t>(dbuf[0]) << 18) | (static_cast<uint32_t>(dbuf[1]) << 12) |
                   (static_cast<uint32_t>(dbuf[2]) << 6) | static_cast<uint32_t>(dbuf[3]);
    char bytes[3] = {static_cast<char>(val >> 16), static_cast<char>(val >> 8),
                     static_cast<char>(val)};
    out.append(bytes, static_cast<std::size_t>(dlen - 1));
    if (trailing_garbage) {
      return corrupt(garbage_at);
    }
    if (dlen < 4) {
      break;
    }
  }
  return out;
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

Result<std::string> goDecodeRawUrl(std::string_view text) {
  return goDecode(text, /*url=*/true, /*padded=*/false);
}

Result<std::string> goDecodeStd(std::string_view text) {
  return goDecode(text, /*url=*/false, /*padded=*/true);
}

std::string_view goJsonTypeName(const nlohmann::ordered_json& value) {
  if (value.is_string()) {
    return "string";
  }
  if (value.is_number()) {
    return "number";
  }
  if (value.is_boolean()) {
    return "bool";
  }
  if (value.is_array()) {
    return "array";
  }
  if (value.is_object()) {
    return "object";
  }
  return "null";
}

std::string goUnmarshalTypeError(const nlohmann::ordered_json& value, std::string_view go_type) {
  return "json: cannot unmarshal " + std::string(goJsonTypeName(value)) +
         " into Go value of type " + std::string(go_type);
}

std::string goUnmarshalFieldError(const nlohmann::ordered_json& value, std::string_view field,
                                  std::string_view go_type) {
  return "json: cannot unmarshal " + std::string(goJsonTypeName(value)) + " into Go struct field " +
         std::string(field) + " of type " + std::string(go_type);
}

std::string goJsonDump(const nlohmann::ordered_json& value, int indent) {
  std::string raw =
      value.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  // '<', '>' and '&' can only occur inside strings in JSON text, so escaping them everywhere is
  // exactly what Go's HTML-safe encoder does. U+2028/U+2029 are E2 80 A8 / E2 80 A9.
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xE2' && i + 2 < raw.size() && raw[i + 1] == '\x80' &&
               (raw[i + 2] == '\xA8' || raw[i + 2] == '\xA9')) {
      out += raw[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

Result<nlohmann::ordered_json> parseJsonText(std::string_view text) {
  try {
    return nlohmann::ordered_json::parse(text.begin(), text.end());
  } catch (const nlohmann::ordered_json::exception& e) {
    std::string message = e.what();
    if (auto pos = message.find("] ");
        message.rfind("[json.exception", 0) == 0 && pos != std::string::npos) {
      message = message.substr(pos + 2);
    }
    return invalidArgument(message);
  }
}

} // namespace spire::jwt
