#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace spire::cli {

// The fields of a registration entry SPIRE's `entry` commands print. Plain data so that the
// server code fills it from whatever entry type it holds.
struct EntryView {
  std::string id; // empty prints "(none)"
  std::string spiffe_id;
  std::string parent_id;
  std::int64_t revision = 0;
  bool downstream = false;
  std::int32_t x509_svid_ttl = 0; // 0 prints "default"
  std::int32_t jwt_svid_ttl = 0;
  std::int64_t expires_at = 0;                                // epoch seconds; 0 omits the line
  std::vector<std::pair<std::string, std::string>> selectors; // (type, value)
  std::vector<std::string> federates_with;
  std::vector<std::string> dns_names;
  bool admin = false;
  bool store_svid = false;
  std::string hint;
};

// The fields of an attested agent SPIRE's `agent list/show` print.
struct AgentView {
  std::string spiffe_id;
  std::string attestation_type;
  std::int64_t x509svid_expires_at = 0; // epoch seconds
  std::string x509svid_serial_number;
  bool banned = false;
  bool can_reattest = false;
};

// Which zone Go's time.Time.String() renders in: SPIRE prints entry expiry in UTC and agent
// expiry in the process's local zone.
enum class TimeZoneChoice { kUtc, kLocal };

// Go's time.Unix(epoch, 0).String(): "2019-03-12 17:04:26 +0000 UTC".
std::string goTimeString(std::int64_t epoch_seconds, TimeZoneChoice zone);

// cmd/spire-server/cli/entry/util.go printEntry, byte for byte (a blank line ends the block).
void printEntry(std::ostream& out, const EntryView& entry);

// cmd/spire-server/cli/agent printAgents, byte for byte, one block per agent.
void printAgents(std::ostream& out, const std::vector<AgentView>& agents,
                 TimeZoneChoice zone = TimeZoneChoice::kLocal);

// agent list's pretty output: "No attested agents found" or "Found N attested agent(s):" + blocks.
void printAgentList(std::ostream& out, const std::vector<AgentView>& agents,
                    TimeZoneChoice zone = TimeZoneChoice::kLocal);

} // namespace spire::cli
