// spire-server's command table: SPIRE's cmd/spire-server/cli/*, flag by flag.
#include <chrono>

#include "cli/spire_commands.h"

namespace spire::cli {
namespace {

using namespace std::chrono_literals;

FlagSpec socketFlag() {
  return stringFlag("socketPath", "Path to the SPIRE Server API socket", kServerSocketPath);
}

// SPIRE's adapter adds -socketPath to every API command; cliprinter adds -output.
CommandSpec apiCommand(std::string path, std::string synopsis, std::vector<FlagSpec> flags,
                       bool with_output = true) {
  flags.push_back(socketFlag());
  if (with_output) {
    flags.push_back(outputFlag());
  }
  return {std::move(path), std::move(synopsis), "", std::move(flags)};
}

FlagSpec selectorFlag() {
  return stringListFlag("selector",
                        "A colon-delimited type:value selector. Can be used more than once");
}

FlagSpec matchFlag(std::string name, std::string what) {
  return stringFlag(std::move(name),
                    "The match mode used when filtering by " + what +
                        ". Options: exact, any, superset and subset",
                    "superset");
}

// entry create and entry update share all but -node and the -entryID text.
std::vector<FlagSpec> entryWriteFlags(const std::string& entry_id_usage) {
  return {
      boolFlag("admin", "If set, the SPIFFE ID in this entry will be granted access to the SPIRE "
                        "Server's management APIs"),
      stringFlag("data", "Path to a file containing registration JSON (optional). If set to '-', "
                         "read the JSON from stdin."),
      stringListFlag("dns", "A DNS name that will be included in SVIDs issued based on this "
                            "entry, where appropriate. Can be used more than once"),
      boolFlag("downstream", "A boolean value that, when set, indicates that the entry describes "
                             "a downstream SPIRE server"),
      int64Flag("entryExpiry",
                "An expiry, from epoch in seconds, for the resulting registration entry to be "
                "pruned"),
      stringFlag("entryID", entry_id_usage),
      stringListFlag("federatesWith",
                     "SPIFFE ID of a trust domain to federate with. Can be used more than once"),
      stringFlag("hint", "The entry hint, used to disambiguate entries with the same SPIFFE ID"),
      intFlag("jwtSVIDTTL",
              "The lifetime, in seconds, for JWT-SVIDs issued based on this registration entry."),
      stringFlag("parentID", "The SPIFFE ID of this record's parent"),
      selectorFlag(),
      stringFlag("spiffeID", "The SPIFFE ID that this record represents"),
      boolFlag("storeSVID", "A boolean value that, when set, indicates that the resulting issued "
                            "SVID from this entry must be stored through an SVIDStore plugin"),
      intFlag("x509SVIDTTL",
              "The lifetime, in seconds, for x509-SVIDs issued based on this registration entry."),
      // Newer SPIRE entry fields (inventory §6.1); SPIRE's own help texts were not available.
      boolFlag("disableX509SVIDPrefetch",
               "If set, X509-SVIDs for this entry are not prefetched by the agent"),
      boolFlag("jwtSVIDIncludeJTI",
               "If set, JWT-SVIDs issued based on this entry include a unique jti claim"),
  };
}

std::vector<FlagSpec> entryFilterFlags(const std::string& verb) {
  return {
      boolFlag("downstream", "A boolean value that, when set, indicates that the entry describes "
                             "a downstream SPIRE server"),
      stringListFlag("federatesWith", "SPIFFE ID of a trust domain an entry is federate with. Can "
                                      "be used more than once"),
      stringFlag("hint", "The Hint of the records to " + verb + " (optional)"),
      matchFlag("matchFederatesWithOn", "federates with"),
      matchFlag("matchSelectorsOn", "selectors"),
      stringFlag("parentID", "The Parent ID of the records to " + verb),
      selectorFlag(),
      stringFlag("spiffeID", "The SPIFFE ID of the records to " + verb),
  };
}

std::vector<FlagSpec> agentFilterFlags() {
  return {
      stringFlag("attestationType", "Filter by attestation type, like join_token or x509pop."),
      customStringFlag("banned", "Filter based on string received, 'true': banned agents, "
                                 "'false': not banned agents, other value will return all."),
      customStringFlag("canReattest",
                       "Filter based on string received, 'true': agents that can reattest, "
                       "'false': agents that can't reattest, other value will return all."),
      stringFlag("expiresBefore",
                 "Filter by expiration time (format: \"2006-01-02 15:04:05 -0700 -07\")"),
      matchFlag("matchSelectorsOn", "selectors"),
      selectorFlag(),
  };
}

FlagSpec agentIdFlag(const std::string& verb) {
  return stringFlag("spiffeID", "The SPIFFE ID of the agent to " + verb + " (agent identity)");
}

std::vector<FlagSpec> federationWriteFlags() {
  return {
      stringFlag("bundleEndpointProfile",
                 "Endpoint profile type (either \"https_web\" or \"https_spiffe\")"),
      stringFlag("bundleEndpointURL", "URL of the SPIFFE bundle endpoint that provides the trust "
                                      "bundle (must use the HTTPS protocol)"),
      stringFlag("data", "Path to a file containing federation relationships in JSON format "
                         "(optional). If set to '-', read the JSON from stdin."),
      stringFlag("endpointSpiffeID", "SPIFFE ID of the SPIFFE bundle endpoint server. Only used "
                                     "for 'spiffe' profile."),
      stringFlag("trustDomain", "Name of the trust domain to federate with (e.g., example.org)"),
      stringFlag("trustDomainBundleFormat",
                 "The format of the bundle data (optional). Either \"pem\" or \"spiffe\".", "pem"),
      stringFlag("trustDomainBundlePath", "Path to the trust domain bundle data (optional)."),
  };
}

void addAuthorityCommands(std::vector<CommandSpec>& out, const std::string& kind,
                          const std::string& label) {
  const std::string base = "localauthority " + kind + " ";
  out.push_back(apiCommand(base + "show", "Shows the local " + label + " authorities", {}));
  out.push_back(apiCommand(base + "prepare", "Prepares a new " + label + " authority", {}));
  for (const std::string verb : {"activate", "taint", "revoke"}) {
    out.push_back(apiCommand(
        base + verb, "Marks the prepared " + label + " authority as " + verb + "d",
        {stringFlag("authorityID", "The authority ID of the " + label + " authority to " + verb)}));
  }
}

} // namespace

std::vector<CommandSpec> serverCommandSpecs() {
  std::vector<CommandSpec> out;

  // agent
  out.push_back(
      apiCommand("agent ban", "Ban an attested agent given its SPIFFE ID", {agentIdFlag("ban")}));
  out.push_back(apiCommand("agent count", "Count attested agents", agentFilterFlags()));
  out.push_back(apiCommand("agent evict", "Evicts an attested agent given its SPIFFE ID",
                           {agentIdFlag("evict")}));
  out.push_back(
      apiCommand("agent list", "Lists attested agents and their SPIFFE IDs", agentFilterFlags()));
  out.push_back(apiCommand("agent show",
                           "Shows the details of an attested agent given its SPIFFE ID",
                           {agentIdFlag("show")}));
  out.push_back(apiCommand(
      "agent purge", "Purge expired agents that were attested using a non-TOFU security model",
      {boolFlag("dryRun", "Indicates that the command will not perform any action, but will "
                          "print the agents that would be purged."),
       durationFlag("expiredFor",
                    "Amount of time that has passed since the agent's SVID has expired. It is "
                    "used to determine which agents to purge.",
                    720h)}));

  // bundle
  out.push_back(apiCommand("bundle count", "Count bundles", {}));
  out.push_back(apiCommand(
      "bundle show", "Prints server CA bundle to stdout",
      {stringFlag("format",
                  "The format to show the bundle (only pretty output format supports this "
                  "flag). Either \"pem\" or \"spiffe\".",
                  "pem")}));
  out.push_back(apiCommand(
      "bundle list", "Lists federated bundle data",
      {stringFlag("format",
                  "The format to list federated bundles (only pretty output format supports this "
                  "flag). Either \"pem\" or \"spiffe\".",
                  "pem"),
       stringFlag("id", "SPIFFE ID of the trust domain")}));
  out.push_back(apiCommand(
      "bundle set", "Creates or updates federated bundle data",
      {stringFlag("format", "The format of the bundle data. Either \"pem\" or \"spiffe\".", "pem"),
       stringFlag("id", "SPIFFE ID of the trust domain"),
       stringFlag("path", "Path to the bundle data")}));
  out.push_back(apiCommand(
      "bundle delete", "Deletes federated bundle data",
      {stringFlag("id", "SPIFFE ID of the trust domain"),
       stringFlag("mode", "Deletion mode: one of restrict, delete, or dissociate", "restrict")}));

  // entry
  out.push_back(apiCommand("entry count", "Count registration entries", entryFilterFlags("count")));
  {
    auto flags = entryWriteFlags(
        "A custom ID for this registration entry (optional). If not set, a new entry ID will be "
        "generated");
    flags.push_back(boolFlag("node",
                             "If set, this entry will be applied to matching nodes rather than "
                             "workloads"));
    out.push_back(apiCommand("entry create", "Creates registration entries", std::move(flags)));
  }
  out.push_back(apiCommand("entry update", "Updates registration entries",
                           entryWriteFlags("The Registration Entry ID of the record to update")));
  out.push_back(apiCommand(
      "entry delete", "Deletes registration entries",
      {stringFlag("entryID", "The Registration Entry ID of the record to delete."),
       stringFlag("file", "Path to a file containing a JSON structure for batch deletion "
                          "(optional). If set to '-', read from stdin.")}));
  {
    auto flags = entryFilterFlags("show");
    flags.push_back(stringFlag("entryID", "The Entry ID of the records to show"));
    out.push_back(
        apiCommand("entry show", "Displays configured registration entries", std::move(flags)));
  }

  // federation
  out.push_back(apiCommand("federation create",
                           "Creates a dynamic federation relationship with a foreign trust domain",
                           federationWriteFlags()));
  out.push_back(apiCommand("federation update",
                           "Updates a dynamic federation relationship with a foreign trust domain",
                           federationWriteFlags()));
  out.push_back(apiCommand("federation delete", "Deletes a dynamic federation relationship",
                           {stringFlag("id", "SPIFFE ID of the trust domain")}));
  out.push_back(apiCommand("federation list", "Lists all dynamic federation relationships", {}));
  out.push_back(apiCommand(
      "federation show", "Shows a dynamic federation relationship",
      {stringFlag("trustDomain", "The trust domain name of the federation relationship to show")}));
  out.push_back(apiCommand("federation refresh",
                           "Refreshes the bundle from the specified federated trust domain",
                           {stringFlag("id", "SPIFFE ID of the trust domain")}));

  // healthcheck: its own FlagSet named "health", no -output.
  {
    CommandSpec health{"healthcheck",
                       "Determines server health status",
                       "health",
                       {boolFlag("shallow", "Perform a less stringent health check"), socketFlag(),
                        boolFlag("verbose", "Print verbose information")}};
    health.help_text_empty = true;
    out.push_back(std::move(health));
  }

  // mint
  out.push_back(apiCommand(
      "jwt mint", "Mints a JWT-SVID",
      {stringListFlag("audience", "Audience claim that will be included in the SVID. Can be used "
                                  "more than once."),
       stringFlag("spiffeID", "SPIFFE ID of the JWT-SVID"),
       durationFlag("ttl", "TTL of the JWT-SVID"),
       stringFlag("write", "File to write token to instead of stdout")}));
  out.push_back(apiCommand(
      "x509 mint", "Mints an X509-SVID",
      {stringListFlag("dns", "DNS name that will be included in SVID. Can be used more than once."),
       stringFlag("spiffeID", "SPIFFE ID of the X509-SVID"),
       durationFlag("ttl", "TTL of the X509-SVID"),
       stringFlag("write", "Directory to write output to instead of stdout")}));

  // logger
  out.push_back(apiCommand("logger get", "Gets the logger details", {}));
  out.push_back(apiCommand(
      "logger set", "Sets the logger details",
      {stringFlag("level",
                  "The new log level, one of (panic, fatal, error, warn, info, debug, trace)")}));
  out.push_back(apiCommand("logger reset", "Reset the logger details", {}));

  // debug
  out.push_back(apiCommand("debug getinfo", "Get debug information", {}));

  // token
  out.push_back(apiCommand(
      "token generate", "Generates a join token",
      {stringFlag("spiffeID", "Additional SPIFFE ID to assign the token owner (optional)"),
       intFlag("ttl", "Token TTL in seconds", 600)}));

  // forced rotation
  addAuthorityCommands(out, "x509", "X.509");
  addAuthorityCommands(out, "jwt", "JWT");
  out.push_back(apiCommand(
      "upstreamauthority taint", "Taints an X.509 upstream authority",
      {stringFlag("subjectKeyID",
                  "The X.509 Subject Key Identifier (or SKID) of the authority's CA certificate "
                  "of the upstream X.509 authority to taint")}));
  out.push_back(apiCommand(
      "upstreamauthority revoke", "Revokes an X.509 upstream authority",
      {stringFlag("subjectKeyID",
                  "The X.509 Subject Key Identifier (or SKID) of the authority's CA certificate "
                  "of the X.509 upstream authority to revoke")}));

  // run / validate: no API socket client, so no adapter flags.
  const FlagSpec config_flag =
      stringFlag("config", "Path to a SPIRE config file", "conf/server/server.conf");
  const FlagSpec expand_env =
      boolFlag("expandEnv", "Expand environment variables in SPIRE config file");
  out.push_back(
      {"run",
       "Runs the server",
       "",
       {stringFlag("bindAddress", "IP address or DNS name of the SPIRE server"), config_flag,
        stringFlag("dataDir", "Directory to store runtime data to"), expand_env,
        stringFlag("logFile", "File to write logs to"), stringFlag("logFormat", "'text' or 'json'"),
        stringFlag("logLevel", "'debug', 'info', 'warn', or 'error'"),
        intFlag("serverPort", "Port number of the SPIRE server"),
        stringFlag("socketPath", "Path to bind the SPIRE Server API socket to"),
        stringFlag("trustDomain", "The trust domain that this server belongs to "
                                  "(should be no more than 255 characters)")}});
  out.push_back(
      {"validate", "Validates a SPIRE server configuration file", "", {config_flag, expand_env}});
  return out;
}

CommandRegistry makeServerRegistry(std::string version) {
  CommandRegistry registry("spire-server", std::move(version));
  for (auto& spec : serverCommandSpecs()) {
    // The table has unique paths (a test checks it), so add() cannot fail here.
    (void)registry.add(std::move(spec));
  }
  return registry;
}

} // namespace spire::cli
