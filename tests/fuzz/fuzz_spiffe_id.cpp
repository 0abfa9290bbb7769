// Fuzz target: SpiffeId::parse, TrustDomain::parse, validatePath, validatePathSegment.
//
// Invariants: the parser agrees with an independent, split-based model of the grammar of
// spiffe-standards.md §1 (plus our length limits) on accept/reject; the first error class is
// the one go-spiffe would report; every accepted ID round-trips through toString(), its trust
// domain re-parses, and rebuilding it with fromPath / appendSegments gives an equal, equally
// hashed value.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "spiffe/spiffe_id.h"
#include "spiffe/trust_domain.h"

namespace {

using spire::Result;
using spire::Status;
using spire::StatusCode;
using spire::spiffe::SpiffeId;
using spire::spiffe::TrustDomain;

constexpr std::string_view kPrefix = "spiffe://";

// The model: written from the grammar table, not from the parser's code.
bool modelTdChar(unsigned char c) {
  return std::string_view("abcdefghijklmnopqrstuvwxyz0123456789.-_").find(static_cast<char>(c)) !=
         std::string_view::npos;
}
bool modelPathChar(unsigned char c) {
  return modelTdChar(c) ||
         std::string_view("ABCDEFGHIJKLMNOPQRSTUVWXYZ").find(static_cast<char>(c)) !=
             std::string_view::npos;
}
bool modelTdName(std::string_view name) {
  if (name.empty() || name.size() > 255) {
    return false;
  }
  for (unsigned char c : name) {
    if (!modelTdChar(c)) {
      return false;
    }
  }
  return true;
}
bool modelSegment(std::string_view segment) {
  if (segment.empty() || segment == "." || segment == "..") {
    return false;
  }
  for (unsigned char c : segment) {
    if (!modelPathChar(c)) {
      return false;
    }
  }
  return true;
}
std::vector<std::string_view> splitSegments(std::string_view path) {
  // path starts with '/'; returns what lies between the slashes.
  std::vector<std::string_view> segments;
  std::size_t start = 1;
  while (true) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      segments.push_back(path.substr(start));
      return segments;
    }
    segments.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
}
bool modelPath(std::string_view path) {
  if (path.empty()) {
    return true;
  }
  if (path[0] != '/') {
    return false;
  }
  for (std::string_view segment : splitSegments(path)) {
    if (!modelSegment(segment)) {
      return false;
    }
  }
  return true;
}
bool modelId(std::string_view text) {
  if (!text.starts_with(kPrefix) || text.size() > 2048) {
    return false;
  }
  std::string_view rest = text.substr(kPrefix.size());
  std::size_t slash = rest.find('/');
  std::string_view td = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  return modelTdName(td) && modelPath(path);
}

void checkError(const Status& status) {
  FUZZ_CHECK(status.code() == StatusCode::kInvalidArgument, "parse errors are InvalidArgument");
  FUZZ_CHECK(!status.message().empty(), "parse errors carry a message");
}

void checkValidId(const SpiffeId& id, std::string_view text) {
  FUZZ_CHECK(!id.isZero(), "a parsed ID is not zero");
  std::string str = id.toString();
  FUZZ_CHECK(str == text, "toString() returns the input unchanged");
  FUZZ_CHECK(str.size() <= spire::spiffe::kMaxSpiffeIdLength, "ID length limit");
  FUZZ_CHECK(str == std::string(kPrefix) + id.trustDomain().name() + id.path(), "ID parts");
  FUZZ_CHECK(modelTdName(id.trustDomain().name()), "trust domain obeys the grammar");
  FUZZ_CHECK(modelPath(id.path()), "path obeys the grammar");
  FUZZ_CHECK(id.memberOf(id.trustDomain()), "an ID is a member of its trust domain");
  FUZZ_CHECK(spire::spiffe::validatePath(id.path()).isOk(), "the path validates on its own");

  Result<SpiffeId> again = SpiffeId::parse(str);
  FUZZ_CHECK(again.isOk() && again.value() == id, "toString() parses to an equal ID");
  FUZZ_CHECK(std::hash<SpiffeId>{}(again.value()) == std::hash<SpiffeId>{}(id), "equal hashes");
  FUZZ_CHECK(!(again.value() < id) && !(id < again.value()), "ordering agrees with equality");

  Result<TrustDomain> td = TrustDomain::parse(id.trustDomain().name());
  FUZZ_CHECK(td.isOk() && td.value() == id.trustDomain(), "the trust domain name re-parses");
  Result<TrustDomain> td_from_id = TrustDomain::parse(text);
  FUZZ_CHECK(td_from_id.isOk() && td_from_id.value() == id.trustDomain(),
             "TrustDomain::parse of the ID gives its trust domain");
  FUZZ_CHECK(td.value().idString() == std::string(kPrefix) + td.value().name(), "idString()");

  Result<SpiffeId> rebuilt = SpiffeId::fromPath(td.value(), id.path());
  FUZZ_CHECK(rebuilt.isOk() && rebuilt.value() == id, "fromPath rebuilds the ID");
  Result<SpiffeId> replaced = id.replacePath(id.path());
  FUZZ_CHECK(replaced.isOk() && replaced.value() == id, "replacePath with the same path");

  SpiffeId by_segments = td.value().id();
  FUZZ_CHECK(by_segments.path().empty() && by_segments.memberOf(td.value()), "td.id()");
  if (!id.path().empty()) {
    for (std::string_view segment : splitSegments(id.path())) {
      FUZZ_CHECK(spire::spiffe::validatePathSegment(segment).isOk(), "each segment validates");
      Result<SpiffeId> next = by_segments.appendSegments({segment});
      FUZZ_CHECK(next.isOk(), "appending a valid segment within the limit");
      by_segments = next.value();
    }
  }
  FUZZ_CHECK(by_segments == id, "appendSegments rebuilds the ID");
}

// Which error go-spiffe reports first is decided by the prefix of the input; check the classes
// that the model can tell without re-implementing the path scan.
void checkIdErrorClass(std::string_view text, const Status& status) {
  const std::string& msg = status.message();
  if (text.empty()) {
    FUZZ_CHECK(msg == "cannot be empty", "empty input error");
    return;
  }
  if (!text.starts_with(kPrefix)) {
    FUZZ_CHECK(msg == "scheme is missing or invalid", "scheme error");
    return;
  }
  std::string_view rest = text.substr(kPrefix.size());
  std::string_view td = rest.substr(0, rest.find('/'));
  for (unsigned char c : td) {
    if (!modelTdChar(c)) {
      FUZZ_CHECK(msg.starts_with("trust domain characters are limited"), "TD char error");
      return;
    }
  }
  if (td.empty()) {
    FUZZ_CHECK(msg == "trust domain is missing", "missing TD error");
    return;
  }
  FUZZ_CHECK(msg.starts_with("path ") || msg.ends_with("is too long (max 255 bytes)") ||
                 msg.ends_with("is too long (max 2048 bytes)"),
             "remaining errors are about the path or the length");
}

void fuzzSpiffeId(std::string_view text) {
  Result<SpiffeId> id = SpiffeId::parse(text);
  FUZZ_CHECK(id.isOk() == modelId(text), "parser and model agree on SpiffeId::parse");
  if (id.isOk()) {
    checkValidId(id.value(), text);
  } else {
    checkError(id.status());
    checkIdErrorClass(text, id.status());
  }
}

void fuzzTrustDomain(std::string_view text) {
  Result<TrustDomain> td = TrustDomain::parse(text);
  if (text.find(":/") != std::string_view::npos) {
    Result<SpiffeId> id = SpiffeId::parse(text);
    FUZZ_CHECK(td.isOk() == id.isOk(), "TrustDomain::parse of an ID follows SpiffeId::parse");
    if (!td.isOk()) {
      FUZZ_CHECK(td.status() == id.status(), "same error as SpiffeId::parse");
    }
  } else {
    FUZZ_CHECK(td.isOk() == modelTdName(text), "parser and model agree on a bare name");
    if (td.isOk()) {
      FUZZ_CHECK(td.value().name() == text, "a bare name is kept unchanged");
    }
  }
  if (!td.isOk()) {
    checkError(td.status());
    return;
  }
  FUZZ_CHECK(!td.value().isZero(), "a parsed trust domain is not zero");
  SpiffeId root = td.value().id();
  FUZZ_CHECK(root.toString() == td.value().idString(), "id() and idString() agree");
  Result<SpiffeId> root_again = SpiffeId::parse(td.value().idString());
  FUZZ_CHECK(root_again.isOk() && root_again.value() == root, "idString() parses back");
}

void fuzzPathFunctions(std::string_view text) {
  Status path = spire::spiffe::validatePath(text);
  FUZZ_CHECK(path.isOk() == modelPath(text), "parser and model agree on validatePath");
  if (!path.isOk()) {
    checkError(path);
  }
  Status segment = spire::spiffe::validatePathSegment(text);
  FUZZ_CHECK(segment.isOk() == modelSegment(text), "parser and model agree on a segment");
  if (!segment.isOk()) {
    checkError(segment);
  }
  // Build on a fixed trust domain: success iff the path is valid and the ID fits the limit.
  static const TrustDomain kTd = TrustDomain::parse("example.org").value();
  Result<SpiffeId> built = SpiffeId::fromPath(kTd, text);
  bool fits = kPrefix.size() + kTd.name().size() + text.size() <= spire::spiffe::kMaxSpiffeIdLength;
  FUZZ_CHECK(built.isOk() == (path.isOk() && fits), "fromPath accepts exactly the valid paths");
  if (built.isOk()) {
    checkValidId(built.value(), built.value().toString());
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzzSpiffeId(text);
  fuzzTrustDomain(text);
  fuzzPathFunctions(text);
  return 0;
}
