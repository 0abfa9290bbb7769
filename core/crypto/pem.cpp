#include "crypto/pem.h"

#include <cctype>

#include "common/encoding.h"

namespace spire::crypto {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";

// Drops an RFC 1421 header section ("Name: value" lines up to the first blank line).
std::string_view skipHeaders(std::string_view body) {
  std::size_t first_line_end = body.find('\n');
  std::string_view first_line = body.substr(0, first_line_end);
  if (first_line.find(':') == std::string_view::npos) {
    return body;
  }
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t eol = body.find('\n', pos);
    std::string_view line = body.substr(pos, eol == std::string_view::npos ? eol : eol - pos);
    bool blank = true;
    for (char c : line) {
      if (!std::isspace(static_cast<unsigned char>(c))) {
        blank = false;
      }
    }
    if (blank) {
      return eol == std::string_view::npos ? std::string_view() : body.substr(eol + 1);
    }
    if (eol == std::string_view::npos) {
      break;
    }
    pos = eol + 1;
  }
  return {};
}

} // namespace

std::vector<PemBlock> decodePemBlocks(std::string_view text) {
  std::vector<PemBlock> blocks;
  std::size_t pos = 0;
  while (true) {
    std::size_t begin = text.find(kBegin, pos);
    if (begin == std::string_view::npos) {
      break;
    }
    std::size_t type_start = begin + kBegin.size();
    // As Go's pem.Decode, a BEGIN line starts at the beginning of the text or of a line.
    if (begin != 0 && text[begin - 1] != '\n') {
      pos = type_start;
      continue;
    }
    std::size_t eol = text.find('\n', type_start);
    std::string_view line =
        text.substr(type_start, eol == std::string_view::npos ? eol : eol - type_start);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    // A BEGIN line is "-----BEGIN <type>-----" with nothing after it.
    if (eol == std::string_view::npos || line.size() < kDashes.size() ||
        line.substr(line.size() - kDashes.size()) != kDashes) {
      pos = type_start;
      continue;
    }
    std::string type(line.substr(0, line.size() - kDashes.size()));
    std::string end_marker = std::string(kEnd) + type + std::string(kDashes);
    std::size_t end = text.find(end_marker, eol + 1);
    if (end == std::string_view::npos) {
      pos = type_start;
      continue;
    }
    std::string_view body = skipHeaders(text.substr(eol + 1, end - (eol + 1)));
    std::string compact;
    compact.reserve(body.size());
    for (char c : body) {
      if (!std::isspace(static_cast<unsigned char>(c))) {
        compact += c;
      }
    }
    auto der = base64Decode(compact);
    if (!der) {
      pos = type_start;
      continue;
    }
    blocks.push_back(PemBlock{std::move(type), std::move(*der)});
    pos = end + end_marker.size();
  }
  return blocks;
}

std::string encodePem(std::string_view type, std::string_view der) {
  std::string body = base64Encode(der);
  std::string out;
  out.reserve(body.size() + body.size() / 64 + 2 * type.size() + 40);
  out += "-----BEGIN ";
  out += type;
  out += "-----\n";
  for (std::size_t i = 0; i < body.size(); i += 64) {
    out += body.substr(i, 64);
    out += '\n';
  }
  out += "-----END ";
  out += type;
  out += "-----\n";
  return out;
}

} // namespace spire::crypto
