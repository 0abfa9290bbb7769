#include "jwt/go_compat.h"

#include <array>
#include <cstdint>
#include <cstdio>

namespace spire::jwt {
namespace {

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
