// NodeAttestor "x509pop": the agent and server logic talking to each other, with generated CAs.

#include <algorithm>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "builtin_plugins/test_pki.h"
#include "node_attestor/x509pop/x509pop_agent.h"
#include "node_attestor/x509pop/x509pop_server.h"
#include "shared/crypto_util.h"

namespace spire::builtin::x509pop {
namespace {

using testing::CertSpec;
using testing::TempDir;

// A root CA, an intermediate CA and an agent leaf, written as the agent and server expect them.
struct Pki {
  explicit Pki(bool rsa_leaf = false, bool digital_signature = true,
               std::string leaf_cn = "agent-1", std::string root_cn = "root") {
    root_key = testing::makeEcKey();
    root = testing::makeCert(CertSpec{.common_name = root_cn, .is_ca = true}, root_key.get(),
                             nullptr, nullptr);
    inter_key = testing::makeEcKey();
    inter = testing::makeCert(CertSpec{.common_name = "inter", .is_ca = true}, inter_key.get(),
                              root.get(), root_key.get());
    leaf_key = rsa_leaf ? testing::makeRsaKey() : testing::makeEcKey();
    CertSpec leaf_spec{.common_name = std::move(leaf_cn),
                       .digital_signature = digital_signature,
                       .uris = {"x509pop://example.org/datacenter:us-east-1",
                                "x509pop://other.org/ignored:yes", "spiffe://example.org/x"},
                       .serial = 0x0a1b2c3d4e5f};
    leaf = testing::makeCert(leaf_spec, leaf_key.get(), inter.get(), inter_key.get());
    key_path = dir.write("agent.key", testing::keyPemTraditional(leaf_key.get()));
    cert_path =
        dir.write("agent.crt", testing::certPem(leaf.get()) + testing::certPem(inter.get()));
    bundle_path = dir.write("ca.crt", testing::certPem(root.get()));
  }
  std::string agentConfig() const {
    return nlohmann::json{{"private_key_path", key_path}, {"certificate_path", cert_path}}.dump();
  }
  std::string serverConfig(nlohmann::json extra = nlohmann::json::object()) const {
    extra["ca_bundle_path"] = bundle_path;
    return extra.dump();
  }

  TempDir dir;
  PkeyPtr root_key, inter_key, leaf_key;
  CertPtr root, inter, leaf;
  std::string key_path, cert_path, bundle_path;
};

Result<AgentAttributes> runAttestation(const X509PopAgent& agent, const X509PopServer& server) {
  auto payload = agent.payload();
  if (!payload) {
    return payload.status();
  }
  auto session = server.newSession();
  if (!session) {
    return session.status();
  }
  auto challenge = (*session)->begin(*payload);
  if (!challenge) {
    return challenge.status();
  }
  auto response = agent.respond(*challenge);
  if (!response) {
    return response.status();
  }
  return (*session)->finish(*response);
}

TEST(X509PopTest, EcChallengeResponseProducesAgentIdAndSelectors) {
  Pki pki;
  X509PopAgent agent;
  ASSERT_TRUE(agent.configure(pki.agentConfig()).isOk());
  X509PopServer server;
  ASSERT_TRUE(server.configure("example.org", pki.serverConfig()).isOk());

  auto attrs = runAttestation(agent, server);
  ASSERT_TRUE(attrs.isOk()) << attrs.status().message();
  std::string leaf_fp = hexEncode(sha1(testing::der(pki.leaf.get())));
  EXPECT_EQ(attrs->spiffe_id, "spiffe://example.org/spire/agent/x509pop/" + leaf_fp);
  EXPECT_TRUE(attrs->can_reattest);
  std::vector<std::string> want = {
      "subject:cn:agent-1",
      "ca:fingerprint:" + hexEncode(sha1(testing::der(pki.inter.get()))),
      "ca:fingerprint:" + hexEncode(sha1(testing::der(pki.root.get()))),
      "serialnumber:a1b2c3d4e5f",
      "san:datacenter:us-east-1",
  };
  EXPECT_EQ(attrs->selector_values, want);
}

TEST(X509PopTest, RsaLeafWithSeparateIntermediatesFile) {
  Pki pki(/*rsa_leaf=*/true);
  std::string leaf_only = pki.dir.write("leaf.crt", testing::certPem(pki.leaf.get()));
  std::string inters = pki.dir.write("inter.crt", testing::certPem(pki.inter.get()));
  X509PopAgent agent;
  ASSERT_TRUE(agent
                  .configure(nlohmann::json{{"private_key_path", pki.key_path},
                                            {"certificate_path", leaf_only},
                                            {"intermediates_path", inters}}
                                 .dump())
                  .isOk());
  X509PopServer server;
  ASSERT_TRUE(
      server.configure("example.org", nlohmann::json{{"ca_bundle_paths", {pki.bundle_path}}}.dump())
          .isOk());
  auto payload = agent.payload();
  ASSERT_TRUE(payload.isOk());
  auto certs = decodeAttestationData(*payload);
  ASSERT_TRUE(certs.isOk());
  EXPECT_EQ(certs->size(), 2u);

  auto session = server.newSession();
  ASSERT_TRUE(session.isOk());
  auto challenge = (*session)->begin(*payload);
  ASSERT_TRUE(challenge.isOk()) << challenge.status().message();
  auto decoded = decodeChallenge(*challenge);
  ASSERT_TRUE(decoded.isOk());
  EXPECT_EQ(decoded->kind, SignatureKind::kRsa);
  EXPECT_EQ(decoded->nonce.size(), kNonceLen);
  auto response = agent.respond(*challenge);
  ASSERT_TRUE(response.isOk()) << response.status().message();
  auto attrs = (*session)->finish(*response);
  ASSERT_TRUE(attrs.isOk()) << attrs.status().message();
}

TEST(X509PopTest, WrongCaIsRefused) {
  Pki pki;
  X509PopAgent agent;
  ASSERT_TRUE(agent.configure(pki.agentConfig()).isOk());
  // A CA of another name, and a CA with the same name but another key.
  Pki other_name(false, true, "agent-1", "other-root");
  Pki same_name;
  for (const auto& [other, why] :
       {std::pair<Pki*, std::string>{&other_name, "unable to get local issuer certificate"},
        std::pair<Pki*, std::string>{&same_name, "certificate signature failure"}}) {
    X509PopServer server;
    ASSERT_TRUE(server.configure("example.org", other->serverConfig()).isOk());
    auto attrs = runAttestation(agent, server);
    ASSERT_FALSE(attrs.isOk());
    EXPECT_EQ(attrs.status().code(), Code::kPermissionDenied);
    EXPECT_EQ(attrs.status().message(), "certificate verification failed: " + why);
  }
}

TEST(X509PopTest, BadSignatureIsRefused) {
  for (bool rsa : {false, true}) {
    Pki pki(rsa);
    X509PopAgent agent;
    ASSERT_TRUE(agent.configure(pki.agentConfig()).isOk());
    X509PopServer server;
    ASSERT_TRUE(server.configure("example.org", pki.serverConfig()).isOk());
    auto session = server.newSession();
    auto challenge = (*session)->begin(*agent.payload());
    ASSERT_TRUE(challenge.isOk());
    auto response = decodeResponse(*agent.respond(*challenge));
    ASSERT_TRUE(response.isOk());
    if (rsa) {
      response->signature[10] = static_cast<char>(response->signature[10] ^ 1);
    } else {
      response->s[5] = static_cast<char>(response->s[5] ^ 1);
    }
    auto attrs = (*session)->finish(encodeResponse(*response));
    ASSERT_FALSE(attrs.isOk());
    EXPECT_EQ(attrs.status().code(), Code::kPermissionDenied);
    EXPECT_EQ(attrs.status().message(),
              std::string("challenge response verification failed: ") +
                  (rsa ? "RSA signature verify failed" : "ECDSA signature verify failed"));
  }
}

TEST(X509PopTest, ResponseToAnotherChallengeIsRefused) {
  Pki pki;
  X509PopAgent agent;
  ASSERT_TRUE(agent.configure(pki.agentConfig()).isOk());
  X509PopServer server;
  ASSERT_TRUE(server.configure("example.org", pki.serverConfig()).isOk());
  auto first = *server.newSession();
  auto second = *server.newSession();
  auto c1 = first->begin(*agent.payload());
  auto c2 = second->begin(*agent.payload());
  ASSERT_TRUE(c1.isOk() && c2.isOk());
  auto attrs = second->finish(*agent.respond(*c1));
  EXPECT_EQ(attrs.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(attrs.status().message(),
            "challenge response verification failed: ECDSA signature verify failed");
  // A session answers one response only.
  attrs = second->finish(*agent.respond(*c2));
  EXPECT_EQ(attrs.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(attrs.status().message(), "no challenge was issued");
}

TEST(X509PopTest, LeafWithoutDigitalSignatureIsRefused) {
  Pki pki(false, /*digital_signature=*/false);
  X509PopAgent agent;
  ASSERT_TRUE(agent.configure(pki.agentConfig()).isOk());
  X509PopServer server;
  ASSERT_TRUE(server.configure("example.org", pki.serverConfig()).isOk());
  auto challenge = (*server.newSession())->begin(*agent.payload());
  EXPECT_EQ(challenge.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(challenge.status().message(),
            "unable to generate challenge: certificate not intended for digital signature use");
}

TEST(X509PopTest, MalformedPayloadsAndResponses) {
  Pki pki;
  X509PopServer server;
  ASSERT_TRUE(server.configure("example.org", pki.serverConfig()).isOk());
  auto begin = [&](const std::string& payload) { return (*server.newSession())->begin(payload); };
  EXPECT_EQ(begin("nope").status().message(), "failed to unmarshal data: not a JSON object");
  EXPECT_EQ(begin("nope").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(begin(R"({"certificates": []})").status().message(), "no certificate to attest");
  EXPECT_EQ(begin(R"({})").status().message(), "no certificate to attest");
  EXPECT_EQ(begin(R"({"certificates": "x"})").status().message(),
            "failed to unmarshal data: \"certificates\" is not a list");
  EXPECT_EQ(begin(R"({"certificates": ["%%%"]})").status().message(),
            "failed to unmarshal data: certificate is not base64");
  EXPECT_EQ(begin(R"({"certificates": ["AAAA"]})").status().message(),
            "unable to parse leaf certificate: malformed DER certificate");
  std::string leaf64 = base64Encode(testing::der(pki.leaf.get()));
  EXPECT_EQ(begin(R"({"certificates": [")" + leaf64 + R"(", "AAAA"]})").status().message(),
            "unable to parse intermediate certificate 0: malformed DER certificate");

  auto session = *server.newSession();
  EXPECT_EQ(session->finish("{}").status().code(), Code::kFailedPrecondition);
  X509PopAgent agent;
  ASSERT_TRUE(agent.configure(pki.agentConfig()).isOk());
  ASSERT_TRUE(session->begin(*agent.payload()).isOk());
  auto attrs = session->finish(R"({"rsa_signature": null, "ecdsa_signature": null})");
  EXPECT_EQ(attrs.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(attrs.status().message(),
            "failed to unmarshal challenge response: expected exactly one signature kind");

  // The failed response consumed the challenge: a second answer is refused.
  EXPECT_EQ(session->finish("{}").status().code(), Code::kFailedPrecondition);
}

TEST(X509PopTest, ShortNonceIsRefused) {
  Pki pki;
  X509PopAgent agent;
  ASSERT_TRUE(agent.configure(pki.agentConfig()).isOk());
  X509PopServer server;
  ASSERT_TRUE(server.configure("example.org", pki.serverConfig()).isOk());
  auto session = *server.newSession();
  auto challenge = session->begin(*agent.payload());
  auto response = decodeResponse(*agent.respond(*challenge));
  response->nonce.resize(8);
  auto attrs = session->finish(encodeResponse(*response));
  EXPECT_EQ(attrs.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(attrs.status().message(), "challenge response verification failed: invalid response "
                                      "nonce");
  // And an agent refuses a challenge whose nonce is not 32 bytes.
  Challenge bad{SignatureKind::kEcdsa, "short"};
  auto r = agent.respond(encodeChallenge(bad));
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "failed to calculate challenge response: invalid challenge nonce");
  bad.kind = SignatureKind::kRsa;
  r = agent.respond(encodeChallenge(bad));
  EXPECT_EQ(r.status().message(), "failed to calculate challenge response: expecting ECDSA "
                                  "challenge");
}

TEST(X509PopTest, GoShapedJsonDecodes) {
  // What SPIRE's Go agent and server put on the wire (nil pointers are JSON null).
  std::string nonce = std::string(32, '\x01');
  auto challenge = decodeChallenge(R"({"rsa_signature":null,"ecdsa_signature":{"nonce":")" +
                                   base64Encode(nonce) + R"("}})");
  ASSERT_TRUE(challenge.isOk());
  EXPECT_EQ(challenge->kind, SignatureKind::kEcdsa);
  EXPECT_EQ(challenge->nonce, nonce);
  auto round = decodeChallenge(encodeChallenge(*challenge));
  ASSERT_TRUE(round.isOk());
  EXPECT_EQ(round->nonce, nonce);
  nlohmann::json encoded = nlohmann::json::parse(encodeChallenge(*challenge));
  EXPECT_TRUE(encoded["rsa_signature"].is_null());
  EXPECT_EQ(encoded["ecdsa_signature"]["nonce"], base64Encode(nonce));
}

TEST(X509PopTest, AgentPathTemplates) {
  Pki pki;
  X509PopAgent agent;
  ASSERT_TRUE(agent.configure(pki.agentConfig()).isOk());
  X509PopServer server;
  ASSERT_TRUE(
      server
          .configure("example.org",
                     pki.serverConfig({{"agent_path_template",
                                        "/cn/{{ .Subject.CommonName }}/{{.SerialNumberHex}}"}}))
          .isOk());
  auto attrs = runAttestation(agent, server);
  ASSERT_TRUE(attrs.isOk()) << attrs.status().message();
  EXPECT_EQ(attrs->spiffe_id, "spiffe://example.org/spire/agent/cn/agent-1/a1b2c3d4e5f");

  Status st = server.configure(
      "example.org", pki.serverConfig({{"agent_path_template", "{{ .Subject.Organization }}"}}));
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "invalid agent_path_template: unknown field \".Subject.Organization\"");
  st = server.configure("example.org",
                        pki.serverConfig({{"agent_path_template", "{{ .Fingerprint"}}));
  EXPECT_EQ(st.message(), "invalid agent_path_template: unclosed action");
  st = server.configure("example.org", pki.serverConfig({{"agent_path_template", "{{ printf }}"}}));
  EXPECT_EQ(st.message(), "invalid agent_path_template: unsupported action \"{{printf}}\"");
}

TEST(X509PopTest, TemplateYieldingInvalidPathFails) {
  Pki pki(false, true, "bad name");
  X509PopAgent agent;
  ASSERT_TRUE(agent.configure(pki.agentConfig()).isOk());
  X509PopServer server;
  ASSERT_TRUE(server
                  .configure("example.org", pki.serverConfig({{"agent_path_template",
                                                               "cn/{{ .Subject.CommonName }}"}}))
                  .isOk());
  auto attrs = runAttestation(agent, server);
  EXPECT_EQ(attrs.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(attrs.status().message(), "failed to build agent ID: agent path \"cn/bad name\" has a "
                                      "character not allowed in a SPIFFE ID path");
  EXPECT_EQ(agentIdFromPath("td", "a/../b").status().message(),
            "agent path \"a/../b\" must not contain \"..\"");
  EXPECT_EQ(agentIdFromPath("td", "//").status().message(), "agent path is empty");
  EXPECT_EQ(*agentIdFromPath("td", "/x509pop//ab/"), "spiffe://td/spire/agent/x509pop/ab");
}

TEST(X509PopTest, ServerConfigErrors) {
  Pki pki;
  X509PopServer server;
  EXPECT_EQ(server.newSession().status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(server.newSession().status().message(), "not configured");
  auto check = [&](const std::string& td, const std::string& json, const std::string& message) {
    Status st = server.configure(td, json);
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << json;
    EXPECT_EQ(st.message(), message) << json;
  };
  check("", pki.serverConfig(), "trust_domain is required");
  check("example.org", "{}", "one of ca_bundle_path or ca_bundle_paths must be configured");
  check("example.org", pki.serverConfig({{"mode", "spiffe"}}),
        "mode \"spiffe\" is not supported by this build");
  check("example.org", pki.serverConfig({{"mode", "pki"}}),
        "invalid mode \"pki\": must be \"external_pki\" or \"spiffe\"");
  check("example.org", R"({"ca_bundle_paths": "x"})",
        "configuration key \"ca_bundle_paths\" must be a list of strings");
  check("example.org", R"({"ca_bundle_path": "/nonexistent/ca.pem"})",
        "unable to load trust bundle: unable to read \"/nonexistent/ca.pem\": No such file or "
        "directory");
  std::string empty = pki.dir.write("empty.pem", "");
  check("example.org", R"({"ca_bundle_path": ")" + empty + R"("})",
        "unable to load trust bundle \"" + empty + "\": no PEM certificates found");
  check("example.org", R"({"bundle": 1})", "unknown configuration key \"bundle\"");
  EXPECT_FALSE(server.newSession().isOk());
}

TEST(X509PopTest, AgentConfigErrors) {
  Pki pki;
  Pki other;
  X509PopAgent agent;
  EXPECT_EQ(agent.payload().status().message(), "not configured");
  auto check = [&](const nlohmann::json& json, const std::string& message) {
    Status st = agent.configure(json.dump());
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << json;
    EXPECT_EQ(st.message(), message) << json;
  };
  check({{"certificate_path", pki.cert_path}}, "private_key_path is required");
  check({{"private_key_path", pki.key_path}}, "certificate_path is required");
  check({{"private_key_path", pki.key_path}, {"certificate_path", other.cert_path}},
        "certificate and private key do not match");
  check({{"private_key_path", pki.cert_path}, {"certificate_path", pki.cert_path}},
        "unable to load private key \"" + pki.cert_path + "\": no PEM private key found");
  check({{"private_key_path", pki.key_path}, {"certificate_path", pki.key_path}},
        "unable to load certificate \"" + pki.key_path + "\": no PEM certificates found");
  check({{"private_key_path", "/nonexistent.key"}, {"certificate_path", pki.cert_path}},
        "unable to load private key: unable to read \"/nonexistent.key\": No such file or "
        "directory");
}

} // namespace
} // namespace spire::builtin::x509pop

namespace spire::builtin::x509pop {
namespace {

TEST(X509PopTest, AttestationKeepsItsSnapshotAcrossReconfigure) {
  Pki first;
  Pki second;
  X509PopAgent agent;
  ASSERT_TRUE(agent.configure(first.agentConfig()).isOk());
  auto snapshot = agent.snapshot();
  ASSERT_TRUE(snapshot.isOk());
  X509PopServer server;
  ASSERT_TRUE(server.configure("example.org", first.serverConfig()).isOk());
  auto session = *server.newSession();
  auto challenge = session->begin(X509PopAgent::payloadOf(**snapshot));
  ASSERT_TRUE(challenge.isOk());
  // The agent is reconfigured with another key mid-attestation; the running one is unaffected.
  ASSERT_TRUE(agent.configure(second.agentConfig()).isOk());
  auto response = X509PopAgent::respondWith(**snapshot, *challenge);
  ASSERT_TRUE(response.isOk());
  EXPECT_TRUE(session->finish(*response).isOk());
  EXPECT_EQ(X509PopAgent().snapshot().status().message(), "not configured");
}

} // namespace
} // namespace spire::builtin::x509pop
