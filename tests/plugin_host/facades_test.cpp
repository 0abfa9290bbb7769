// The daemon-side facades, exercised through the good fixture of each plugin type.

#include <condition_variable>
#include <mutex>
#include <sstream>
#include <thread>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <gtest/gtest.h>

#include "plugin_abi/plugin_fixtures.h"
#include "plugin_host/datastore.h"
#include "plugin_host/key_manager.h"
#include "plugin_host/node_attestor.h"
#include "plugin_host/upstream_authority.h"
#include "plugin_host/workload_attestor.h"

namespace spire::plugin_host {
namespace {

using spire::testing::externalSpec;
using spire::testing::fixturePath;
using spire::testing::loaderOptions;

LoadedPluginPtr mustLoad(const config::PluginSpec& spec, const LoaderOptions& options) {
  Result<LoadedPluginPtr> loaded = loadPlugin(spec, options);
  EXPECT_TRUE(loaded.isOk()) << loaded.status().toString();
  return loaded.isOk() ? *loaded : nullptr;
}

Bytes bytes(const std::string& s) {
  return Bytes(s.begin(), s.end());
}
std::string text(const Bytes& b) {
  return std::string(b.begin(), b.end());
}

// ---- WorkloadAttestors ----

WorkloadAttestorPlugin workloadAttestor(const std::string& name, const std::string& fixture) {
  return WorkloadAttestorPlugin(
      mustLoad(externalSpec("WorkloadAttestor", name, fixturePath("workload_attestor", fixture)),
               loaderOptions(Role::kAgent)));
}

TEST(WorkloadAttestorsTest, MergesSelectorsInConfigurationOrder) {
  WorkloadAttestors all({workloadAttestor("a", "fx_good"), workloadAttestor("b", "fx_throwing")},
                        nullptr);
  Result<std::vector<Selector>> selectors = all.attestAll(9);
  ASSERT_TRUE(selectors.isOk()) << selectors.status().toString();
  EXPECT_EQ(*selectors,
            (std::vector<Selector>{{"a", "pid:9"}, {"a", "td:example.org"}, {"b", "ok:9"}}));
}

TEST(WorkloadAttestorsTest, FailingAttestorIsSkipped) {
  WorkloadAttestors all({workloadAttestor("a", "fx_good"), workloadAttestor("b", "fx_throwing")},
                        nullptr);
  Result<std::vector<Selector>> selectors = all.attestAll(1); // fx_throwing throws for pid 1
  ASSERT_TRUE(selectors.isOk()) << selectors.status().toString();
  EXPECT_EQ(*selectors, (std::vector<Selector>{{"a", "pid:1"}, {"a", "td:example.org"}}));
}

TEST(WorkloadAttestorsTest, ErrorWhenEveryAttestorFails) {
  WorkloadAttestors all({workloadAttestor("a", "fx_good"), workloadAttestor("b", "fx_good")},
                        nullptr);
  Result<std::vector<Selector>> selectors = all.attestAll(-1);
  EXPECT_EQ(selectors.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(selectors.status().message(), "workload attestation failed: every attestor failed; "
                                          "last: WorkloadAttestor \"b\": no such process");
}

TEST(WorkloadAttestorsTest, SerializedPluginNeverRunsTwoCallsAtOnce) {
  WorkloadAttestorPlugin serial = workloadAttestor("fx_serial", "fx_serial");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        EXPECT_TRUE(serial.attest(i).isOk());
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  Result<std::vector<Selector>> last = serial.attest(0);
  ASSERT_TRUE(last.isOk());
  EXPECT_EQ(*last, (std::vector<Selector>{{"fx_serial", "max_concurrent:1"}}));
}

// ---- NodeAttestor, both sides ----

class NodeAttestorTest : public ::testing::Test {
protected:
  void SetUp() override {
    agent_ = std::make_unique<AgentNodeAttestorPlugin>(
        mustLoad(externalSpec("NodeAttestor", "fx_node", fixturePath("node_attestor", "fx_node"),
                              R"({"node_name": "n1"})"),
                 loaderOptions(Role::kAgent)));
  }

  ServerNodeAttestorPlugin server(AgentStoreLookup store) {
    LoaderOptions options = loaderOptions(Role::kServer);
    options.agent_store = std::move(store);
    return ServerNodeAttestorPlugin(mustLoad(
        externalSpec("NodeAttestor", "fx_node", fixturePath("node_attestor", "fx_node")), options));
  }

  // Runs a full attestation: agent payload, server challenges relayed to the agent session.
  Result<ServerAttestStep> attest(const ServerNodeAttestorPlugin& server) {
    Result<std::unique_ptr<AgentAttestSession>> session = agent_->begin();
    if (!session.isOk()) {
      return session.status();
    }
    AgentAttestSession& s = **session;
    return server.attest(s.payload(), [&](const Bytes& challenge) { return s.answer(challenge); });
  }

  std::unique_ptr<AgentNodeAttestorPlugin> agent_;
};

const std::string kAgentId = "spiffe://example.org/spire/agent/fx_node/n1";

TEST_F(NodeAttestorTest, ChallengeResponseAttestation) {
  ServerNodeAttestorPlugin srv = server([](std::string_view) -> Result<std::optional<AgentInfo>> {
    return std::optional<AgentInfo>();
  });
  Result<ServerAttestStep> result = attest(srv);
  ASSERT_TRUE(result.isOk()) << result.status().toString();
  EXPECT_TRUE(result->done());
  EXPECT_EQ(result->attributes.spiffe_id, kAgentId);
  EXPECT_TRUE(result->attributes.can_reattest);
  EXPECT_EQ(result->selectors,
            (std::vector<Selector>{{"fx_node", "name:n1"}, {"fx_node", "seen:never"}}));
}

TEST_F(NodeAttestorTest, AgentStoreHostServiceIsConsulted) {
  std::string looked_up;
  ServerNodeAttestorPlugin srv =
      server([&](std::string_view id) -> Result<std::optional<AgentInfo>> {
        looked_up = std::string(id);
        AgentInfo info;
        info.agent_id = std::string(id);
        info.node_attestor_type = "fx_node";
        return std::optional<AgentInfo>(info);
      });
  Result<ServerAttestStep> result = attest(srv);
  ASSERT_TRUE(result.isOk()) << result.status().toString();
  EXPECT_EQ(looked_up, kAgentId);
  EXPECT_EQ(result->selectors.back(), (Selector{"fx_node", "seen:before"}));
}

TEST_F(NodeAttestorTest, BannedAgentIsRefused) {
  ServerNodeAttestorPlugin srv =
      server([](std::string_view id) -> Result<std::optional<AgentInfo>> {
        AgentInfo info;
        info.agent_id = std::string(id);
        info.banned = true;
        return std::optional<AgentInfo>(info);
      });
  Result<ServerAttestStep> result = attest(srv);
  EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(result.status().message(),
            "NodeAttestor \"fx_node\": agent " + kAgentId + " is banned");
}

TEST_F(NodeAttestorTest, WithoutAgentStoreTheLookupFails) {
  ServerNodeAttestorPlugin srv = server(nullptr);
  Result<ServerAttestStep> result = attest(srv);
  EXPECT_EQ(result.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(result.status().message(), "NodeAttestor \"fx_node\": agent store lookup failed");
}

TEST_F(NodeAttestorTest, WrongAnswerIsRefused) {
  ServerNodeAttestorPlugin srv = server(nullptr);
  Result<ServerAttestStep> result =
      srv.attest(bytes("node:n1"), [](const Bytes&) -> Result<Bytes> { return bytes("forged"); });
  EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(result.status().message(),
            "NodeAttestor \"fx_node\": challenge response does not match");
}

TEST_F(NodeAttestorTest, BadPayloadIsRefused) {
  ServerNodeAttestorPlugin srv = server(nullptr);
  Result<ServerAttestBegin> begun = srv.begin(bytes("garbage"));
  EXPECT_EQ(begun.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(begun.status().message(), "NodeAttestor \"fx_node\": payload is not a fx_node payload");
}

TEST_F(NodeAttestorTest, AgentSessionProducesPayloadAndAnswers) {
  Result<std::unique_ptr<AgentAttestSession>> session = agent_->begin();
  ASSERT_TRUE(session.isOk());
  EXPECT_EQ(text((*session)->payload()), "node:n1");
  Result<Bytes> answer = (*session)->answer(bytes("abc"));
  ASSERT_TRUE(answer.isOk());
  EXPECT_EQ(text(*answer), "signed:abc");
}

TEST(HostLoggingTest, PluginLogsGoToTheHostLoggerWithItsName) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  sink->set_pattern("%l %v");
  auto logger = std::make_shared<spdlog::logger>("test", sink);
  logger->set_level(spdlog::level::debug);
  LoaderOptions options = loaderOptions(Role::kAgent);
  options.logger = logger;
  AgentNodeAttestorPlugin agent(
      mustLoad(externalSpec("NodeAttestor", "fx_node", fixturePath("node_attestor", "fx_node"),
                            R"({"node_name": "n1"})"),
               options));
  ASSERT_TRUE(agent.begin().isOk());
  EXPECT_EQ(out.str(), "debug starting attestation plugin_name=fx_node plugin_type=NodeAttestor\n");

  // Below the logger's level the plugin's log_enabled() says no and nothing is written.
  out.str("");
  logger->set_level(spdlog::level::info);
  ASSERT_TRUE(agent.begin().isOk());
  EXPECT_EQ(out.str(), "");
}

// The host enforces the session rules on plugins that break them.
TEST(NodeAttestorRulesTest, AgentMustEmitExactlyOnePayload) {
  AgentNodeAttestorPlugin agent(mustLoad(
      externalSpec("NodeAttestor", "fx_bad_node", fixturePath("node_attestor", "fx_bad_node")),
      loaderOptions(Role::kAgent)));
  Result<std::unique_ptr<AgentAttestSession>> session = agent.begin();
  EXPECT_EQ(session.status().code(), StatusCode::kInternal);
  EXPECT_EQ(session.status().message(),
            "NodeAttestor \"fx_bad_node\": plugin emitted 2 payload messages, expected exactly 1");
}

TEST(NodeAttestorRulesTest, ServerStepEndsWithExactlyOneChallengeOrResult) {
  ServerNodeAttestorPlugin server(mustLoad(
      externalSpec("NodeAttestor", "fx_bad_node", fixturePath("node_attestor", "fx_bad_node")),
      loaderOptions(Role::kServer)));
  const std::string rule = "NodeAttestor \"fx_bad_node\": plugin must end each attestation step "
                           "with exactly one challenge or one result";
  for (const char* payload : {"both", "none"}) {
    Result<ServerAttestBegin> begun = server.begin(bytes(payload));
    EXPECT_EQ(begun.status().code(), StatusCode::kInternal) << payload;
    EXPECT_EQ(begun.status().message(), rule) << payload;
  }
  Result<ServerAttestBegin> no_id = server.begin(bytes("noid"));
  EXPECT_EQ(no_id.status().code(), StatusCode::kInternal);
  EXPECT_EQ(no_id.status().message(), "NodeAttestor \"fx_bad_node\": plugin returned no agent ID");

  Result<ServerAttestBegin> ok = server.begin(bytes("ok"));
  ASSERT_TRUE(ok.isOk()) << ok.status().toString();
  EXPECT_TRUE(ok->first.done());
  EXPECT_EQ(ok->first.attributes.spiffe_id, "spiffe://example.org/spire/agent/fx_bad_node/x");
  EXPECT_TRUE(ok->first.selectors.empty());
}

TEST(NodeAttestorConfigTest, AgentRequiresNodeName) {
  Result<LoadedPluginPtr> loaded =
      loadPlugin(externalSpec("NodeAttestor", "fx_node", fixturePath("node_attestor", "fx_node")),
                 loaderOptions(Role::kAgent));
  EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(loaded.status().message(),
            "NodeAttestor \"fx_node\": failed to configure plugin: node_name is required");
}

// ---- KeyManager ----

class KeyManagerTest : public ::testing::Test {
protected:
  KeyManagerPlugin km_{
      mustLoad(externalSpec("KeyManager", "fx_keys", fixturePath("key_manager", "fx_keys")),
               loaderOptions(Role::kServer))};
};

TEST_F(KeyManagerTest, GenerateGetListSign) {
  Result<PublicKey> generated = km_.generateKey("x509-CA-A", SPIRE_KEY_TYPE_EC_P256);
  ASSERT_TRUE(generated.isOk()) << generated.status().toString();
  EXPECT_EQ(generated->id, "x509-CA-A");
  EXPECT_EQ(generated->type, SPIRE_KEY_TYPE_EC_P256);
  EXPECT_EQ(text(generated->pkix_der), "pub:x509-CA-A:1");

  Result<PublicKey> fetched = km_.getPublicKey("x509-CA-A");
  ASSERT_TRUE(fetched.isOk());
  EXPECT_EQ(fetched->fingerprint, generated->fingerprint);

  ASSERT_TRUE(km_.generateKey("JWT-Signer-A", SPIRE_KEY_TYPE_RSA_2048).isOk());
  Result<std::vector<PublicKey>> all = km_.getPublicKeys();
  ASSERT_TRUE(all.isOk());
  EXPECT_EQ(all->size(), 2u);

  Result<Signature> sig = km_.signData("x509-CA-A", bytes("abc"), SignerOpts{});
  ASSERT_TRUE(sig.isOk()) << sig.status().toString();
  EXPECT_EQ(text(sig->signature), "cba");
  EXPECT_EQ(sig->fingerprint, generated->fingerprint);

  SignerOpts pss;
  pss.pss = true;
  pss.pss_salt_length = 32;
  EXPECT_TRUE(km_.signData("JWT-Signer-A", bytes("abc"), pss).isOk());
}

TEST_F(KeyManagerTest, Errors) {
  Result<PublicKey> missing = km_.getPublicKey("nope");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "KeyManager \"fx_keys\": no such key \"nope\"");

  Result<PublicKey> bad_type = km_.generateKey("k", 9);
  EXPECT_EQ(bad_type.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_type.status().message(), "KeyManager \"fx_keys\": unsupported key type 9");

  ASSERT_TRUE(km_.generateKey("ec", SPIRE_KEY_TYPE_EC_P384).isOk());
  SignerOpts pss;
  pss.pss = true;
  Result<Signature> sig = km_.signData("ec", bytes("d"), pss);
  EXPECT_EQ(sig.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(sig.status().message(), "KeyManager \"fx_keys\": PSS options with an EC key");
}

// ---- UpstreamAuthority ----

TEST(UpstreamAuthorityTest, MintThenRootUpdatesFromThePluginThread) {
  UpstreamAuthorityPlugin ua(
      mustLoad(externalSpec("UpstreamAuthority", "fx_upstream",
                            fixturePath("upstream_authority", "fx_upstream")),
               loaderOptions(Role::kServer)));
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Bytes> roots;
  UpstreamHandlers handlers;
  handlers.on_x509_roots = [&](std::vector<Bytes> update) {
    std::lock_guard lock(mu);
    roots = std::move(update);
    cv.notify_all();
  };
  Result<MintX509CaResult> minted = ua.mintX509Ca(bytes("csr"), 3600, handlers);
  ASSERT_TRUE(minted.isOk()) << minted.status().toString();
  ASSERT_EQ(minted->ca.chain.size(), 1u);
  EXPECT_EQ(text(minted->ca.chain[0]), "csr-signed-ttl3600");
  ASSERT_EQ(minted->ca.roots.size(), 1u);
  EXPECT_EQ(text(minted->ca.roots[0]), "root-1");
  {
    std::unique_lock lock(mu);
    // The plugin pushes from its own thread; wait for the event, with a generous guard.
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return roots.size() == 2; }));
  }
  EXPECT_EQ(text(roots[1]), "root-2");
  minted->stream.reset(); // cancels; the plugin closes the sink from its thread
}

TEST(UpstreamAuthorityTest, MintErrorAndUnimplementedPublish) {
  UpstreamAuthorityPlugin ua(
      mustLoad(externalSpec("UpstreamAuthority", "fx_upstream",
                            fixturePath("upstream_authority", "fx_upstream")),
               loaderOptions(Role::kServer)));
  Result<MintX509CaResult> minted = ua.mintX509Ca(Bytes(), 0, UpstreamHandlers());
  EXPECT_EQ(minted.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(minted.status().message(), "UpstreamAuthority \"fx_upstream\": empty CSR");

  Result<PublishJwtKeyResult> published = ua.publishJwtKey(JwtKey{}, UpstreamHandlers());
  EXPECT_EQ(published.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(published.status().message(),
            "UpstreamAuthority \"fx_upstream\": publishing JWT keys is not supported");
}

// ---- DataStore ----

class DataStoreTest : public ::testing::Test {
protected:
  DataStorePlugin ds_{
      mustLoad(externalSpec("DataStore", "fx_store", fixturePath("data_store", "fx_store")),
               loaderOptions(Role::kServer))};
};

TEST_F(DataStoreTest, JoinTokensAreSingleUse) {
  ASSERT_TRUE(ds_.createJoinToken(JoinToken{"tok", 1800000000}).isOk());
  Status dup = ds_.createJoinToken(JoinToken{"tok", 1});
  EXPECT_EQ(dup.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(dup.message(), "DataStore \"fx_store\": token already exists");

  Result<std::optional<JoinToken>> fetched = ds_.fetchJoinToken("tok");
  ASSERT_TRUE(fetched.isOk());
  ASSERT_TRUE(fetched->has_value());
  EXPECT_EQ((*fetched)->expires_at, 1800000000);

  Result<JoinToken> consumed = ds_.consumeJoinToken("tok");
  ASSERT_TRUE(consumed.isOk()) << consumed.status().toString();
  EXPECT_EQ(consumed->token, "tok");
  Result<JoinToken> again = ds_.consumeJoinToken("tok");
  EXPECT_EQ(again.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(again.status().message(), "DataStore \"fx_store\": no such token");

  Result<std::optional<JoinToken>> gone = ds_.fetchJoinToken("tok");
  ASSERT_TRUE(gone.isOk());
  EXPECT_FALSE(gone->has_value());
}

TEST_F(DataStoreTest, EntriesRoundTripThroughFlatStructs) {
  Entry entry;
  entry.spiffe_id = "spiffe://example.org/workload";
  entry.parent_id = "spiffe://example.org/spire/agent/x";
  entry.selectors = {{"unix", "uid:1000"}, {"unix", "gid:1000"}};
  entry.dns_names = {"a.example.org"};
  entry.federates_with = {"other.org"};
  entry.x509_svid_ttl = 3600;
  entry.admin = true;
  Result<Entry> created = ds_.createEntry(entry);
  ASSERT_TRUE(created.isOk()) << created.status().toString();
  EXPECT_EQ(created->entry_id, "entry-1");
  EXPECT_EQ(created->selectors, entry.selectors);
  EXPECT_EQ(created->dns_names, entry.dns_names);
  EXPECT_EQ(created->federates_with, entry.federates_with);
  EXPECT_EQ(created->x509_svid_ttl, 3600);
  EXPECT_TRUE(created->admin);
  EXPECT_EQ(created->created_at, 1700000000);
  Result<std::int64_t> count = ds_.countEntries(nullptr);
  ASSERT_TRUE(count.isOk());
  EXPECT_EQ(*count, 1);
}

TEST_F(DataStoreTest, UnimplementedOperations) {
  Result<std::optional<Bundle>> bundle = ds_.fetchBundle("example.org");
  EXPECT_EQ(bundle.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(bundle.status().message(), "DataStore \"fx_store\": not in the fixture");

  Result<std::vector<DatastoreEvent>> events = ds_.listEntryEvents(0);
  EXPECT_EQ(events.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(events.status().message(),
            "DataStore \"fx_store\": list_entry_events is not implemented by the plugin");
}

} // namespace
} // namespace spire::plugin_host
