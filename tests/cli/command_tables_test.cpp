// The spire-server and spire-agent command tables against inventory §6 and SPIRE's own usage
// texts (its cmd/*/cli/*_test.go expectations).
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "cli/spire_commands.h"

namespace spire::cli {
namespace {

const CommandSpec* findSpec(const std::vector<CommandSpec>& specs, const std::string& path) {
  for (const auto& spec : specs) {
    if (spec.path == path) {
      return &spec;
    }
  }
  return nullptr;
}

const FlagSpec* findFlag(const CommandSpec& spec, const std::string& name) {
  for (const auto& flag : spec.flags) {
    if (flag.name == name) {
      return &flag;
    }
  }
  return nullptr;
}

std::string usageOf(const std::vector<CommandSpec>& specs, const std::string& path) {
  const auto* spec = findSpec(specs, path);
  EXPECT_NE(spec, nullptr) << path;
  if (spec == nullptr) {
    return {};
  }
  return FlagSet(spec->flag_set_name.empty() ? spec->path : spec->flag_set_name, spec->flags)
      .usage();
}

struct FlagRow {
  const char* program; // "server" or "agent"
  const char* path;
  const char* flag;
  FlagKind kind;
  const char* default_text; // Go's Value.String() of the default
};

// One row per flag named in inventory §6.1/§6.2 (plus the common -socketPath/-output).
const FlagRow kRows[] = {
    {"server", "run", "config", FlagKind::kString, "conf/server/server.conf"},
    {"server", "run", "bindAddress", FlagKind::kString, ""},
    {"server", "run", "serverPort", FlagKind::kInt, "0"},
    {"server", "run", "socketPath", FlagKind::kString, ""},
    {"server", "run", "trustDomain", FlagKind::kString, ""},
    {"server", "run", "dataDir", FlagKind::kString, ""},
    {"server", "run", "logFile", FlagKind::kString, ""},
    {"server", "run", "logFormat", FlagKind::kString, ""},
    {"server", "run", "logLevel", FlagKind::kString, ""},
    {"server", "run", "expandEnv", FlagKind::kBool, "false"},
    {"server", "validate", "config", FlagKind::kString, "conf/server/server.conf"},
    {"server", "validate", "expandEnv", FlagKind::kBool, "false"},
    {"server", "healthcheck", "shallow", FlagKind::kBool, "false"},
    {"server", "healthcheck", "verbose", FlagKind::kBool, "false"},
    {"server", "healthcheck", "socketPath", FlagKind::kString, kServerSocketPath},
    {"server", "token generate", "ttl", FlagKind::kInt, "600"},
    {"server", "token generate", "spiffeID", FlagKind::kString, ""},
    {"server", "token generate", "socketPath", FlagKind::kString, kServerSocketPath},
    {"server", "token generate", "output", FlagKind::kOutputFormat, "pretty"},
    {"server", "entry create", "spiffeID", FlagKind::kString, ""},
    {"server", "entry create", "parentID", FlagKind::kString, ""},
    {"server", "entry create", "node", FlagKind::kBool, "false"},
    {"server", "entry create", "selector", FlagKind::kStringList, "[]"},
    {"server", "entry create", "x509SVIDTTL", FlagKind::kInt, "0"},
    {"server", "entry create", "jwtSVIDTTL", FlagKind::kInt, "0"},
    {"server", "entry create", "federatesWith", FlagKind::kStringList, "[]"},
    {"server", "entry create", "admin", FlagKind::kBool, "false"},
    {"server", "entry create", "downstream", FlagKind::kBool, "false"},
    {"server", "entry create", "dns", FlagKind::kStringList, "[]"},
    {"server", "entry create", "entryExpiry", FlagKind::kInt64, "0"},
    {"server", "entry create", "entryID", FlagKind::kString, ""},
    {"server", "entry create", "hint", FlagKind::kString, ""},
    {"server", "entry create", "storeSVID", FlagKind::kBool, "false"},
    {"server", "entry create", "disableX509SVIDPrefetch", FlagKind::kBool, "false"},
    {"server", "entry create", "jwtSVIDIncludeJTI", FlagKind::kBool, "false"},
    {"server", "entry create", "data", FlagKind::kString, ""},
    {"server", "entry create", "output", FlagKind::kOutputFormat, "pretty"},
    {"server", "entry update", "entryID", FlagKind::kString, ""},
    {"server", "entry update", "selector", FlagKind::kStringList, "[]"},
    {"server", "entry update", "data", FlagKind::kString, ""},
    {"server", "entry delete", "entryID", FlagKind::kString, ""},
    {"server", "entry delete", "file", FlagKind::kString, ""},
    {"server", "entry show", "entryID", FlagKind::kString, ""},
    {"server", "entry show", "spiffeID", FlagKind::kString, ""},
    {"server", "entry show", "parentID", FlagKind::kString, ""},
    {"server", "entry show", "selector", FlagKind::kStringList, "[]"},
    {"server", "entry show", "federatesWith", FlagKind::kStringList, "[]"},
    {"server", "entry show", "downstream", FlagKind::kBool, "false"},
    {"server", "entry show", "hint", FlagKind::kString, ""},
    {"server", "entry show", "matchSelectorsOn", FlagKind::kString, "superset"},
    {"server", "entry show", "matchFederatesWithOn", FlagKind::kString, "superset"},
    {"server", "entry count", "matchSelectorsOn", FlagKind::kString, "superset"},
    {"server", "entry count", "selector", FlagKind::kStringList, "[]"},
    {"server", "agent list", "selector", FlagKind::kStringList, "[]"},
    {"server", "agent list", "matchSelectorsOn", FlagKind::kString, "superset"},
    {"server", "agent list", "attestationType", FlagKind::kString, ""},
    {"server", "agent list", "canReattest", FlagKind::kString, ""},
    {"server", "agent list", "banned", FlagKind::kString, ""},
    {"server", "agent list", "expiresBefore", FlagKind::kString, ""},
    {"server", "agent count", "banned", FlagKind::kString, ""},
    {"server", "agent show", "spiffeID", FlagKind::kString, ""},
    {"server", "agent ban", "spiffeID", FlagKind::kString, ""},
    {"server", "agent evict", "spiffeID", FlagKind::kString, ""},
    {"server", "agent purge", "expiredFor", FlagKind::kDuration, "720h0m0s"},
    {"server", "agent purge", "dryRun", FlagKind::kBool, "false"},
    {"server", "bundle show", "format", FlagKind::kString, "pem"},
    {"server", "bundle list", "id", FlagKind::kString, ""},
    {"server", "bundle list", "format", FlagKind::kString, "pem"},
    {"server", "bundle set", "id", FlagKind::kString, ""},
    {"server", "bundle set", "path", FlagKind::kString, ""},
    {"server", "bundle set", "format", FlagKind::kString, "pem"},
    {"server", "bundle delete", "id", FlagKind::kString, ""},
    {"server", "bundle delete", "mode", FlagKind::kString, "restrict"},
    {"server", "bundle count", "socketPath", FlagKind::kString, kServerSocketPath},
    {"server", "federation create", "trustDomain", FlagKind::kString, ""},
    {"server", "federation create", "bundleEndpointURL", FlagKind::kString, ""},
    {"server", "federation create", "bundleEndpointProfile", FlagKind::kString, ""},
    {"server", "federation create", "endpointSpiffeID", FlagKind::kString, ""},
    {"server", "federation create", "trustDomainBundlePath", FlagKind::kString, ""},
    {"server", "federation create", "trustDomainBundleFormat", FlagKind::kString, "pem"},
    {"server", "federation create", "data", FlagKind::kString, ""},
    {"server", "federation update", "trustDomain", FlagKind::kString, ""},
    {"server", "federation delete", "id", FlagKind::kString, ""},
    {"server", "federation list", "output", FlagKind::kOutputFormat, "pretty"},
    {"server", "federation show", "trustDomain", FlagKind::kString, ""},
    {"server", "federation refresh", "id", FlagKind::kString, ""},
    {"server", "x509 mint", "spiffeID", FlagKind::kString, ""},
    {"server", "x509 mint", "dns", FlagKind::kStringList, "[]"},
    {"server", "x509 mint", "ttl", FlagKind::kDuration, "0s"},
    {"server", "x509 mint", "write", FlagKind::kString, ""},
    {"server", "jwt mint", "spiffeID", FlagKind::kString, ""},
    {"server", "jwt mint", "audience", FlagKind::kStringList, "[]"},
    {"server", "jwt mint", "ttl", FlagKind::kDuration, "0s"},
    {"server", "jwt mint", "write", FlagKind::kString, ""},
    {"server", "localauthority x509 show", "socketPath", FlagKind::kString, kServerSocketPath},
    {"server", "localauthority x509 prepare", "output", FlagKind::kOutputFormat, "pretty"},
    {"server", "localauthority x509 activate", "authorityID", FlagKind::kString, ""},
    {"server", "localauthority x509 taint", "authorityID", FlagKind::kString, ""},
    {"server", "localauthority x509 revoke", "authorityID", FlagKind::kString, ""},
    {"server", "localauthority jwt show", "socketPath", FlagKind::kString, kServerSocketPath},
    {"server", "localauthority jwt prepare", "output", FlagKind::kOutputFormat, "pretty"},
    {"server", "localauthority jwt activate", "authorityID", FlagKind::kString, ""},
    {"server", "localauthority jwt taint", "authorityID", FlagKind::kString, ""},
    {"server", "localauthority jwt revoke", "authorityID", FlagKind::kString, ""},
    {"server", "upstreamauthority taint", "subjectKeyID", FlagKind::kString, ""},
    {"server", "upstreamauthority revoke", "subjectKeyID", FlagKind::kString, ""},
    {"server", "logger get", "socketPath", FlagKind::kString, kServerSocketPath},
    {"server", "logger set", "level", FlagKind::kString, ""},
    {"server", "logger reset", "output", FlagKind::kOutputFormat, "pretty"},
    {"server", "debug getinfo", "socketPath", FlagKind::kString, kServerSocketPath},
    {"agent", "run", "config", FlagKind::kString, "conf/agent/agent.conf"},
    {"agent", "run", "dataDir", FlagKind::kString, ""},
    {"agent", "run", "joinToken", FlagKind::kString, ""},
    {"agent", "run", "joinTokenFile", FlagKind::kString, ""},
    {"agent", "run", "serverAddress", FlagKind::kString, ""},
    {"agent", "run", "serverPort", FlagKind::kInt, "0"},
    {"agent", "run", "socketPath", FlagKind::kString, ""},
    {"agent", "run", "trustBundle", FlagKind::kString, ""},
    {"agent", "run", "trustBundleUrl", FlagKind::kString, ""},
    {"agent", "run", "trustDomain", FlagKind::kString, ""},
    {"agent", "run", "allowUnauthenticatedVerifiers", FlagKind::kBool, "false"},
    {"agent", "run", "disableWorkloadAPI", FlagKind::kBool, "false"},
    {"agent", "run", "disableSDSAPI", FlagKind::kBool, "false"},
    {"agent", "run", "logFile", FlagKind::kString, ""},
    {"agent", "run", "logFormat", FlagKind::kString, ""},
    {"agent", "run", "logLevel", FlagKind::kString, ""},
    {"agent", "run", "expandEnv", FlagKind::kBool, "false"},
    {"agent", "validate", "config", FlagKind::kString, "conf/agent/agent.conf"},
    {"agent", "validate", "expandEnv", FlagKind::kBool, "false"},
    {"agent", "healthcheck", "shallow", FlagKind::kBool, "false"},
    {"agent", "healthcheck", "verbose", FlagKind::kBool, "false"},
    {"agent", "healthcheck", "socketPath", FlagKind::kString, kAgentPublicSocketPath},
    {"agent", "api fetch", "write", FlagKind::kString, ""},
    {"agent", "api fetch", "silent", FlagKind::kBool, "false"},
    {"agent", "api fetch", "timeout", FlagKind::kDuration, "5s"},
    {"agent", "api fetch x509", "write", FlagKind::kString, ""},
    {"agent", "api fetch x509", "socketPath", FlagKind::kString, kAgentPublicSocketPath},
    {"agent", "api fetch jwt", "audience", FlagKind::kStringList, "[]"},
    {"agent", "api fetch jwt", "spiffeID", FlagKind::kString, ""},
    {"agent", "api fetch jwt", "timeout", FlagKind::kDuration, "5s"},
    {"agent", "api validate jwt", "audience", FlagKind::kString, ""},
    {"agent", "api validate jwt", "svid", FlagKind::kString, ""},
    {"agent", "api watch", "socketPath", FlagKind::kString, kAgentPublicSocketPath},
    {"agent", "logger get", "socketPath", FlagKind::kString, kAgentAdminSocketPath},
    {"agent", "logger set", "level", FlagKind::kString, ""},
    {"agent", "logger reset", "output", FlagKind::kOutputFormat, "pretty"},
    {"agent", "debug getinfo", "socketPath", FlagKind::kString, kAgentAdminSocketPath},
};

TEST(CommandTablesTest, EveryInventoryFlagIsDeclaredWithItsDefault) {
  const auto server = serverCommandSpecs();
  const auto agent = agentCommandSpecs();
  for (const auto& row : kRows) {
    const auto& specs = std::string(row.program) == "server" ? server : agent;
    const auto* spec = findSpec(specs, row.path);
    ASSERT_NE(spec, nullptr) << row.program << " " << row.path;
    const auto* flag = findFlag(*spec, row.flag);
    ASSERT_NE(flag, nullptr) << row.path << " -" << row.flag;
    EXPECT_EQ(flag->kind, row.kind) << row.path << " -" << row.flag;
    EXPECT_EQ(defaultText(*flag), row.default_text) << row.path << " -" << row.flag;
    EXPECT_FALSE(flag->usage.empty()) << row.path << " -" << row.flag;
  }
}

TEST(CommandTablesTest, CommandSetsAreExactlySpires) {
  std::set<std::string> server_paths;
  for (const auto& spec : serverCommandSpecs()) {
    EXPECT_TRUE(server_paths.insert(spec.path).second) << "duplicate " << spec.path;
    EXPECT_FALSE(spec.synopsis.empty()) << spec.path;
  }
  const std::set<std::string> expected_server = {"agent ban",
                                                 "agent count",
                                                 "agent evict",
                                                 "agent list",
                                                 "agent purge",
                                                 "agent show",
                                                 "bundle count",
                                                 "bundle delete",
                                                 "bundle list",
                                                 "bundle set",
                                                 "bundle show",
                                                 "debug getinfo",
                                                 "entry count",
                                                 "entry create",
                                                 "entry delete",
                                                 "entry show",
                                                 "entry update",
                                                 "federation create",
                                                 "federation delete",
                                                 "federation list",
                                                 "federation refresh",
                                                 "federation show",
                                                 "federation update",
                                                 "healthcheck",
                                                 "jwt mint",
                                                 "localauthority jwt activate",
                                                 "localauthority jwt prepare",
                                                 "localauthority jwt revoke",
                                                 "localauthority jwt show",
                                                 "localauthority jwt taint",
                                                 "localauthority x509 activate",
                                                 "localauthority x509 prepare",
                                                 "localauthority x509 revoke",
                                                 "localauthority x509 show",
                                                 "localauthority x509 taint",
                                                 "logger get",
                                                 "logger reset",
                                                 "logger set",
                                                 "run",
                                                 "token generate",
                                                 "upstreamauthority revoke",
                                                 "upstreamauthority taint",
                                                 "validate",
                                                 "x509 mint"};
  EXPECT_EQ(server_paths, expected_server);

  std::set<std::string> agent_paths;
  for (const auto& spec : agentCommandSpecs()) {
    EXPECT_TRUE(agent_paths.insert(spec.path).second) << "duplicate " << spec.path;
  }
  const std::set<std::string> expected_agent = {
      "api fetch",     "api fetch jwt", "api fetch x509", "api validate jwt", "api watch",
      "debug getinfo", "healthcheck",   "logger get",     "logger reset",     "logger set",
      "run",           "validate"};
  EXPECT_EQ(agent_paths, expected_agent);
}

TEST(CommandTablesTest, ServerApiCommandsShareSocketAndOutputFlags) {
  for (const auto& spec : serverCommandSpecs()) {
    if (spec.path == "run" || spec.path == "validate") {
      continue;
    }
    const auto* socket = findFlag(spec, "socketPath");
    ASSERT_NE(socket, nullptr) << spec.path;
    EXPECT_EQ(defaultText(*socket), kServerSocketPath) << spec.path;
    if (spec.path != "healthcheck") {
      EXPECT_NE(findFlag(spec, "output"), nullptr) << spec.path;
    }
  }
}

// SPIRE's expected help texts (cmd/spire-server/cli/*/..._test.go, non-Windows).
TEST(CommandTablesTest, ServerUsageTextsMatchSpire) {
  const auto specs = serverCommandSpecs();
  EXPECT_EQ(usageOf(specs, "agent purge"),
            "Usage of agent purge:\n"
            "  -dryRun\n"
            "    \tIndicates that the command will not perform any action, but will print the "
            "agents that would be purged.\n"
            "  -expiredFor duration\n"
            "    \tAmount of time that has passed since the agent's SVID has expired. It is used "
            "to determine which agents to purge. (default 720h0m0s)\n"
            "  -output value\n"
            "    \tDesired output format (pretty, json); default: pretty.\n"
            "  -socketPath string\n"
            "    \tPath to the SPIRE Server API socket (default "
            "\"/tmp/spire-server/private/api.sock\")\n");
  EXPECT_EQ(usageOf(specs, "agent list"),
            "Usage of agent list:\n"
            "  -attestationType string\n"
            "    \tFilter by attestation type, like join_token or x509pop.\n"
            "  -banned value\n"
            "    \tFilter based on string received, 'true': banned agents, 'false': not banned "
            "agents, other value will return all.\n"
            "  -canReattest value\n"
            "    \tFilter based on string received, 'true': agents that can reattest, 'false': "
            "agents that can't reattest, other value will return all.\n"
            "  -expiresBefore string\n"
            "    \tFilter by expiration time (format: \"2006-01-02 15:04:05 -0700 -07\")\n"
            "  -matchSelectorsOn string\n"
            "    \tThe match mode used when filtering by selectors. Options: exact, any, superset "
            "and subset (default \"superset\")\n"
            "  -output value\n"
            "    \tDesired output format (pretty, json); default: pretty.\n"
            "  -selector value\n"
            "    \tA colon-delimited type:value selector. Can be used more than once\n"
            "  -socketPath string\n"
            "    \tPath to the SPIRE Server API socket (default "
            "\"/tmp/spire-server/private/api.sock\")\n");
  EXPECT_EQ(usageOf(specs, "entry delete"),
            "Usage of entry delete:\n"
            "  -entryID string\n"
            "    \tThe Registration Entry ID of the record to delete.\n"
            "  -file string\n"
            "    \tPath to a file containing a JSON structure for batch deletion (optional). If "
            "set to '-', read from stdin.\n"
            "  -output value\n"
            "    \tDesired output format (pretty, json); default: pretty.\n"
            "  -socketPath string\n"
            "    \tPath to the SPIRE Server API socket (default "
            "\"/tmp/spire-server/private/api.sock\")\n");
  EXPECT_EQ(usageOf(specs, "bundle delete"),
            "Usage of bundle delete:\n"
            "  -id string\n"
            "    \tSPIFFE ID of the trust domain\n"
            "  -mode string\n"
            "    \tDeletion mode: one of restrict, delete, or dissociate (default \"restrict\")\n"
            "  -output value\n"
            "    \tDesired output format (pretty, json); default: pretty.\n"
            "  -socketPath string\n"
            "    \tPath to the SPIRE Server API socket (default "
            "\"/tmp/spire-server/private/api.sock\")\n");
  EXPECT_EQ(usageOf(specs, "federation show"),
            "Usage of federation show:\n"
            "  -output value\n"
            "    \tDesired output format (pretty, json); default: pretty.\n"
            "  -socketPath string\n"
            "    \tPath to the SPIRE Server API socket (default "
            "\"/tmp/spire-server/private/api.sock\")\n"
            "  -trustDomain string\n"
            "    \tThe trust domain name of the federation relationship to show\n");
  EXPECT_EQ(usageOf(specs, "x509 mint"),
            "Usage of x509 mint:\n"
            "  -dns value\n"
            "    \tDNS name that will be included in SVID. Can be used more than once.\n"
            "  -output value\n"
            "    \tDesired output format (pretty, json); default: pretty.\n"
            "  -socketPath string\n"
            "    \tPath to the SPIRE Server API socket (default "
            "\"/tmp/spire-server/private/api.sock\")\n"
            "  -spiffeID string\n"
            "    \tSPIFFE ID of the X509-SVID\n"
            "  -ttl duration\n"
            "    \tTTL of the X509-SVID\n"
            "  -write string\n"
            "    \tDirectory to write output to instead of stdout\n");
  EXPECT_EQ(usageOf(specs, "healthcheck"), "Usage of health:\n"
                                           "  -shallow\n"
                                           "    \tPerform a less stringent health check\n"
                                           "  -socketPath string\n"
                                           "    \tPath to the SPIRE Server API socket (default "
                                           "\"/tmp/spire-server/private/api.sock\")\n"
                                           "  -verbose\n"
                                           "    \tPrint verbose information\n");
}

TEST(CommandTablesTest, AgentUsageTextsMatchSpire) {
  const auto specs = agentCommandSpecs();
  const std::string fetch_x509 =
      "Usage of fetch x509:\n"
      "  -output value\n"
      "    \tDesired output format (pretty, json); default: pretty.\n"
      "  -silent\n"
      "    \tSuppress stdout\n"
      "  -socketPath string\n"
      "    \tPath to the SPIRE Agent API Unix domain socket (default "
      "\"/tmp/spire-agent/public/api.sock\")\n"
      "  -timeout value\n"
      "    \tTime to wait for a response (default 5s)\n"
      "  -write string\n"
      "    \tWrite SVID data to the specified path (optional; only available for pretty output "
      "format)\n";
  EXPECT_EQ(usageOf(specs, "api fetch x509"), fetch_x509);
  EXPECT_EQ(usageOf(specs, "api fetch"), fetch_x509);
  EXPECT_EQ(usageOf(specs, "api fetch jwt"),
            "Usage of fetch jwt:\n"
            "  -audience value\n"
            "    \tcomma separated list of audience values\n"
            "  -format value\n"
            "    \tdeprecated; use -output\n"
            "  -output value\n"
            "    \tDesired output format (pretty, json); default: pretty.\n"
            "  -socketPath string\n"
            "    \tPath to the SPIRE Agent API Unix domain socket (default "
            "\"/tmp/spire-agent/public/api.sock\")\n"
            "  -spiffeID string\n"
            "    \tSPIFFE ID subject (optional)\n"
            "  -timeout value\n"
            "    \tTime to wait for a response (default 5s)\n");
  EXPECT_EQ(usageOf(specs, "api validate jwt"),
            "Usage of validate jwt:\n"
            "  -audience string\n"
            "    \texpected audience value\n"
            "  -output value\n"
            "    \tDesired output format (pretty, json); default: pretty.\n"
            "  -socketPath string\n"
            "    \tPath to the SPIRE Agent API Unix domain socket (default "
            "\"/tmp/spire-agent/public/api.sock\")\n"
            "  -svid string\n"
            "    \tJWT SVID\n"
            "  -timeout value\n"
            "    \tTime to wait for a response (default 5s)\n");
  EXPECT_EQ(usageOf(specs, "healthcheck"), "Usage of health:\n"
                                           "  -shallow\n"
                                           "    \tPerform a less stringent health check\n"
                                           "  -socketPath string\n"
                                           "    \tPath to the SPIRE Agent API socket (default "
                                           "\"/tmp/spire-agent/public/api.sock\")\n"
                                           "  -verbose\n"
                                           "    \tPrint verbose information\n");
  EXPECT_EQ(usageOf(specs, "logger set"),
            "Usage of logger set:\n"
            "  -level string\n"
            "    \tThe new log level, one of (panic, fatal, error, warn, info, debug, trace)\n"
            "  -output value\n"
            "    \tDesired output format (pretty, json); default: pretty.\n"
            "  -socketPath string\n"
            "    \tPath to the SPIRE Agent Admin API socket (default "
            "\"/tmp/spire-agent/private/admin.sock\")\n");
  EXPECT_EQ(usageOf(specs, "debug getinfo"),
            "Usage of debug getinfo:\n"
            "  -output value\n"
            "    \tDesired output format (pretty, json); default: pretty.\n"
            "  -socketPath string\n"
            "    \tPath to the SPIRE Agent admin API Unix domain socket (default "
            "\"/tmp/spire-agent/private/admin.sock\")\n");
}

TEST(CommandTablesTest, RegistriesDispatchTheTables) {
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  Env env{in, out, err};
  auto server = makeServerRegistry("1.16.0");
  bool ran = false;
  ASSERT_TRUE(server
                  .setRun("token generate",
                          [&](const ParsedFlags& flags, Env& e) {
                            ran = true;
                            EXPECT_EQ(flags.getInt("ttl"), 600);
                            EXPECT_EQ(flags.getString("socketPath"), kServerSocketPath);
                            e.out << "Token: t\n";
                            return Status::ok();
                          })
                  .isOk());
  EXPECT_EQ(server.run({"token", "generate"}, env), 0);
  EXPECT_TRUE(ran);
  EXPECT_EQ(out.str(), "Token: t\n");
  EXPECT_EQ(server.run({"entry", "create", "-ttl", "abc"}, env), 1);
  EXPECT_EQ(err.str().substr(0, err.str().find('\n')), "flag provided but not defined: -ttl");

  auto agent = makeAgentRegistry("1.16.0");
  std::ostringstream agent_err;
  Env agent_env{in, out, agent_err};
  EXPECT_EQ(agent.run({"api", "fetch", "jwt", "-audience", "a,b", "-timeout", "x"}, agent_env), 1);
  EXPECT_EQ(agent_err.str().substr(0, agent_err.str().find('\n')),
            "invalid value \"x\" for flag -timeout: parse error");
  EXPECT_EQ(agent.run({"api", "fetch", "x509"}, agent_env), 1); // no run attached yet
  EXPECT_NE(agent_err.str().find("Error: not implemented yet\n"), std::string::npos);
}

TEST(CommandTablesTest, HealthcheckHelpEndsWithEmptyHelpText) {
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  Env env{in, out, err};
  auto agent = makeAgentRegistry("1.16.0");
  EXPECT_EQ(agent.run({"healthcheck", "-h"}, env), 0);
  // SPIRE's healthcheck Help() returns "", so only the usage and a newline appear.
  EXPECT_EQ(err.str(), usageOf(agentCommandSpecs(), "healthcheck") + "\n");
}

TEST(CommandTablesTest, ApiFetchHelpListsItsSubcommands) {
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  Env env{in, out, err};
  auto agent = makeAgentRegistry("1.16.0");
  EXPECT_EQ(agent.run({"api", "fetch", "--help"}, env), 0);
  const std::string text = err.str();
  const std::string tail = "flag: help requested\n\n"
                           "Subcommands:\n"
                           "    jwt     Fetches a JWT SVID from the Workload API\n"
                           "    x509    Fetches x509 SVIDs from the Workload API\n";
  ASSERT_GE(text.size(), tail.size());
  EXPECT_EQ(text.substr(text.size() - tail.size()), tail);
}

TEST(CommandTablesTest, ServerTopLevelListing) {
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  Env env{in, out, err};
  auto server = makeServerRegistry("1.16.0");
  EXPECT_EQ(server.run({"bogus"}, env), 127);
  EXPECT_EQ(err.str(), "Usage: spire-server [--version] [--help] <command> [<args>]\n\n"
                       "Available commands are:\n"
                       "    agent                \n"
                       "    bundle               \n"
                       "    debug                \n"
                       "    entry                \n"
                       "    federation           \n"
                       "    healthcheck          Determines server health status\n"
                       "    jwt                  \n"
                       "    localauthority       \n"
                       "    logger               \n"
                       "    run                  Runs the server\n"
                       "    token                \n"
                       "    upstreamauthority    \n"
                       "    validate             Validates a SPIRE server configuration file\n"
                       "    x509                 \n"
                       "\n");
}

} // namespace
} // namespace spire::cli
