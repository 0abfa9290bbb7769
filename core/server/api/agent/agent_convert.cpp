#include "server/api/agent/agent_convert.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <tuple>

#include <openssl/rand.h>

#include "server/registration/entry_validation.h"

namespace spire::server::api {

Result<types::Agent> protoFromAttestedNode(const plugin_host::AttestedNode& node) {
  Result<spiffe::SpiffeId> id = spiffe::SpiffeId::parse(node.spiffe_id);
  if (!id) {
    return invalidArgument("node has malformed SPIFFE ID: " + id.status().message());
  }
  types::Agent out;
  fillProtoId(*id, out.mutable_id());
  out.set_attestation_type(node.attestation_data_type);
  out.set_x509svid_serial_number(node.cert_serial_number);
  out.set_x509svid_expires_at(node.cert_not_after);
  fillProtoSelectors(node.selectors, out.mutable_selectors());
  out.set_banned(node.cert_serial_number.empty());
  out.set_can_reattest(node.can_reattest);
  out.set_agent_version(node.agent_version);
  return out;
}

void applyAgentMask(types::Agent& agent, const types::AgentMask* mask) {
  if (mask == nullptr) {
    return;
  }
  if (!mask->attestation_type()) {
    agent.clear_attestation_type();
  }
  if (!mask->x509svid_serial_number()) {
    agent.clear_x509svid_serial_number();
  }
  if (!mask->x509svid_expires_at()) {
    agent.clear_x509svid_expires_at();
  }
  if (!mask->selectors()) {
    agent.clear_selectors();
  }
  if (!mask->banned()) {
    agent.clear_banned();
  }
  if (!mask->can_reattest()) {
    agent.clear_can_reattest();
  }
  if (!mask->agent_version()) {
    agent.clear_agent_version();
  }
}

Result<std::vector<plugin_host::Selector>>
selectorsFromProto(const google::protobuf::RepeatedPtrField<types::Selector>& selectors) {
  std::vector<plugin_host::Selector> out;
  out.reserve(static_cast<std::size_t>(selectors.size()));
  for (const types::Selector& s : selectors) {
    plugin_host::Selector selector{s.type(), s.value()};
    if (Status st = registration::validateSelector(selector); !st.isOk()) {
      return st;
    }
    out.push_back(std::move(selector));
  }
  return out;
}

void fillProtoSelectors(const std::vector<plugin_host::Selector>& selectors,
                        google::protobuf::RepeatedPtrField<types::Selector>* out) {
  out->Reserve(static_cast<int>(selectors.size()));
  for (const plugin_host::Selector& s : selectors) {
    types::Selector* p = out->Add();
    p->set_type(s.type);
    p->set_value(s.value);
  }
}

std::vector<plugin_host::Selector> dedupeSelectors(std::vector<plugin_host::Selector> selectors) {
  auto key = [](const plugin_host::Selector& s) { return std::tie(s.type, s.value); };
  std::sort(selectors.begin(), selectors.end(),
            [&](const auto& a, const auto& b) { return key(a) < key(b); });
  selectors.erase(std::unique(selectors.begin(), selectors.end()), selectors.end());
  return selectors;
}

namespace {

// Reads exactly `digits` decimal digits at `pos`.
bool readNumber(std::string_view text, std::size_t& pos, std::size_t digits, int& out) {
  if (pos + digits > text.size()) {
    return false;
  }
  out = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') {
      return false;
    }
    out = out * 10 + (c - '0');
  }
  pos += digits;
  return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) {
    return false;
  }
  ++pos;
  return true;
}

// "+hh" or "-hh" followed by `minute_digits` more digits; returns the offset in seconds.
bool readZone(std::string_view text, std::size_t& pos, bool with_minutes, int& seconds) {
  if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) {
    return false;
  }
  const int sign = text[pos] == '-' ? -1 : 1;
  ++pos;
  int hours = 0;
  int minutes = 0;
  if (!readNumber(text, pos, 2, hours) || (with_minutes && !readNumber(text, pos, 2, minutes))) {
    return false;
  }
  seconds = sign * (hours * 3600 + minutes * 60);
  return true;
}

} // namespace

std::int64_t parseExpiresBefore(std::string_view text) {
  using namespace std::chrono;
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int zone = 0;
  int zone_hours = 0;
  // Go's "15" takes one or two digits; the other fields exactly two (the year four).
  auto read_hour = [&] {
    if (!readNumber(text, pos, 1, hour)) {
      return false;
    }
    int low = 0;
    std::size_t probe = pos;
    if (readNumber(text, probe, 1, low)) {
      hour = hour * 10 + low;
      pos = probe;
    }
    return true;
  };
  const bool ok =
      readNumber(text, pos, 4, year) && expect(text, pos, '-') && readNumber(text, pos, 2, month) &&
      expect(text, pos, '-') && readNumber(text, pos, 2, day) && expect(text, pos, ' ') &&
      read_hour() && expect(text, pos, ':') && readNumber(text, pos, 2, minute) &&
      expect(text, pos, ':') && readNumber(text, pos, 2, second) && expect(text, pos, ' ') &&
      readZone(text, pos, true, zone) && expect(text, pos, ' ') &&
      readZone(text, pos, false, zone_hours) && pos == text.size();
  if (!ok || hour > 23 || minute > 59 || second > 59) {
    return 0;
  }
  const year_month_day date{std::chrono::year(year),
                            std::chrono::month(static_cast<unsigned>(month)),
                            std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) {
    return 0;
  }
  // Go applies the zone fields in layout order, so the last one ("-07") gives the offset.
  const sys_seconds local = sys_days(date) + hours(hour) + minutes(minute) + seconds(second);
  return (local - seconds(zone_hours)).time_since_epoch().count();
}

Result<spiffe::SpiffeId> joinTokenAgentId(const spiffe::TrustDomain& td, std::string_view token) {
  return spiffe::SpiffeId::fromSegments(td, {"spire", "agent", "join_token", token});
}

std::string newUuidV4() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof(b)) != 1) {
    // The CSPRNG failing is not something to carry on from.
    std::abort();
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40); // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80); // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof(out),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

} // namespace spire::server::api
