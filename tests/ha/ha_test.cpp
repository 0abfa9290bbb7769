// Two spire-server processes, one trust domain, one PostgreSQL database (a fresh one per test):
// the shared bundle carries both CAs, entries written through A reach B's authorized-entries
// index (write-to-visible latency measured), and an agent attested through A keeps working
// through B after the load balancer switches and A stops.
//
// Needs $SPIRE_TEST_POSTGRES_DSN (scripts/db/with-databases.sh sets it); without it the tests
// skip, or fail when SPIRE_REQUIRE_ALL_BACKENDS=1.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "ha/ha_cluster.h"
#include "ha/switch_proxy.h"
#include "integration/support/daemons.h"
#include "integration/support/net.h"
#include "integration/support/server_api_client.h"
#include "integration/support/wait.h"
#include "spire/api/server/entry/v1/entry.grpc.pb.h"
#include "support/command.h"

namespace spire::ha {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace entryv1 = spire::api::server::entry::v1;

// How long the servers get to see each other's CA in the shared bundle (the bundle is re-read
// periodically, not on every write).
constexpr auto kBundleDeadline = 60s;
constexpr auto kVisibleDeadline = 10s;
constexpr int kLatencySamples = 20;

std::string agentIdForToken(const std::string& token) {
  return std::string("spiffe://") + kTrustDomain + "/spire/agent/join_token/" + token;
}

class HaTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::optional<std::string> dsn = postgresDsnFromEnv();
    if (!dsn) {
      if (allBackendsRequired()) {
        FAIL() << "SPIRE_TEST_POSTGRES_DSN is unset but SPIRE_REQUIRE_ALL_BACKENDS=1 "
                  "(run under scripts/db/with-databases.sh)";
      }
      GTEST_SKIP() << "SPIRE_TEST_POSTGRES_DSN is unset (run under scripts/db/with-databases.sh)";
    }
    auto db = PostgresDatabase::create(*dsn);
    ASSERT_TRUE(db.isOk()) << db.status().message();
    db_ = std::move(*db);
    // A short agent TTL so the agent renews (at half-life) within the test.
    const std::vector<std::string> extra = {"agent_ttl = \"20s\""};
    a_ = std::make_unique<HaServer>("A", db_->dsn(), extra);
    b_ = std::make_unique<HaServer>("B", db_->dsn(), extra);
    // One after the other: the first creates the schema, the second finds it migrated.
    Status a_started = a_->startAndWait(integration::kStartDeadline);
    ASSERT_TRUE(a_started.isOk()) << a_started.message();
    Status b_started = b_->startAndWait(integration::kStartDeadline);
    ASSERT_TRUE(b_started.isOk()) << b_started.message();
  }

  // The CA certificates of `server`'s `bundle show`.
  static std::vector<std::string> bundleCerts(HaServer& server) {
    integration::CommandOutput out = server.cli({"bundle", "show"});
    if (out.exitCode() != 0) {
      ADD_FAILURE() << out.describe();
      return {};
    }
    return pemCertificates(out.out);
  }

  static std::string joinPem(const std::vector<std::string>& certs) {
    std::string out;
    for (const std::string& cert : certs) {
      out += cert;
    }
    return out;
  }

  // Waits until both servers show the same bundle with two CAs; fails with what each shows.
  void expectBothCasInBothBundles() {
    std::vector<std::string> on_a;
    std::vector<std::string> on_b;
    const bool converged = integration::waitFor(
        [&] {
          on_a = bundleCerts(*a_);
          on_b = bundleCerts(*b_);
          std::sort(on_a.begin(), on_a.end());
          std::sort(on_b.begin(), on_b.end());
          return on_a.size() == 2 && on_a == on_b;
        },
        kBundleDeadline, 250ms);
    EXPECT_TRUE(converged) << "after " << kBundleDeadline.count() << " s, bundle show on A has "
                           << on_a.size() << " CA(s), on B " << on_b.size()
                           << " (want the same 2 on both)";
  }

  std::string token(HaServer& server) {
    integration::CommandOutput out = server.cli({"token", "generate"});
    std::smatch m;
    if (out.exitCode() != 0 || !std::regex_search(out.out, m, std::regex("Token: (\\S+)"))) {
      ADD_FAILURE() << out.describe();
      return "";
    }
    return m[1];
  }

  void createEntry(HaServer& server, const std::string& parent, const std::string& spiffe_id,
                   const std::string& selector) {
    integration::CommandOutput out = server.cli(
        {"entry", "create", "-parentID", parent, "-spiffeID", spiffe_id, "-selector", selector});
    ASSERT_EQ(out.exitCode(), 0) << out.describe();
  }

  std::unique_ptr<PostgresDatabase> db_;
  std::unique_ptr<HaServer> a_;
  std::unique_ptr<HaServer> b_;
};

TEST_F(HaTest, BundleOnEitherServerCarriesBothServersCas) {
  expectBothCasInBothBundles();
}

// Each server keeps its own CA: two journals (one per server, SPIRE looks its own up by the
// authority ID its KeyManager holds), and two distinct X.509 authorities.
TEST_F(HaTest, EachServerKeepsItsOwnCaJournal) {
  Result<std::string> journals = db_->query("SELECT count(*) FROM ca_journals");
  ASSERT_TRUE(journals.isOk()) << journals.status().message();
  EXPECT_EQ(*journals, "2\n") << "one ca_journals row per server expected";
  Result<std::string> authorities =
      db_->query("SELECT count(DISTINCT active_x509_authority_id) FROM ca_journals");
  ASSERT_TRUE(authorities.isOk()) << authorities.status().message();
  EXPECT_EQ(*authorities, "2\n");
}

TEST_F(HaTest, EntryWrittenThroughAIsServedByBWithinOneSecond) {
  expectBothCasInBothBundles();
  const std::string bundle = joinPem(bundleCerts(*a_));
  // A node attested through A: the parent of the entries, and the caller of B's
  // GetAuthorizedEntries (so what is measured is B's in-memory index, not a database read).
  const std::string join_token = token(*a_);
  integration::AgentSvid node = integration::attestWithJoinToken(
      integration::serverTlsChannel(a_->port(), bundle), join_token);
  ASSERT_TRUE(node.status.ok()) << integration::describe(node.status);
  ASSERT_EQ(node.spiffe_id, agentIdForToken(join_token));
  auto on_b = entryv1::Entry::NewStub(
      integration::serverTlsChannel(b_->port(), bundle, node.chain_pem, node.key_pem));
  auto authorized_on_b = [&](const std::string& spiffe_id) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 5s);
    entryv1::GetAuthorizedEntriesRequest request;
    entryv1::GetAuthorizedEntriesResponse response;
    grpc::Status status = on_b->GetAuthorizedEntries(&context, request, &response);
    EXPECT_TRUE(status.ok()) << integration::describe(status);
    return std::any_of(
        response.entries().begin(), response.entries().end(), [&](const auto& entry) {
          return "spiffe://" + entry.spiffe_id().trust_domain() + entry.spiffe_id().path() ==
                 spiffe_id;
        });
  };

  const std::string absent = std::string("spiffe://") + kTrustDomain + "/ha/never-created";
  EXPECT_FALSE(authorized_on_b(absent));

  std::vector<double> latencies_ms;
  for (int i = 0; i < kLatencySamples; ++i) {
    const std::string id =
        std::string("spiffe://") + kTrustDomain + "/ha/latency/" + std::to_string(i);
    createEntry(*a_, node.spiffe_id, id, "unix:uid:" + std::to_string(10000 + i));
    const auto written = Clock::now(); // the CLI returned: the write is committed
    ASSERT_TRUE(integration::waitFor([&] { return authorized_on_b(id); }, kVisibleDeadline, 2ms))
        << id << " created on A is not authorized on B after " << kVisibleDeadline.count() << " s\n"
        << b_->describe();
    latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - written).count());
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto percentile = [&](double p) {
    const auto at =
        static_cast<std::size_t>(p * static_cast<double>(latencies_ms.size() - 1) + 0.5);
    return latencies_ms[at];
  };
  const double p50 = percentile(0.50);
  const double p99 = percentile(0.99);
  std::printf("HA write-on-A -> authorized-on-B latency over %d samples: min %.1f ms, p50 %.1f ms, "
              "p99 %.1f ms, max %.1f ms\n",
              kLatencySamples, latencies_ms.front(), p50, p99, latencies_ms.back());
  RecordProperty("latency_p50_ms", std::to_string(p50));
  RecordProperty("latency_p99_ms", std::to_string(p99));
  EXPECT_LT(p99, 1000.0);

  // The entry listing on B (a datastore read) shows A's write as well.
  integration::CommandOutput shown = b_->cli(
      {"entry", "show", "-spiffeID", std::string("spiffe://") + kTrustDomain + "/ha/latency/0"});
  ASSERT_EQ(shown.exitCode(), 0) << shown.describe();
  EXPECT_NE(shown.out.find("Found 1 entry"), std::string::npos) << shown.out;

  // A delete through A leaves B's index too.
  const std::string deleted_id = std::string("spiffe://") + kTrustDomain + "/ha/latency/0";
  integration::CommandOutput listed = a_->cli({"entry", "show", "-spiffeID", deleted_id});
  std::smatch m;
  ASSERT_TRUE(std::regex_search(listed.out, m, std::regex("Entry ID\\s*:\\s*(\\S+)")))
      << listed.describe();
  integration::CommandOutput removed = a_->cli({"entry", "delete", "-entryID", m[1]});
  ASSERT_EQ(removed.exitCode(), 0) << removed.describe();
  EXPECT_TRUE(integration::waitFor([&] { return !authorized_on_b(deleted_id); }, kVisibleDeadline))
      << deleted_id << " deleted on A is still authorized on B";
}

// The SPIFFE ID in an SVID PEM file (its URI SAN), via the openssl CLI.
std::string svidId(const std::filesystem::path& pem) {
  testing::CommandResult out =
      testing::runCommand("openssl x509 -noout -ext subjectAltName -in " + pem.string());
  std::smatch m;
  return std::regex_search(out.output, m, std::regex("URI:(\\S+)")) ? std::string(m[1]) : "";
}

// Which of `cas` (PEM files) verifies `leaf` on its own; -1 when none does.
int signingCa(const std::vector<std::string>& cas, const std::filesystem::path& leaf) {
  for (std::size_t i = 0; i < cas.size(); ++i) {
    if (testing::runCommand("openssl verify -CAfile " + cas[i] + " " + leaf.string()).exit_code ==
        0) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

TEST_F(HaTest, AgentAttestedThroughAContinuesThroughBAfterAStops) {
  ASSERT_TRUE(testing::haveOpenSslCli());
  expectBothCasInBothBundles();
  const std::vector<std::string> cas = bundleCerts(*a_);
  ASSERT_EQ(cas.size(), 2u);

  SwitchProxy balancer(a_->port());
  ASSERT_NE(balancer.port(), 0);
  const std::string join_token = token(*a_);
  const std::string agent_id = agentIdForToken(join_token);
  integration::AgentConfigOptions options;
  options.trust_domain = kTrustDomain;
  options.server_port = balancer.port();
  options.join_token = join_token;
  integration::AgentUnderTest agent(options);
  agent.options().trust_bundle_path = agent.dir() / "bootstrap.pem";
  std::ofstream(agent.options().trust_bundle_path) << joinPem(cas);
  std::vector<std::string> ca_files;
  for (std::size_t i = 0; i < cas.size(); ++i) {
    ca_files.push_back((agent.dir() / ("ca." + std::to_string(i) + ".pem")).string());
    std::ofstream(ca_files.back()) << cas[i];
  }
  ASSERT_TRUE(agent.start().isOk());

  const std::string uid_selector = "unix:uid:" + std::to_string(::getuid());
  const std::string id_a = std::string("spiffe://") + kTrustDomain + "/ha/workload-a";
  const std::string id_b = std::string("spiffe://") + kTrustDomain + "/ha/workload-b";
  createEntry(*a_, agent_id, id_a, uid_selector);

  // The workload gets its SVID through the agent, which talks to A.
  const std::filesystem::path before = agent.dir() / "before";
  std::filesystem::create_directories(before);
  integration::CommandOutput fetched;
  ASSERT_TRUE(integration::waitFor(
      [&] {
        fetched = agent.cli({"api", "fetch", "x509", "-write", before.string()});
        return fetched.exitCode() == 0 && fetched.out.find(id_a) != std::string::npos &&
               pemCertificates(integration::readFileText(before / "bundle.0.pem")).size() == 2;
      },
      60s, 250ms))
      << "no SVID for " << id_a << " with a bundle of both CAs through A (A re-reads the shared "
      << "bundle to learn B's CA): " << fetched.describe() << "\n"
      << agent.describe();
  ASSERT_EQ(svidId(before / "svid.0.pem"), id_a);
  const int a_ca = signingCa(ca_files, before / "svid.0.pem");
  ASSERT_NE(a_ca, -1) << "the SVID from A verifies against neither CA";

  // The load balancer moves to B and A goes away.
  const std::size_t renewals_before = agent.process()->logLines("Agent SVID renewed").size();
  balancer.switchTo(b_->port());
  EXPECT_TRUE(a_->stop().success()) << a_->describe();

  // A new entry written through B reaches the workload.
  createEntry(*b_, agent_id, id_b, uid_selector);
  const std::filesystem::path after = agent.dir() / "after";
  std::filesystem::create_directories(after);
  EXPECT_TRUE(integration::waitFor(
      [&] {
        fetched = agent.cli({"api", "fetch", "x509", "-write", after.string()});
        return fetched.exitCode() == 0 && fetched.out.find(id_b) != std::string::npos;
      },
      60s, 250ms))
      << "the entry created on B never reached the workload: " << fetched.describe() << "\n"
      << agent.describe() << "\n"
      << b_->describe();

  // The agent renews its own SVID through B (agent_ttl 20s: at half-life).
  EXPECT_TRUE(integration::waitFor(
      [&] { return agent.process()->logLines("Agent SVID renewed").size() > renewals_before; }, 60s,
      250ms))
      << "no agent SVID renewal through B\n"
      << agent.describe();
  for (const std::string& renewal : agent.process()->logLines("Agent SVID renewed")) {
    std::printf("agent: %s\n", renewal.c_str());
  }

  // SVIDs of either server validate against the bundle the workload holds.
  std::filesystem::path svid_b;
  for (int i = 0; i < 4; ++i) {
    const auto path = after / ("svid." + std::to_string(i) + ".pem");
    if (std::filesystem::exists(path) && svidId(path) == id_b) {
      svid_b = path;
    }
  }
  ASSERT_FALSE(svid_b.empty()) << fetched.out;
  const int b_ca = signingCa(ca_files, svid_b);
  EXPECT_NE(b_ca, -1) << "the SVID from B verifies against neither CA";
  EXPECT_NE(a_ca, b_ca) << "both SVIDs come from one CA";
  const std::string workload_bundle = (after / "bundle.0.pem").string();
  EXPECT_EQ(pemCertificates(integration::readFileText(workload_bundle)).size(), 2u);
  for (const std::filesystem::path& leaf : {before / "svid.0.pem", svid_b}) {
    testing::CommandResult verified =
        testing::runCommand("openssl verify -CAfile " + workload_bundle + " " + leaf.string());
    EXPECT_EQ(verified.exit_code, 0) << leaf << ": " << verified.output;
  }
}

// Servers started at the same moment on an empty database: the schema migration runs once (the
// others wait on its lock and find it current), and both serve one trust domain.
TEST(HaStartTest, TwoServersStartingTogetherOnAnEmptyDatabaseBothServe) {
  std::optional<std::string> dsn = postgresDsnFromEnv();
  if (!dsn) {
    ASSERT_FALSE(allBackendsRequired()) << "SPIRE_TEST_POSTGRES_DSN is unset but "
                                           "SPIRE_REQUIRE_ALL_BACKENDS=1";
    GTEST_SKIP() << "SPIRE_TEST_POSTGRES_DSN is unset (run under scripts/db/with-databases.sh)";
  }
  auto db = PostgresDatabase::create(*dsn);
  ASSERT_TRUE(db.isOk()) << db.status().message();
  HaServer a("A", (*db)->dsn());
  HaServer b("B", (*db)->dsn());
  ASSERT_TRUE(a.start().isOk());
  ASSERT_TRUE(b.start().isOk());
  Status a_serving = a.waitServing(integration::kStartDeadline);
  Status b_serving = b.waitServing(integration::kStartDeadline);
  EXPECT_TRUE(a_serving.isOk()) << a_serving.message();
  EXPECT_TRUE(b_serving.isOk()) << b_serving.message();
  // Both wrote their CA into the one bundle row.
  EXPECT_TRUE(integration::waitFor(
      [&] {
        integration::CommandOutput out = b.cli({"bundle", "show"});
        return out.exitCode() == 0 && pemCertificates(out.out).size() == 2;
      },
      kBundleDeadline, 250ms))
      << b.cli({"bundle", "show"}).describe();
}

// The database goes away under a running server and comes back: agents the server already knows
// keep getting their authorized entries from its index, writes fail, and once the database is
// back writes succeed again without a restart.
TEST(HaDatabaseOutageTest, ServerServesKnownAgentsWhileTheDatabaseIsDownAndRecovers) {
  std::optional<std::string> dsn = postgresDsnFromEnv();
  if (!dsn) {
    ASSERT_FALSE(allBackendsRequired()) << "SPIRE_TEST_POSTGRES_DSN is unset but "
                                           "SPIRE_REQUIRE_ALL_BACKENDS=1";
    GTEST_SKIP() << "SPIRE_TEST_POSTGRES_DSN is unset (run under scripts/db/with-databases.sh)";
  }
  std::smatch port_match;
  ASSERT_TRUE(std::regex_search(*dsn, port_match, std::regex(R"((^|\s)port=(\d+))")))
      << "the test needs a host=127.0.0.1 port=N DSN: " << *dsn;
  const int db_port = std::stoi(port_match[2]);
  auto db = PostgresDatabase::create(*dsn);
  ASSERT_TRUE(db.isOk()) << db.status().message();
  // The server reaches the database through a proxy the test can point at nothing.
  SwitchProxy db_link(db_port);
  ASSERT_NE(db_link.port(), 0);
  const std::string via_proxy = std::regex_replace((*db)->dsn(), std::regex(R"((^|\s)port=\d+)"),
                                                   "$1port=" + std::to_string(db_link.port()));
  HaServer server("A", via_proxy);
  Status serving = server.startAndWait(integration::kStartDeadline);
  ASSERT_TRUE(serving.isOk()) << serving.message();

  integration::CommandOutput bundle_out = server.cli({"bundle", "show"});
  ASSERT_EQ(bundle_out.exitCode(), 0) << bundle_out.describe();
  integration::CommandOutput token_out = server.cli({"token", "generate"});
  std::smatch m;
  ASSERT_TRUE(std::regex_search(token_out.out, m, std::regex("Token: (\\S+)")))
      << token_out.describe();
  integration::AgentSvid node = integration::attestWithJoinToken(
      integration::serverTlsChannel(server.port(), bundle_out.out), m[1]);
  ASSERT_TRUE(node.status.ok()) << integration::describe(node.status);
  auto stub = entryv1::Entry::NewStub(
      integration::serverTlsChannel(server.port(), bundle_out.out, node.chain_pem, node.key_pem));
  auto authorized = [&](const std::string& spiffe_id, grpc::Status* status) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    entryv1::GetAuthorizedEntriesResponse response;
    *status =
        stub->GetAuthorizedEntries(&context, entryv1::GetAuthorizedEntriesRequest(), &response);
    return std::any_of(
        response.entries().begin(), response.entries().end(), [&](const auto& entry) {
          return "spiffe://" + entry.spiffe_id().trust_domain() + entry.spiffe_id().path() ==
                 spiffe_id;
        });
  };
  const std::string before_id = std::string("spiffe://") + kTrustDomain + "/ha/before-outage";
  const std::string after_id = std::string("spiffe://") + kTrustDomain + "/ha/after-outage";
  auto create = [&](const std::string& id) {
    return server.cli({"entry", "create", "-parentID", node.spiffe_id, "-spiffeID", id, "-selector",
                       "unix:uid:4242"});
  };
  integration::CommandOutput created = create(before_id);
  ASSERT_EQ(created.exitCode(), 0) << created.describe();
  grpc::Status status;
  ASSERT_TRUE(authorized(before_id, &status)) << integration::describe(status);

  // The database is gone: open connections drop, new ones are refused.
  db_link.switchTo(integration::freeTcpPort());
  EXPECT_TRUE(authorized(before_id, &status))
      << "a known agent lost its authorized entries while the database is down: "
      << integration::describe(status);
  EXPECT_TRUE(status.ok()) << integration::describe(status);
  integration::CommandOutput refused = create(after_id);
  EXPECT_NE(refused.exitCode(), 0) << refused.describe();
  std::printf("entry create with the database down: exit %d: %s", refused.exitCode(),
              refused.err.c_str());

  // The database is back: the same server takes writes again.
  db_link.switchTo(db_port);
  integration::CommandOutput recovered;
  EXPECT_TRUE(integration::waitFor(
      [&] {
        recovered = create(after_id);
        return recovered.exitCode() == 0;
      },
      30s, 250ms))
      << "the server did not recover: " << recovered.describe() << "\n"
      << server.describe();
  EXPECT_TRUE(integration::waitFor([&] { return authorized(after_id, &status); }, 10s))
      << integration::describe(status);
}

} // namespace
} // namespace spire::ha
