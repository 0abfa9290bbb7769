// AttestAgent over the bidi stream (join tokens natively; x509pop through the real plugin and its
// challenge) and RenewAgent, with SPIRE's codes and messages.
#include <fstream>
#include <latch>
#include <thread>

#include "agent_test_fixture.h"
#include "google/rpc/status.pb.h"
#include "node_attestor/x509pop/x509pop_agent.h"
#include "spire/api/types/status.pb.h"
#include "support/command.h"
#include "support/temp_dir.h"
#include "support/test_ca.h"

namespace spire::server::api::testing {
namespace {

using grpc::StatusCode;

constexpr char kTokenAgentPrefix[] = "spiffe://example.org/spire/agent/join_token/";

class AttestAgentTest : public AgentServiceTest {};

TEST_F(AttestAgentTest, JoinTokenAttestsOnceAndTheTokenCannotBeReused) {
  const types::JoinToken token = createToken(600);
  auto key = newKey();
  AttestOutcome first = attestJoinToken(token.value(), *key);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  ASSERT_TRUE(first.result.has_value());
  EXPECT_EQ(first.challenges, 0);
  const std::string agent_id = kTokenAgentPrefix + token.value();
  EXPECT_EQ(verifiedId(*fixture_, first.result->svid()), agent_id);
  EXPECT_FALSE(first.result->reattestable());
  auto chain = chainOf(first.result->svid());
  ASSERT_FALSE(chain.empty());
  auto leaf_key = crypto::publicKeyOf(*chain.front());
  EXPECT_TRUE(crypto::publicKeysEqual(*leaf_key, *key));

  auto stored = node(agent_id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->attestation_data_type, "join_token");
  EXPECT_EQ(stored->cert_serial_number, crypto::serialNumberDecimal(*chain.front()));
  EXPECT_EQ(stored->cert_not_after, first.result->svid().expires_at());
  EXPECT_TRUE(stored->new_cert_serial_number.empty());
  EXPECT_FALSE(stored->can_reattest);
  EXPECT_EQ(authorizer_.methods().back(), "/spire.api.server.agent.v1.Agent/AttestAgent");

  AttestOutcome second = attestJoinToken(token.value(), *key);
  EXPECT_STATUS(second.status, StatusCode::INVALID_ARGUMENT,
                "failed to attest: join token does not exist or has already been used");
  EXPECT_FALSE(second.result.has_value());
}

TEST_F(AttestAgentTest, ConcurrentAttestationsWithOneTokenLetExactlyOneThrough) {
  constexpr int kRacers = 4;
  const types::JoinToken token = createToken(600);
  std::vector<AttestOutcome> outcomes(kRacers);
  std::latch start(kRacers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRacers; ++i) {
    threads.emplace_back([&, i] {
      auto key = newKey();
      start.arrive_and_wait();
      outcomes[i] = attestJoinToken(token.value(), *key);
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  int ok = 0;
  for (const AttestOutcome& outcome : outcomes) {
    if (outcome.status.ok()) {
      ++ok;
      continue;
    }
    EXPECT_STATUS(outcome.status, StatusCode::INVALID_ARGUMENT,
                  "failed to attest: join token does not exist or has already been used");
  }
  EXPECT_EQ(ok, 1);
}

TEST_F(AttestAgentTest, UnknownJoinTokenIsRefused) {
  auto key = newKey();
  AttestOutcome outcome = attestJoinToken("never-created", *key);
  EXPECT_STATUS(outcome.status, StatusCode::INVALID_ARGUMENT,
                "failed to attest: join token does not exist or has already been used");
  EXPECT_FALSE(node(std::string(kTokenAgentPrefix) + "never-created").has_value());
}

TEST_F(AttestAgentTest, ExpiredJoinTokenIsRefusedAndConsumed) {
  const types::JoinToken token = createToken(1);
  EXPECT_EQ(token.expires_at(), unixSeconds(fixture_->now()) + 1);
  fixture_->advance(std::chrono::seconds(2));
  auto key = newKey();
  EXPECT_STATUS(attestJoinToken(token.value(), *key).status, StatusCode::INVALID_ARGUMENT,
                "join token expired");
  // As SPIRE, the expired token was deleted on the way.
  EXPECT_STATUS(attestJoinToken(token.value(), *key).status, StatusCode::INVALID_ARGUMENT,
                "failed to attest: join token does not exist or has already been used");
  EXPECT_FALSE(node(kTokenAgentPrefix + token.value()).has_value());
}

TEST_F(AttestAgentTest, TokenJustBeforeItsExpiryIsStillAccepted) {
  // expires_at is whole seconds (floor of now + ttl), so 4 s later it is not yet before now.
  const types::JoinToken token = createToken(5);
  fixture_->advance(std::chrono::seconds(4));
  auto key = newKey();
  EXPECT_TRUE(attestJoinToken(token.value(), *key).status.ok());
}

TEST_F(AttestAgentTest, ReattestationReplacesTheSerialAndClearsAPendingRenewal) {
  createToken(600, "reuse-me");
  auto key = newKey();
  AttestOutcome first = attestJoinToken("reuse-me", *key);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  const std::string agent_id = std::string(kTokenAgentPrefix) + "reuse-me";
  // A renewal left pending...
  plugin_host::AttestedNode pending;
  pending.spiffe_id = agent_id;
  pending.new_cert_serial_number = "12345";
  pending.new_cert_not_after = 99;
  ASSERT_TRUE(fixture_->datastore()
                  .updateAttestedNode(pending, SPIRE_NODE_MASK_NEW_CERT_SERIAL_NUMBER |
                                                   SPIRE_NODE_MASK_NEW_CERT_NOT_AFTER)
                  .isOk());
  // ...then the same agent attests again (an admin issued the same token value once more).
  createToken(600, "reuse-me");
  AttestOutcome second = attestJoinToken("reuse-me", *key);
  ASSERT_TRUE(second.status.ok()) << second.status.error_message();
  auto stored = node(agent_id);
  ASSERT_TRUE(stored.has_value());
  auto chain = chainOf(second.result->svid());
  ASSERT_FALSE(chain.empty());
  EXPECT_EQ(stored->cert_serial_number, crypto::serialNumberDecimal(*chain.front()));
  EXPECT_NE(stored->cert_serial_number,
            crypto::serialNumberDecimal(*chainOf(first.result->svid()).front()));
  EXPECT_TRUE(stored->new_cert_serial_number.empty());
  EXPECT_EQ(stored->new_cert_not_after, 0);
  EXPECT_EQ(stored->attestation_data_type, "join_token");
  auto count = fixture_->datastore().countAttestedNodes(nullptr);
  ASSERT_TRUE(count.isOk());
  EXPECT_EQ(*count, 1);
}

TEST_F(AttestAgentTest, BannedAgentCannotAttestAgain) {
  createToken(600, "banned-one");
  auto key = newKey();
  ASSERT_TRUE(attestJoinToken("banned-one", *key).status.ok());
  const std::string agent_id = std::string(kTokenAgentPrefix) + "banned-one";
  {
    agentv1::BanAgentRequest request;
    *request.mutable_id() = protoId(agent_id);
    google::protobuf::Empty empty;
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->BanAgent(&ctx, request, &empty).ok());
  }
  createToken(600, "banned-one");
  AttestOutcome outcome = attestJoinToken("banned-one", *key);
  EXPECT_STATUS(outcome.status, StatusCode::PERMISSION_DENIED, "failed to attest: agent is banned");
  auto stored = node(agent_id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_TRUE(stored->cert_serial_number.empty());

  // Deleting the node (evicting the agent) lets it attest again.
  {
    agentv1::DeleteAgentRequest request;
    *request.mutable_id() = protoId(agent_id);
    google::protobuf::Empty empty;
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->DeleteAgent(&ctx, request, &empty).ok());
  }
  createToken(600, "banned-one");
  EXPECT_TRUE(attestJoinToken("banned-one", *key).status.ok());
}

TEST_F(AttestAgentTest, MalformedFirstMessagesAreRefusedInSpiresOrder) {
  auto key = newKey();
  const std::string csr = csrDer(*key);
  std::vector<std::pair<agentv1::AttestAgentRequest, std::string>> cases;
  {
    agentv1::AttestAgentRequest r;
    r.set_challenge_response("x");
    cases.emplace_back(r, "malformed param: missing params");
  }
  {
    agentv1::AttestAgentRequest r = attestRequest("join_token", "t", csr);
    r.mutable_params()->clear_data();
    cases.emplace_back(r, "malformed param: missing attestation data");
  }
  {
    agentv1::AttestAgentRequest r = attestRequest("join_token", "t", csr);
    r.mutable_params()->clear_params();
    cases.emplace_back(r, "malformed param: missing X509-SVID parameters");
  }
  cases.emplace_back(attestRequest("join_token", "t", ""), "malformed param: missing CSR");
  cases.emplace_back(attestRequest("", "t", csr), "malformed param: missing attestation data type");
  cases.emplace_back(attestRequest("join_token", "", csr),
                     "malformed param: missing attestation data payload");
  for (const auto& [request, message] : cases) {
    EXPECT_STATUS(attest(request).status, StatusCode::INVALID_ARGUMENT, message);
  }
}

TEST_F(AttestAgentTest, ClosingTheStreamBeforeAnyMessageIsAnInvalidArgument) {
  grpc::ClientContext ctx;
  auto stream = stub_->AttestAgent(&ctx);
  stream->WritesDone();
  EXPECT_STATUS(stream->Finish(), StatusCode::INVALID_ARGUMENT,
                "failed to receive request from stream: EOF");
}

TEST_F(AttestAgentTest, UnknownAttestorTypeIsAFailedPrecondition) {
  auto key = newKey();
  EXPECT_STATUS(attest(attestRequest("aws_iid", "payload", csrDer(*key))).status,
                StatusCode::FAILED_PRECONDITION,
                "error getting node attestor: could not find node attestor type \"aws_iid\"");
}

TEST_F(AttestAgentTest, BadCsrIsRefusedAfterTheTokenIsConsumed) {
  createToken(600, "csr-test");
  auto key = newKey();
  EXPECT_STATUS(attest(attestRequest("join_token", "csr-test", "not a csr")).status,
                StatusCode::INVALID_ARGUMENT, "failed to parse CSR: malformed certificate request");
  createToken(600, "csr-test2");
  EXPECT_STATUS(attest(attestRequest("join_token", "csr-test2", tamperedCsr(csrDer(*key)))).status,
                StatusCode::INVALID_ARGUMENT,
                "failed to parse CSR: certificate request signature verification failed");
  EXPECT_FALSE(node(std::string(kTokenAgentPrefix) + "csr-test").has_value());
  // SPIRE deletes the token before anything else can fail.
  EXPECT_STATUS(attestJoinToken("csr-test", *key).status, StatusCode::INVALID_ARGUMENT,
                "failed to attest: join token does not exist or has already been used");
}

TEST_F(AttestAgentTest, AuthorizationFailureStopsTheStream) {
  createToken(600, "never-used");
  authorizer_.deny(Status(spire::StatusCode::kResourceExhausted, "slow down"));
  auto key = newKey();
  EXPECT_STATUS(attestJoinToken("never-used", *key).status, StatusCode::RESOURCE_EXHAUSTED,
                "slow down");
}

TEST_F(AttestAgentTest, AgentSvidPassesOpenSslVerify) {
  if (!spire::testing::haveOpenSslCli()) {
    GTEST_SKIP() << "openssl CLI not available";
  }
  createToken(600, "openssl");
  auto key = newKey();
  AttestOutcome outcome = attestJoinToken("openssl", *key);
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.error_message();
  const auto dir = fixture_->dir();
  std::ofstream(dir / "bundle.pem") << fixture_->ca().snapshot()->bundle->toPem();
  std::ofstream(dir / "agent.pem") << crypto::certificatesToPem(chainOf(outcome.result->svid()));
  auto result = spire::testing::runCommand("openssl verify -purpose sslclient -CAfile " +
                                           (dir / "bundle.pem").string() + " " +
                                           (dir / "agent.pem").string());
  EXPECT_EQ(result.exit_code, 0) << result.output;
}

class AgentIdAsSelectorTest : public AgentServiceTest {
protected:
  AgentIdAsSelectorTest() {
    options_.server_extra = "  experimental {\n    agent_spiffe_id_as_selector = true\n  }\n";
  }
};

TEST_F(AgentIdAsSelectorTest, TheAgentIdBecomesANodeSelector) {
  createToken(600, "as-selector");
  auto key = newKey();
  ASSERT_TRUE(attestJoinToken("as-selector", *key).status.ok());
  const std::string agent_id = std::string(kTokenAgentPrefix) + "as-selector";
  auto selectors = fixture_->datastore().getNodeSelectors(agent_id);
  ASSERT_TRUE(selectors.isOk());
  EXPECT_EQ(*selectors, (std::vector<plugin_host::Selector>{{"spiffe_id", agent_id}}));
  // The index got them too: an alias on the agent's ID applies to it.
  plugin_host::Entry alias;
  alias.spiffe_id = "spiffe://example.org/alias";
  alias.parent_id = "spiffe://example.org/spire/server";
  alias.selectors = {{"spiffe_id", agent_id}};
  auto created = fixture_->datastore().createEntry(alias);
  ASSERT_TRUE(created.isOk());
  fixture_->index().upsertEntry(*created);
  plugin_host::Entry workload;
  workload.spiffe_id = "spiffe://example.org/w";
  workload.parent_id = alias.spiffe_id;
  workload.selectors = {{"unix", "uid:0"}};
  auto created_workload = fixture_->datastore().createEntry(workload);
  ASSERT_TRUE(created_workload.isOk());
  fixture_->index().upsertEntry(*created_workload);
  EXPECT_EQ(fixture_->index().authorizedEntries(agent_id).entries.size(), 1u);
}

// ---- RenewAgent ------------------------------------------------------------------------------

TEST_F(AttestAgentTest, RenewAgentStoresTheNewSvidAsPending) {
  createToken(600, "renew");
  auto key = newKey();
  AttestOutcome attested = attestJoinToken("renew", *key);
  ASSERT_TRUE(attested.status.ok());
  const std::string agent_id = std::string(kTokenAgentPrefix) + "renew";
  const auto before = node(agent_id);
  ASSERT_TRUE(before.has_value());

  authorizer_.setCaller(agentCaller(agent_id));
  auto new_key = newKey();
  agentv1::RenewAgentRequest request;
  request.mutable_params()->set_csr(csrDer(*new_key));
  agentv1::RenewAgentResponse response;
  grpc::ClientContext ctx;
  grpc::Status status = stub_->RenewAgent(&ctx, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(verifiedId(*fixture_, response.svid()), agent_id);
  auto chain = chainOf(response.svid());
  ASSERT_FALSE(chain.empty());
  EXPECT_TRUE(crypto::publicKeysEqual(*crypto::publicKeyOf(*chain.front()), *new_key));

  const auto after = node(agent_id);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->cert_serial_number, before->cert_serial_number);
  EXPECT_EQ(after->new_cert_serial_number, crypto::serialNumberDecimal(*chain.front()));
  EXPECT_EQ(after->new_cert_not_after, response.svid().expires_at());
}

TEST_F(AttestAgentTest, RenewAgentErrors) {
  const std::string agent_id = "spiffe://example.org/spire/agent/test/renew";
  auto key = newKey();
  auto renew = [&](const agentv1::RenewAgentRequest& request) {
    agentv1::RenewAgentResponse response;
    grpc::ClientContext ctx;
    return stub_->RenewAgent(&ctx, request, &response);
  };
  agentv1::RenewAgentRequest good;
  good.mutable_params()->set_csr(csrDer(*key));

  authorizer_.setCaller(Caller{});
  EXPECT_STATUS(renew(good), StatusCode::INTERNAL, "caller ID missing from request context");

  authorizer_.setCaller(agentCaller(agent_id));
  EXPECT_STATUS(renew(good), StatusCode::NOT_FOUND, "agent not found");

  addNode(agent_id, "test", "1", 0, false);
  EXPECT_STATUS(renew(agentv1::RenewAgentRequest{}), StatusCode::INVALID_ARGUMENT,
                "params cannot be nil");
  agentv1::RenewAgentRequest no_csr;
  no_csr.mutable_params();
  EXPECT_STATUS(renew(no_csr), StatusCode::INVALID_ARGUMENT, "missing CSR");
  agentv1::RenewAgentRequest bad_csr;
  bad_csr.mutable_params()->set_csr("junk");
  EXPECT_STATUS(renew(bad_csr), StatusCode::INVALID_ARGUMENT,
                "failed to parse CSR: malformed certificate request");
  EXPECT_TRUE(renew(good).ok());
}

TEST_F(AttestAgentTest, ReattestableAgentMustReattestInsteadOfRenewing) {
  const std::string agent_id = "spiffe://example.org/spire/agent/x509pop/abc";
  addNode(agent_id, "x509pop", "1", 0, true);
  authorizer_.setCaller(agentCaller(agent_id));
  auto key = newKey();
  agentv1::RenewAgentRequest request;
  request.mutable_params()->set_csr(csrDer(*key));
  agentv1::RenewAgentResponse response;
  grpc::ClientContext ctx;
  grpc::Status status = stub_->RenewAgent(&ctx, request, &response);
  EXPECT_STATUS(status, StatusCode::PERMISSION_DENIED, "agent must reattest instead of renew");
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details()));
  ASSERT_EQ(details.details_size(), 1);
  types::PermissionDeniedDetails reason;
  ASSERT_TRUE(details.details(0).UnpackTo(&reason));
  EXPECT_EQ(reason.reason(), types::PermissionDeniedDetails::AGENT_MUST_REATTEST);
}

// ---- A challenge/response attestor: the real x509pop plugin ------------------------------------

class X509PopAttestTest : public AgentServiceTest {
protected:
  void SetUp() override {
    ca_ = std::make_unique<spire::testing::TestCa>(
        spire::testing::TestCa::createRoot("x509pop.test"));
    spire::testing::LeafOptions leaf;
    leaf.uri_sans = std::vector<std::string>{};
    leaf.subject = {{"CN", "node-1"}};
    issued_ = ca_->issueLeaf(leaf);
    const auto bundle = dir_.writeFile("ca.pem", crypto::certificateToPem(*ca_->cert()));
    const auto cert = dir_.writeFile("agent.pem", issued_.certsPem());
    const auto key = dir_.writeFile("agent.key", issued_.keyPem());
    options_.plugins_extra = "  NodeAttestor \"x509pop\" {\n    plugin_data {\n"
                             "      ca_bundle_path = \"" +
                             bundle + "\"\n    }\n  }\n";
    auto st = agent_.configure("{\"private_key_path\":\"" + key + "\",\"certificate_path\":\"" +
                               cert + "\"}");
    ASSERT_TRUE(st.isOk()) << st.message();
    AgentServiceTest::SetUp();
  }

  AttestOutcome attestX509Pop(const EVP_PKEY& svid_key) {
    auto payload = agent_.payload();
    EXPECT_TRUE(payload.isOk());
    return attest(attestRequest("x509pop", payload.isOk() ? *payload : "", csrDer(svid_key)),
                  [&](const std::string& challenge) {
                    auto answer = agent_.respond(challenge);
                    EXPECT_TRUE(answer.isOk()) << answer.status().message();
                    return answer.isOk() ? *answer : std::string();
                  });
  }

  spire::testing::TempDir dir_;
  std::unique_ptr<spire::testing::TestCa> ca_;
  spire::testing::IssuedLeaf issued_;
  spire::builtin::x509pop::X509PopAgent agent_;
};

TEST_F(X509PopAttestTest, ChallengeResponseAttestationStoresSelectorsAndIsReattestable) {
  auto key = newKey();
  AttestOutcome first = attestX509Pop(*key);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  EXPECT_EQ(first.challenges, 1);
  ASSERT_TRUE(first.result.has_value());
  EXPECT_TRUE(first.result->reattestable());
  const std::string agent_id = verifiedId(*fixture_, first.result->svid());
  EXPECT_TRUE(agent_id.starts_with("spiffe://example.org/spire/agent/x509pop/")) << agent_id;

  auto stored = node(agent_id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->attestation_data_type, "x509pop");
  EXPECT_TRUE(stored->can_reattest);
  auto selectors = fixture_->datastore().getNodeSelectors(agent_id);
  ASSERT_TRUE(selectors.isOk());
  EXPECT_NE(std::find(selectors->begin(), selectors->end(),
                      plugin_host::Selector{"x509pop", "subject:cn:node-1"}),
            selectors->end());
  EXPECT_TRUE(
      std::is_sorted(selectors->begin(), selectors->end(), [](const auto& a, const auto& b) {
        return std::tie(a.type, a.value) < std::tie(b.type, b.value);
      }));

  // The index has the agent's selectors, so a node alias on them now applies to it.
  plugin_host::Entry alias;
  alias.spiffe_id = "spiffe://example.org/nodes/cn1";
  alias.parent_id = "spiffe://example.org/spire/server";
  alias.selectors = {{"x509pop", "subject:cn:node-1"}};
  auto created = fixture_->datastore().createEntry(alias);
  ASSERT_TRUE(created.isOk());
  fixture_->index().upsertEntry(*created);
  plugin_host::Entry workload;
  workload.spiffe_id = "spiffe://example.org/app";
  workload.parent_id = alias.spiffe_id;
  workload.selectors = {{"unix", "uid:1"}};
  auto created_workload = fixture_->datastore().createEntry(workload);
  ASSERT_TRUE(created_workload.isOk());
  fixture_->index().upsertEntry(*created_workload);
  auto authorized = fixture_->index().authorizedEntries(agent_id);
  ASSERT_EQ(authorized.entries.size(), 1u);
  EXPECT_EQ(authorized.entries[0]->entry_id, created_workload->entry_id);

  // Re-attestation with the same certificate: same agent ID, new serial, one node.
  AttestOutcome second = attestX509Pop(*key);
  ASSERT_TRUE(second.status.ok()) << second.status.error_message();
  EXPECT_EQ(verifiedId(*fixture_, second.result->svid()), agent_id);
  auto again = node(agent_id);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->cert_serial_number,
            crypto::serialNumberDecimal(*chainOf(second.result->svid()).front()));
  EXPECT_NE(again->cert_serial_number, stored->cert_serial_number);
}

TEST_F(X509PopAttestTest, WrongChallengeResponseIsRefusedWithThePluginsStatus) {
  auto payload = agent_.payload();
  ASSERT_TRUE(payload.isOk());
  auto key = newKey();
  // Sign the challenge with a key that is not the certificate's.
  auto other = newKey();
  spire::builtin::x509pop::X509PopAgent::Loaded impostor;
  ASSERT_EQ(EVP_PKEY_up_ref(other.get()), 1);
  impostor.key = spire::builtin::PkeyPtr(other.get());
  auto snapshot = agent_.snapshot();
  ASSERT_TRUE(snapshot.isOk());
  impostor.chain_der = (*snapshot)->chain_der;
  AttestOutcome outcome =
      attest(attestRequest("x509pop", *payload, csrDer(*key)), [&](const std::string& challenge) {
        auto answer = spire::builtin::x509pop::X509PopAgent::respondWith(impostor, challenge);
        return answer.isOk() ? *answer : std::string();
      });
  EXPECT_STATUS(outcome.status, StatusCode::PERMISSION_DENIED,
                "NodeAttestor \"x509pop\": challenge response verification failed: ECDSA signature "
                "verify failed");
  EXPECT_EQ(outcome.challenges, 1);
  EXPECT_FALSE(outcome.result.has_value());
  auto count = fixture_->datastore().countAttestedNodes(nullptr);
  ASSERT_TRUE(count.isOk());
  EXPECT_EQ(*count, 0);
}

TEST_F(X509PopAttestTest, PayloadNotSignedByTheConfiguredCaIsRefused) {
  auto stranger_ca = spire::testing::TestCa::createRoot("elsewhere.test");
  spire::testing::LeafOptions leaf;
  leaf.uri_sans = std::vector<std::string>{};
  auto stranger = stranger_ca.issueLeaf(leaf);
  spire::builtin::x509pop::X509PopAgent agent;
  ASSERT_TRUE(agent
                  .configure("{\"private_key_path\":\"" +
                             dir_.writeFile("s.key", stranger.keyPem()) +
                             "\",\"certificate_path\":\"" +
                             dir_.writeFile("s.pem", stranger.certsPem()) + "\"}")
                  .isOk());
  auto payload = agent.payload();
  ASSERT_TRUE(payload.isOk());
  auto key = newKey();
  AttestOutcome outcome = attest(attestRequest("x509pop", *payload, csrDer(*key)));
  EXPECT_STATUS(outcome.status, StatusCode::PERMISSION_DENIED,
                "NodeAttestor \"x509pop\": certificate verification failed: unable to get local "
                "issuer certificate");
  EXPECT_EQ(outcome.challenges, 0);
}

} // namespace
} // namespace spire::server::api::testing
