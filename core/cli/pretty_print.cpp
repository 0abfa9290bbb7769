#include "cli/pretty_print.h"

#include <ctime>

#include "cli/output.h"

namespace spire::cli {
namespace {

// The key column is 17 characters wide for entries ("Entry ID         : ").
void line(std::ostream& out, const char* key, const std::string& value) {
  out << key << ": " << value << "\n";
}

const char* boolText(bool value) {
  return value ? "true" : "false";
}

} // namespace

std::string goTimeString(std::int64_t epoch_seconds, TimeZoneChoice zone) {
  const std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  char buffer[96];
  if (zone == TimeZoneChoice::kUtc) {
    gmtime_r(&t, &tm);
    // strftime's %Z says "GMT" for gmtime; Go says "UTC".
    std::strftime(buffer, sizeof(buffer), "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
  } else {
    localtime_r(&t, &tm);
    std::strftime(buffer, sizeof(buffer), "%Y-%m-%d %H:%M:%S %z %Z", &tm);
  }
  return buffer;
}

void printEntry(std::ostream& out, const EntryView& e) {
  line(out, "Entry ID         ", e.id.empty() ? "(none)" : e.id);
  line(out, "SPIFFE ID        ", e.spiffe_id);
  line(out, "Parent ID        ", e.parent_id);
  line(out, "Revision         ", std::to_string(e.revision));
  if (e.downstream) {
    line(out, "Downstream       ", "true");
  }
  line(out, "X509-SVID TTL    ",
       e.x509_svid_ttl == 0 ? "default" : std::to_string(e.x509_svid_ttl));
  line(out, "JWT-SVID TTL     ", e.jwt_svid_ttl == 0 ? "default" : std::to_string(e.jwt_svid_ttl));
  if (e.expires_at != 0) {
    line(out, "Expiration time  ", goTimeString(e.expires_at, TimeZoneChoice::kUtc));
  }
  for (const auto& [type, value] : e.selectors) {
    line(out, "Selector         ", type + ":" + value);
  }
  for (const auto& id : e.federates_with) {
    line(out, "FederatesWith    ", id);
  }
  for (const auto& name : e.dns_names) {
    line(out, "DNS name         ", name);
  }
  // SPIRE prints the rare flags only when set, to keep the common output short.
  if (e.admin) {
    line(out, "Admin            ", "true");
  }
  if (e.store_svid) {
    line(out, "StoreSvid        ", "true");
  }
  if (!e.hint.empty()) {
    line(out, "Hint             ", e.hint);
  }
  out << "\n";
}

void printAgents(std::ostream& out, const std::vector<AgentView>& agents, TimeZoneChoice zone) {
  for (const auto& agent : agents) {
    line(out, "SPIFFE ID         ", agent.spiffe_id);
    line(out, "Attestation type  ", agent.attestation_type);
    line(out, "Expiration time   ", goTimeString(agent.x509svid_expires_at, zone));
    // A banned agent has no serial number, so SPIRE shows the ban instead.
    if (agent.banned) {
      line(out, "Banned            ", boolText(agent.banned));
    } else {
      line(out, "Serial number     ", agent.x509svid_serial_number);
    }
    line(out, "Can re-attest     ", boolText(agent.can_reattest));
    out << "\n";
  }
}

void printAgentList(std::ostream& out, const std::vector<AgentView>& agents, TimeZoneChoice zone) {
  if (agents.empty()) {
    out << "No attested agents found\n";
    return;
  }
  const auto count = static_cast<long long>(agents.size());
  out << pluralize("Found " + std::to_string(count) + " attested ", "agent", "agents", count)
      << ":\n\n";
  printAgents(out, agents, zone);
}

} // namespace spire::cli
