#include "spiffe/spiffe_id.h"

#include <ostream>

#include "spiffe/errors.h"

namespace spire::spiffe {
namespace {

constexpr std::string_view kSchemePrefix = "spiffe://";

Status fail(std::string_view message) {
  return invalidArgument(std::string(message));
}

// go-spiffe judges a segment, its leading '/' included, once the next '/' or the end closes it.
bool isDotSegment(std::string_view segment) {
  return segment == "/." || segment == "/..";
}

} // namespace

Status validatePath(std::string_view path) {
  if (path.empty()) {
    return {};
  }
  if (path[0] != '/') {
    return fail(errors::kNoLeadingSlash);
  }
  // One pass, in go-spiffe's order: a segment is judged when the next '/' closes it, and a bad
  // byte fails as soon as it is seen, so "/a//%" reports the empty segment and "/%//" the byte.
  std::size_t segment_start = 0;
  for (std::size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '/') {
      std::string_view segment = path.substr(segment_start, i - segment_start);
      if (segment == "/") {
        return fail(errors::kEmptySegment);
      }
      if (isDotSegment(segment)) {
        return fail(errors::kDotSegment);
      }
      segment_start = i;
      continue;
    }
    if (!isPathSegmentChar(c)) {
      return fail(errors::kBadPathSegmentChar);
    }
  }
  std::string_view last = path.substr(segment_start);
  if (last == "/") {
    return fail(errors::kTrailingSlash);
  }
  if (isDotSegment(last)) {
    return fail(errors::kDotSegment);
  }
  return {};
}

Status validatePathSegment(std::string_view segment) {
  if (segment.empty()) {
    return fail(errors::kEmptySegment);
  }
  if (segment == "." || segment == "..") {
    return fail(errors::kDotSegment);
  }
  for (char c : segment) {
    if (!isPathSegmentChar(c)) {
      return fail(errors::kBadPathSegmentChar);
    }
  }
  return {};
}

Result<std::string> joinPathSegments(std::initializer_list<std::string_view> segments) {
  std::string path;
  for (std::string_view segment : segments) {
    if (Status status = validatePathSegment(segment); !status.isOk()) {
      return status;
    }
    path += '/';
    path += segment;
  }
  return path;
}

Result<SpiffeId> SpiffeId::parse(std::string_view text) {
  if (text.empty()) {
    return fail(errors::kEmpty);
  }
  // Byte-exact and case-sensitive like go-spiffe, although the spec calls the scheme
  // case-insensitive: "SPIFFE://x" is refused.
  if (!text.starts_with(kSchemePrefix)) {
    return fail(errors::kWrongScheme);
  }
  std::size_t path_index = kSchemePrefix.size();
  for (; path_index < text.size(); ++path_index) {
    char c = text[path_index];
    if (c == '/') {
      break;
    }
    if (!isTrustDomainChar(c)) {
      return fail(errors::kBadTrustDomainChar);
    }
  }
  if (path_index == kSchemePrefix.size()) {
    return fail(errors::kMissingTrustDomain);
  }
  std::string_view path = text.substr(path_index);
  if (Status status = validatePath(path); !status.isOk()) {
    return status;
  }
  // Our limits come last so that every input go-spiffe refuses gets go-spiffe's text.
  if (path_index - kSchemePrefix.size() > kMaxTrustDomainLength) {
    return fail(errors::kTrustDomainTooLong);
  }
  if (text.size() > kMaxSpiffeIdLength) {
    return fail(errors::kSpiffeIdTooLong);
  }
  return SpiffeId(TrustDomain(std::string(
                      text.substr(kSchemePrefix.size(), path_index - kSchemePrefix.size()))),
                  std::string(path));
}

Result<SpiffeId> SpiffeId::make(const TrustDomain& td, std::string path) {
  if (td.isZero()) {
    return fail(errors::kTrustDomainEmpty);
  }
  if (kSchemePrefix.size() + td.name().size() + path.size() > kMaxSpiffeIdLength) {
    return fail(errors::kSpiffeIdTooLong);
  }
  return SpiffeId(td, std::move(path));
}

Result<SpiffeId> SpiffeId::fromPath(const TrustDomain& td, std::string_view path) {
  // go-spiffe validates the path before looking at the trust domain; keep that order.
  if (Status status = validatePath(path); !status.isOk()) {
    return status;
  }
  return make(td, std::string(path));
}

Result<SpiffeId> SpiffeId::fromSegments(const TrustDomain& td,
                                        std::initializer_list<std::string_view> segments) {
  Result<std::string> path = joinPathSegments(segments);
  if (!path) {
    return path.status();
  }
  return make(td, std::move(path).value());
}

std::string SpiffeId::toString() const {
  if (isZero()) {
    return {};
  }
  std::string out;
  out.reserve(kSchemePrefix.size() + td_.name().size() + path_.size());
  out += kSchemePrefix;
  out += td_.name();
  out += path_;
  return out;
}

Result<SpiffeId> SpiffeId::appendPath(std::string_view path) const {
  if (isZero()) {
    return fail(errors::kAppendPathOnZero);
  }
  if (Status status = validatePath(path); !status.isOk()) {
    return status;
  }
  return make(td_, path_ + std::string(path));
}

Result<SpiffeId> SpiffeId::replacePath(std::string_view path) const {
  if (isZero()) {
    return fail(errors::kReplacePathOnZero);
  }
  return fromPath(td_, path);
}

Result<SpiffeId> SpiffeId::appendSegments(std::initializer_list<std::string_view> segments) const {
  if (isZero()) {
    return fail(errors::kAppendSegmentsOnZero);
  }
  Result<std::string> path = joinPathSegments(segments);
  if (!path) {
    return path.status();
  }
  return make(td_, path_ + path.value());
}

Result<SpiffeId> SpiffeId::replaceSegments(std::initializer_list<std::string_view> segments) const {
  if (isZero()) {
    return fail(errors::kReplaceSegmentsOnZero);
  }
  return fromSegments(td_, segments);
}

std::ostream& operator<<(std::ostream& os, const SpiffeId& id) {
  return os << id.toString();
}

} // namespace spire::spiffe
