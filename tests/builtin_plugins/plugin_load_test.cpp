// Every built-in plugin .so loaded through the real plugin host (core/plugin_host) and driven
// through the daemon-side facades, exactly as spire-server / spire-agent use them.

#include <algorithm>
#include <filesystem>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/rsa.h>

#include "builtin_plugins/test_pki.h"
#include "config/plugin_config.h"
#include "plugin_host/key_manager.h"
#include "plugin_host/loader.h"
#include "plugin_host/node_attestor.h"
#include "plugin_host/upstream_authority.h"
#include "plugin_host/workload_attestor.h"
#include "shared/crypto_util.h"
#include "shared/file_util.h"

namespace spire::builtin {
namespace {

using plugin_host::Role;
using testing::CertSpec;
using testing::TempDir;
using Bytes = plugin_host::Bytes;

Result<plugin_host::LoadedPluginPtr> load(Role role, const std::string& type,
                                          const std::string& name,
                                          const std::string& data_json = "{}") {
  config::PluginSpec spec;
  spec.type = type;
  spec.name = name;
  spec.data_json = data_json;
  plugin_host::LoaderOptions options;
  options.role = role;
  options.plugin_dir = SPIRE_BUILTIN_PLUGIN_DIR;
  options.trust_domain = "example.org";
  auto loaded = plugin_host::loadPlugin(spec, options);
  if (!loaded) {
    return Status(static_cast<Code>(loaded.status().code()), loaded.status().message());
  }
  return *loaded;
}

plugin_host::LoadedPluginPtr mustLoad(Role role, const std::string& type, const std::string& name,
                                      const std::string& data_json = "{}") {
  auto loaded = load(role, type, name, data_json);
  EXPECT_TRUE(loaded.isOk()) << loaded.status().message();
  return loaded.isOk() ? *loaded : nullptr;
}

Bytes bytesOf(const std::string& s) {
  return Bytes(s.begin(), s.end());
}
std::string stringOf(const Bytes& b) {
  return std::string(b.begin(), b.end());
}

bool verifySignature(const Bytes& pkix, const std::string& digest, const Bytes& sig,
                     const EVP_MD* md, bool pss = false, int salt = RSA_PSS_SALTLEN_AUTO) {
  const auto* p = pkix.data();
  PkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(pkix.size())));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!key || EVP_PKEY_verify_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), md) != 1) {
    return false;
  }
  if (pss) {
    EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), salt);
  }
  return EVP_PKEY_verify(ctx.get(), sig.data(), sig.size(),
                         reinterpret_cast<const unsigned char*>(digest.data()), digest.size()) == 1;
}

bool hasSelector(const std::vector<plugin_host::Selector>& selectors, const std::string& type,
                 const std::string& value) {
  return std::find(selectors.begin(), selectors.end(), plugin_host::Selector{type, value}) !=
         selectors.end();
}

// ---- Descriptors and file names ----

TEST(BuiltinPluginLoadTest, EveryBuiltinLoadsUnderItsConfigName) {
  struct Case {
    Role role;
    const char* type;
    const char* name;
    spire_plugin_type abi_type;
  };
  TempDir dir;
  for (const Case& c :
       {Case{Role::kServer, "KeyManager", "memory", SPIRE_PLUGIN_TYPE_KEY_MANAGER},
        Case{Role::kAgent, "KeyManager", "memory", SPIRE_PLUGIN_TYPE_KEY_MANAGER},
        Case{Role::kAgent, "WorkloadAttestor", "unix", SPIRE_PLUGIN_TYPE_WORKLOAD_ATTESTOR},
        Case{Role::kAgent, "NodeAttestor", "join_token", SPIRE_PLUGIN_TYPE_AGENT_NODE_ATTESTOR},
        Case{Role::kServer, "NodeAttestor", "join_token",
             SPIRE_PLUGIN_TYPE_SERVER_NODE_ATTESTOR}}) {
    auto plugin = mustLoad(c.role, c.type, c.name);
    ASSERT_NE(plugin, nullptr) << c.type << " " << c.name;
    EXPECT_EQ(plugin->type(), c.abi_type);
    EXPECT_EQ(plugin->info().name, c.name);
    EXPECT_EQ(plugin->info().version, "0.1.0");
  }
  // Only spire_plugin_entry is exported (checked by the version script); the info command sees
  // both sides of a node attestor .so.
  auto info = plugin_host::pluginInfoText(std::string(SPIRE_BUILTIN_PLUGIN_DIR) +
                                          "/node_attestor_x509pop.so");
  ASSERT_TRUE(info.isOk()) << info.status().message();
  EXPECT_NE(info->find("x509pop"), std::string::npos);
}

// ---- KeyManager ----

TEST(BuiltinPluginLoadTest, MemoryKeyManagerRoundTrip) {
  for (Role role : {Role::kServer, Role::kAgent}) {
    plugin_host::KeyManagerPlugin km(mustLoad(role, "KeyManager", "memory"));
    auto generated = km.generateKey("x509-CA-A", SPIRE_KEY_TYPE_EC_P256);
    ASSERT_TRUE(generated.isOk()) << generated.status().message();
    EXPECT_EQ(generated->id, "x509-CA-A");
    EXPECT_EQ(generated->type, SPIRE_KEY_TYPE_EC_P256);
    EXPECT_EQ(generated->fingerprint, hexEncode(sha256(stringOf(generated->pkix_der))));

    auto fetched = km.getPublicKey("x509-CA-A");
    ASSERT_TRUE(fetched.isOk());
    EXPECT_EQ(fetched->pkix_der, generated->pkix_der);
    auto all = km.getPublicKeys();
    ASSERT_TRUE(all.isOk());
    EXPECT_EQ(all->size(), 1u);

    std::string digest = sha256("to be signed");
    auto sig =
        km.signData("x509-CA-A", bytesOf(digest), plugin_host::SignerOpts{SPIRE_HASH_SHA256});
    ASSERT_TRUE(sig.isOk()) << sig.status().message();
    EXPECT_EQ(sig->fingerprint, generated->fingerprint);
    EXPECT_TRUE(verifySignature(generated->pkix_der, digest, sig->signature, EVP_sha256()));

    auto missing = km.getPublicKey("nope");
    EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
    EXPECT_EQ(missing.status().message(), "KeyManager \"memory\": no such key \"nope\"");
    auto bad = km.generateKey("k", SPIRE_KEY_TYPE_UNSPECIFIED);
    EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(bad.status().message(),
              "KeyManager \"memory\": failed to generate key: key type is required");
    auto pss_ec = km.signData("x509-CA-A", bytesOf(digest),
                              plugin_host::SignerOpts{SPIRE_HASH_SHA256, true, 32});
    EXPECT_EQ(pss_ec.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(pss_ec.status().message(), "KeyManager \"memory\": failed to sign data: PSS options "
                                         "are only valid for RSA keys");
  }
}

TEST(BuiltinPluginLoadTest, DiskKeyManagerPersistsAndReloads) {
  TempDir dir;
  const std::string keys = dir.file("keys.json");
  const std::string config = nlohmann::json{{"keys_path", keys}}.dump();
  plugin_host::PublicKey generated;
  {
    plugin_host::KeyManagerPlugin km(mustLoad(Role::kServer, "KeyManager", "disk", config));
    auto pub = km.generateKey("JWT-Signer-A", SPIRE_KEY_TYPE_RSA_2048);
    ASSERT_TRUE(pub.isOk()) << pub.status().message();
    generated = *pub;
  }
  struct stat st {};
  ASSERT_EQ(::stat(keys.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  // A new instance (a restarted server) finds the key and signs with it.
  plugin_host::KeyManagerPlugin km(mustLoad(Role::kServer, "KeyManager", "disk", config));
  auto pub = km.getPublicKey("JWT-Signer-A");
  ASSERT_TRUE(pub.isOk()) << pub.status().message();
  EXPECT_EQ(pub->fingerprint, generated.fingerprint);
  EXPECT_EQ(pub->type, SPIRE_KEY_TYPE_RSA_2048);
  std::string digest = sha256("jwt");
  auto pkcs1 = km.signData("JWT-Signer-A", bytesOf(digest), {SPIRE_HASH_SHA256});
  ASSERT_TRUE(pkcs1.isOk()) << pkcs1.status().message();
  EXPECT_TRUE(verifySignature(pub->pkix_der, digest, pkcs1->signature, EVP_sha256()));
  auto pss = km.signData("JWT-Signer-A", bytesOf(digest), {SPIRE_HASH_SHA256, true, 0});
  ASSERT_TRUE(pss.isOk()) << pss.status().message();
  EXPECT_TRUE(verifySignature(pub->pkix_der, digest, pss->signature, EVP_sha256(), true, 32));

  // The agent names a directory; validate reports where the keys go.
  auto agent_km = mustLoad(Role::kAgent, "KeyManager", "disk",
                           nlohmann::json{{"directory", dir.path()}}.dump());
  ASSERT_NE(agent_km, nullptr);
  auto report = agent_km->validate("example.org", nlohmann::json{{"directory", "/x"}}.dump());
  ASSERT_TRUE(report.isOk());
  EXPECT_TRUE(report->valid);
  EXPECT_EQ(report->notes, std::vector<std::string>{"keys are stored in /x/keys.json"});
}

TEST(BuiltinPluginLoadTest, DiskKeyManagerBadConfigRefusesToLoad) {
  auto loaded = load(Role::kServer, "KeyManager", "disk", "{}");
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(loaded.status().message(), "KeyManager \"disk\": failed to configure plugin: keys_path "
                                       "(server) or directory (agent) is required");
}

// ---- WorkloadAttestor ----

TEST(BuiltinPluginLoadTest, UnixAttestorOnTheTestProcess) {
  plugin_host::WorkloadAttestorPlugin unix_attestor(
      mustLoad(Role::kAgent, "WorkloadAttestor", "unix", R"({"discover_workload_path": true})"));
  auto selectors = unix_attestor.attest(static_cast<int32_t>(::getpid()));
  ASSERT_TRUE(selectors.isOk()) << selectors.status().message();
  EXPECT_TRUE(hasSelector(*selectors, "unix", "uid:" + std::to_string(::geteuid())));
  EXPECT_TRUE(hasSelector(*selectors, "unix", "gid:" + std::to_string(::getegid())));
  EXPECT_TRUE(hasSelector(*selectors, "unix",
                          "path:" + std::filesystem::read_symlink("/proc/self/exe").string()));
  auto exe = readFile("/proc/self/exe");
  ASSERT_TRUE(exe.isOk());
  EXPECT_TRUE(hasSelector(*selectors, "unix", "sha256:" + hexEncode(sha256(*exe))));

  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::_exit(0);
  }
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  auto gone = unix_attestor.attest(static_cast<int32_t>(child));
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(gone.status().message(), "WorkloadAttestor \"unix\": failed to get process: process " +
                                         std::to_string(child) + " does not exist");
}

TEST(BuiltinPluginLoadTest, UnixAttestorBadConfigRefusesToLoad) {
  auto loaded = load(Role::kAgent, "WorkloadAttestor", "unix", R"({"workload_size_limit": "1"})");
  EXPECT_EQ(loaded.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(loaded.status().message(), "WorkloadAttestor \"unix\": failed to configure plugin: "
                                       "configuration key \"workload_size_limit\" must be an "
                                       "integer");
}

// ---- NodeAttestor x509pop ----

struct X509PopFiles {
  explicit X509PopFiles(const std::string& root_cn = "root") {
    root_key = testing::makeEcKey();
    root = testing::makeCert(CertSpec{.common_name = root_cn, .is_ca = true}, root_key.get(),
                             nullptr, nullptr);
    leaf_key = testing::makeEcKey();
    leaf = testing::makeCert(CertSpec{.common_name = "node-7"}, leaf_key.get(), root.get(),
                             root_key.get());
    agent_config =
        nlohmann::json{
            {"private_key_path", dir.write("agent.key", testing::keyPem(leaf_key.get()))},
            {"certificate_path", dir.write("agent.crt", testing::certPem(leaf.get()))}}
            .dump();
    server_config =
        nlohmann::json{{"ca_bundle_path", dir.write("ca.crt", testing::certPem(root.get()))}}
            .dump();
  }
  TempDir dir;
  PkeyPtr root_key, leaf_key;
  CertPtr root, leaf;
  std::string agent_config, server_config;
};

TEST(BuiltinPluginLoadTest, X509PopChallengeResponseBetweenAgentAndServerPlugins) {
  X509PopFiles files;
  plugin_host::AgentNodeAttestorPlugin agent(
      mustLoad(Role::kAgent, "NodeAttestor", "x509pop", files.agent_config));
  plugin_host::ServerNodeAttestorPlugin server(
      mustLoad(Role::kServer, "NodeAttestor", "x509pop", files.server_config));

  auto session = agent.begin();
  ASSERT_TRUE(session.isOk()) << session.status().message();
  int challenges = 0;
  auto result = server.attest((*session)->payload(), [&](const Bytes& challenge) {
    ++challenges;
    auto answer = (*session)->answer(challenge);
    return answer.isOk() ? spire::Result<Bytes>(*answer) : spire::Result<Bytes>(answer.status());
  });
  ASSERT_TRUE(result.isOk()) << result.status().message();
  EXPECT_EQ(challenges, 1);
  EXPECT_TRUE(result->done());
  EXPECT_EQ(result->attributes.spiffe_id, "spiffe://example.org/spire/agent/x509pop/" +
                                              hexEncode(sha1(testing::der(files.leaf.get()))));
  EXPECT_TRUE(result->attributes.can_reattest);
  EXPECT_TRUE(hasSelector(result->selectors, "x509pop", "subject:cn:node-7"));
  EXPECT_TRUE(hasSelector(result->selectors, "x509pop",
                          "ca:fingerprint:" + hexEncode(sha1(testing::der(files.root.get())))));
}

TEST(BuiltinPluginLoadTest, X509PopRefusesWrongCaAndBadSignature) {
  X509PopFiles files;
  X509PopFiles other("another-root");
  plugin_host::AgentNodeAttestorPlugin agent(
      mustLoad(Role::kAgent, "NodeAttestor", "x509pop", files.agent_config));
  auto relay_to = [](plugin_host::AgentAttestSession& s, bool tamper) {
    return [&s, tamper](const Bytes& challenge) -> spire::Result<Bytes> {
      auto answer = s.answer(challenge);
      if (!answer) {
        return answer.status();
      }
      std::string json = stringOf(*answer);
      if (tamper) {
        auto doc = nlohmann::json::parse(json);
        std::string r;
        base64Decode(doc["ecdsa_signature"]["r"].get<std::string>(), r);
        r[3] = static_cast<char>(r[3] ^ 0x40);
        doc["ecdsa_signature"]["r"] = base64Encode(r);
        json = doc.dump();
      }
      return bytesOf(json);
    };
  };

  plugin_host::ServerNodeAttestorPlugin wrong_ca(
      mustLoad(Role::kServer, "NodeAttestor", "x509pop", other.server_config));
  auto session = agent.begin();
  ASSERT_TRUE(session.isOk());
  auto result = wrong_ca.attest((*session)->payload(), relay_to(**session, false));
  EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(result.status().message(), "NodeAttestor \"x509pop\": certificate verification failed: "
                                       "unable to get local issuer certificate");

  plugin_host::ServerNodeAttestorPlugin server(
      mustLoad(Role::kServer, "NodeAttestor", "x509pop", files.server_config));
  session = agent.begin();
  ASSERT_TRUE(session.isOk());
  result = server.attest((*session)->payload(), relay_to(**session, true));
  EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(result.status().message(), "NodeAttestor \"x509pop\": challenge response verification "
                                       "failed: ECDSA signature verify failed");
}

// ---- NodeAttestor join_token ----

TEST(BuiltinPluginLoadTest, JoinTokenAgentSendsTokenServerSideDefersToDatastore) {
  plugin_host::AgentNodeAttestorPlugin agent(
      mustLoad(Role::kAgent, "NodeAttestor", "join_token", R"({"join_token": "abc-123"})"));
  auto session = agent.begin();
  ASSERT_TRUE(session.isOk()) << session.status().message();
  EXPECT_EQ(stringOf((*session)->payload()), "abc-123");

  plugin_host::AgentNodeAttestorPlugin no_token(
      mustLoad(Role::kAgent, "NodeAttestor", "join_token"));
  auto refused = no_token.begin();
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().message(), "NodeAttestor \"join_token\": join token is required: set "
                                        "join_token in the agent configuration");

  plugin_host::ServerNodeAttestorPlugin server(
      mustLoad(Role::kServer, "NodeAttestor", "join_token"));
  auto begun = server.begin(bytesOf("abc-123"));
  EXPECT_EQ(begun.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(begun.status().message(), "NodeAttestor \"join_token\": join tokens are verified by "
                                      "the server against its datastore, not by the plugin");
}

// ---- UpstreamAuthority disk ----

TEST(BuiltinPluginLoadTest, DiskUpstreamAuthorityMintsVerifiableCa) {
  TempDir dir;
  PkeyPtr up_key = testing::makeEcKey();
  CertPtr up_cert = testing::makeCert(CertSpec{.common_name = "upstream", .is_ca = true},
                                      up_key.get(), nullptr, nullptr);
  std::string config =
      nlohmann::json{{"cert_file_path", dir.write("up.crt", testing::certPem(up_cert.get()))},
                     {"key_file_path", dir.write("up.key", testing::keyPem(up_key.get()))}}
          .dump();
  plugin_host::UpstreamAuthorityPlugin ua(
      mustLoad(Role::kServer, "UpstreamAuthority", "disk", config));
  PkeyPtr server_key = testing::makeEcKey();
  std::string csr = testing::makeCsrDer(server_key.get(), {"spiffe://example.org"});
  auto minted = ua.mintX509Ca(bytesOf(csr), 3600, plugin_host::UpstreamHandlers{});
  ASSERT_TRUE(minted.isOk()) << minted.status().message();
  ASSERT_EQ(minted->ca.chain.size(), 1u);
  ASSERT_EQ(minted->ca.roots.size(), 1u);
  EXPECT_EQ(stringOf(minted->ca.roots[0]), testing::der(up_cert.get()));
  CertPtr ca = testing::fromDer(stringOf(minted->ca.chain[0]));
  ASSERT_NE(ca, nullptr);
  EXPECT_TRUE(testing::verifies(ca.get(), {}, {up_cert.get()}));
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  // The plugin pushes no updates: its stream is closed once the mint returns.
  ASSERT_NE(minted->stream, nullptr);
  EXPECT_TRUE(minted->stream->closed());

  auto bad = ua.mintX509Ca(bytesOf(testing::makeCsrDer(server_key.get(), {"spiffe://evil.org"})), 0,
                           plugin_host::UpstreamHandlers{});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "UpstreamAuthority \"disk\": unable to sign CSR: CSR SPIFFE ID "
                                    "\"spiffe://evil.org\" is not the trust domain ID for trust "
                                    "domain \"example.org\"");
  auto jwt = ua.publishJwtKey(plugin_host::JwtKey{}, plugin_host::UpstreamHandlers{});
  EXPECT_EQ(jwt.status().code(), StatusCode::kUnimplemented);
}

} // namespace
} // namespace spire::builtin
