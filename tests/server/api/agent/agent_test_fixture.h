#pragma once
// The agent service over the real built-in plugins, served in-process: a test fixture with
// helpers to attest over the bidi stream, create join tokens and store nodes directly.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fixed_authorizer.h"
#include "server/api/agent/agent_service.h"
#include "server/api/svid/api_test_helpers.h"
#include "server_fixture.h"

namespace spire::server::api::testing {

struct AttestOutcome {
  grpc::Status status;
  std::optional<agentv1::AttestAgentResponse::Result> result;
  int challenges = 0;
};

// Answers a server challenge (the agent side of a challenge/response attestor).
using ChallengeAnswer = std::function<std::string(const std::string& challenge)>;

class AgentServiceTest : public ::testing::Test {
protected:
  // Subclasses may set these before SetUp runs.
  ServerFixtureOptions options_ = [] {
    ServerFixtureOptions o;
    o.fake_clock = true;
    return o;
  }();

  void SetUp() override {
    auto created = ServerFixture::create(options_);
    ASSERT_TRUE(created.isOk()) << created.status().message();
    fixture_ = std::move(*created);
    service_ = std::make_unique<AgentService>(fixture_->state(), authorizer_);
    server_ = std::make_unique<InProcessServer>(std::vector<grpc::Service*>{service_.get()});
    stub_ = agentv1::Agent::NewStub(server_->channel());
  }

  void TearDown() override {
    stub_.reset();
    if (server_) {
      server_->shutdown();
    }
  }

  static agentv1::AttestAgentRequest
  attestRequest(const std::string& type, const std::string& payload, const std::string& csr) {
    agentv1::AttestAgentRequest request;
    auto* params = request.mutable_params();
    params->mutable_data()->set_type(type);
    params->mutable_data()->set_payload(payload);
    params->mutable_params()->set_csr(csr);
    return request;
  }

  // Runs one AttestAgent stream: sends `first`, answers each challenge with `answer`.
  AttestOutcome attest(const agentv1::AttestAgentRequest& first,
                       const ChallengeAnswer& answer = {}) {
    AttestOutcome outcome;
    grpc::ClientContext ctx;
    auto stream = stub_->AttestAgent(&ctx);
    stream->Write(first);
    agentv1::AttestAgentResponse response;
    while (stream->Read(&response)) {
      if (response.has_result()) {
        outcome.result = response.result();
        continue;
      }
      ++outcome.challenges;
      agentv1::AttestAgentRequest reply;
      reply.set_challenge_response(answer ? answer(response.challenge()) : std::string());
      stream->Write(reply);
    }
    stream->WritesDone();
    outcome.status = stream->Finish();
    return outcome;
  }

  AttestOutcome attestJoinToken(const std::string& token, const EVP_PKEY& key) {
    return attest(attestRequest("join_token", token, csrDer(key)));
  }

  // CreateJoinToken through the service; fails the test on error.
  types::JoinToken createToken(std::int32_t ttl, const std::string& value = {}) {
    agentv1::CreateJoinTokenRequest request;
    request.set_ttl(ttl);
    request.set_token(value);
    types::JoinToken token;
    grpc::ClientContext ctx;
    grpc::Status status = stub_->CreateJoinToken(&ctx, request, &token);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return token;
  }

  std::optional<plugin_host::AttestedNode> node(const std::string& id) {
    auto fetched = fixture_->datastore().fetchAttestedNode(id);
    EXPECT_TRUE(fetched.isOk()) << fetched.status().message();
    return fetched ? *fetched : std::nullopt;
  }

  // Stores a node and its selectors directly (as an earlier attestation would have).
  void addNode(const std::string& id, const std::string& type, const std::string& serial,
               std::int64_t not_after, bool can_reattest,
               const std::vector<plugin_host::Selector>& selectors = {}) {
    plugin_host::AttestedNode n;
    n.spiffe_id = id;
    n.attestation_data_type = type;
    n.cert_serial_number = serial;
    n.cert_not_after = not_after;
    n.can_reattest = can_reattest;
    auto created = fixture_->datastore().createAttestedNode(n);
    ASSERT_TRUE(created.isOk()) << created.status().message();
    ASSERT_TRUE(fixture_->datastore().setNodeSelectors(id, selectors).isOk());
    fixture_->index().setNodeSelectors(id, selectors);
  }

  static types::SPIFFEID protoId(const std::string& id) {
    types::SPIFFEID out;
    auto parsed = spiffe::SpiffeId::parse(id);
    EXPECT_TRUE(parsed.isOk()) << id;
    if (parsed) {
      fillProtoId(*parsed, &out);
    }
    return out;
  }

  std::unique_ptr<ServerFixture> fixture_;
  FixedAuthorizer authorizer_;
  std::unique_ptr<AgentService> service_;
  std::unique_ptr<InProcessServer> server_;
  std::unique_ptr<agentv1::Agent::Stub> stub_;
};

} // namespace spire::server::api::testing
