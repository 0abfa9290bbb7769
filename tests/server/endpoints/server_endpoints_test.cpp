// ServerEndpoints end to end: real TLS on an ephemeral TCP port and the UDS socket, gRPC C++
// clients presenting (or not) X.509-SVIDs, the PolicyAuthorizer deciding, openssl s_client as
// an outside view of the listener, and SVID renewal when the CA rotates.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fstream>

#include "endpoints_test_util.h"
#include "google/rpc/status.pb.h"
#include "server/api/admin/health_service.h"
#include "server/endpoints/policy_authorizer.h"
#include "server/endpoints/server_endpoints.h"
#include "spire/api/types/status.pb.h"
#include "support/command.h"
#include "support/test_ca.h"

namespace spire::server::endpoints {
namespace {

using api::testing::ServerFixture;
using api::testing::ServerFixtureOptions;
using testing::agentSvid;
using testing::attest;
using testing::bundlePem;
using testing::clientContext;
using testing::ClientSvid;
using testing::tlsChannel;
using testing::udsChannel;
using testing::workloadSvid;
namespace bundlev1 = ::spire::api::server::bundle::v1;
namespace healthv1 = ::grpc::health::v1;

constexpr char kAgentId[] = "spiffe://example.org/spire/agent/join_token/tok";

class ServerEndpointsTest : public ::testing::Test {
protected:
  void SetUp() override { start({}); }
  void TearDown() override { stopAll(); }

  void start(ServerFixtureOptions options) {
    stopAll();
    options.fake_clock = true;
    auto created = ServerFixture::create(options);
    ASSERT_TRUE(created.isOk()) << created.status().message();
    fixture_ = std::move(*created);
    authorizer_ = std::make_unique<PolicyAuthorizer>(fixture_->state());
    probe_ = std::make_unique<testing::ProbeService>(*authorizer_);
    health_ = std::make_unique<api::HealthService>(fixture_->state(), *authorizer_);
    socket_path_ = (fixture_->dir() / "private" / "api.sock").string();
    auto endpoints =
        ServerEndpoints::start(config(), fixture_->state(), {probe_.get(), health_.get()});
    ASSERT_TRUE(endpoints.isOk()) << endpoints.status().message();
    endpoints_ = std::move(*endpoints);
  }
  EndpointsConfig config() const {
    EndpointsConfig c;
    c.bind_address = "127.0.0.1";
    c.bind_port = 0;
    c.socket_path = socket_path_;
    c.shutdown_grace = std::chrono::milliseconds(200);
    c.denial_details = authorizer_.get();
    return c;
  }
  void stopAll() {
    if (health_) {
      health_->shutdown();
    }
    endpoints_.reset();
    health_.reset();
    probe_.reset();
    authorizer_.reset();
    fixture_.reset();
  }

  std::unique_ptr<bundlev1::Bundle::Stub> probe(std::shared_ptr<grpc::Channel> channel) {
    return bundlev1::Bundle::NewStub(std::move(channel));
  }
  std::shared_ptr<grpc::Channel> tcp(const ClientSvid* client = nullptr) {
    return tlsChannel(endpoints_->tcpTarget(), bundlePem(*fixture_), client);
  }
  // GetBundle (any): the caller as the server saw it.
  std::string whoAmI(std::shared_ptr<grpc::Channel> channel) {
    ::spire::api::types::Bundle out;
    auto ctx = clientContext();
    grpc::Status st = probe(std::move(channel))->GetBundle(ctx.get(), {}, &out);
    EXPECT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
    return out.trust_domain();
  }
  grpc::Status federated(std::shared_ptr<grpc::Channel> channel, std::string* who = nullptr) {
    ::spire::api::types::Bundle out;
    auto ctx = clientContext();
    grpc::Status st = probe(std::move(channel))->GetFederatedBundle(ctx.get(), {}, &out);
    if (who != nullptr) {
      *who = out.trust_domain();
    }
    return st;
  }
  // The leaf certificate the TCP listener presents, as openssl sees it.
  std::string sClient(const std::string& extra = "") {
    return spire::testing::runCommand("openssl s_client -connect " + endpoints_->tcpTarget() +
                                      " -alpn h2 -showcerts " + extra + " </dev/null")
        .output;
  }

  std::unique_ptr<ServerFixture> fixture_;
  std::unique_ptr<PolicyAuthorizer> authorizer_;
  std::unique_ptr<testing::ProbeService> probe_;
  std::unique_ptr<api::HealthService> health_;
  std::string socket_path_;
  std::unique_ptr<ServerEndpoints> endpoints_;
};

TEST_F(ServerEndpointsTest, BindsAnEphemeralPortAndTheSocket) {
  EXPECT_GT(endpoints_->tcpPort(), 0);
  EXPECT_EQ(endpoints_->tcpTarget(), "127.0.0.1:" + std::to_string(endpoints_->tcpPort()));
  struct stat st = {};
  ASSERT_EQ(::lstat(socket_path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0007, 0u) << std::oct << st.st_mode; // nothing for others
  EXPECT_EQ(st.st_mode & 0770, 0770u) << std::oct << st.st_mode;
  struct stat dir = {};
  ASSERT_EQ(::stat((fixture_->dir() / "private").c_str(), &dir), 0);
  EXPECT_EQ(dir.st_mode & 0777, 0750u) << std::oct << dir.st_mode;
}

TEST_F(ServerEndpointsTest, StopRemovesTheSocket) {
  endpoints_->stop();
  struct stat st = {};
  EXPECT_NE(::lstat(socket_path_.c_str(), &st), 0);
  endpoints_->stop(); // idempotent
}

TEST_F(ServerEndpointsTest, UdsCallerIsLocalAndMayCallAdminMethods) {
  EXPECT_EQ(whoAmI(udsChannel(socket_path_)), "local=1 id=- admin=0 downstream=0 agent=0 chain=0");
  bundlev1::CountBundlesResponse count;
  auto ctx = clientContext();
  grpc::Status st = probe(udsChannel(socket_path_))->CountBundles(ctx.get(), {}, &count);
  ASSERT_TRUE(st.ok()) << st.error_message();
  healthv1::HealthCheckResponse health;
  auto hctx = clientContext();
  st = healthv1::Health::NewStub(udsChannel(socket_path_))->Check(hctx.get(), {}, &health);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(health.status(), healthv1::HealthCheckResponse::SERVING);
}

TEST_F(ServerEndpointsTest, AnonymousTcpCallerIsDeniedAdminMethods) {
  EXPECT_EQ(whoAmI(tcp()), "local=0 id=- admin=0 downstream=0 agent=0 chain=0");
  bundlev1::CountBundlesResponse count;
  auto ctx = clientContext();
  grpc::Status st = probe(tcp())->CountBundles(ctx.get(), {}, &count);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(st.error_message(),
            "authorization denied for method /spire.api.server.bundle.v1.Bundle/CountBundles");
  healthv1::HealthCheckResponse health;
  auto hctx = clientContext();
  st = healthv1::Health::NewStub(tcp())->Check(hctx.get(), {}, &health);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(st.error_message(), "authorization denied for method /grpc.health.v1.Health/Check");
}

TEST_F(ServerEndpointsTest, AttestedAgentOverTlsIsAnAgent) {
  ClientSvid svid = agentSvid(*fixture_, kAgentId);
  attest(*fixture_, kAgentId, svid);
  std::string who;
  grpc::Status st = federated(tcp(&svid), &who);
  ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
  EXPECT_EQ(who, std::string("local=0 id=") + kAgentId + " admin=0 downstream=0 agent=1 chain=1");
}

TEST_F(ServerEndpointsTest, UnknownSvidIsIdentifiedButNotAnAgent) {
  ClientSvid svid = workloadSvid(*fixture_, "spiffe://example.org/workload");
  auto channel = tcp(&svid);
  EXPECT_EQ(whoAmI(channel),
            "local=0 id=spiffe://example.org/workload admin=0 downstream=0 agent=0 chain=1");
  grpc::Status st = federated(channel);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      st.error_message(),
      "authorization denied for method /spire.api.server.bundle.v1.Bundle/GetFederatedBundle");
}

TEST_F(ServerEndpointsTest, CertificateFromAnotherCaIsRejectedAtTheHandshake) {
  auto other = spire::testing::TestCa::createRoot("example.org");
  auto leaf =
      other.issueLeaf(spire::testing::LeafOptions{.uri_sans = std::vector<std::string>{kAgentId}});
  ClientSvid svid;
  svid.chain = leaf.chain;
  svid.key = crypto::upRef(leaf.key.get());
  ::spire::api::types::Bundle out;
  auto ctx = clientContext();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  grpc::Status st = probe(tcp(&svid))->GetBundle(ctx.get(), {}, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
  EXPECT_TRUE(out.trust_domain().empty());
}

// SPIRE's PermissionDeniedDetails reason from the binary status details (-1: no details).
int denialReason(const grpc::Status& status) {
  ::google::rpc::Status rpc;
  if (status.error_details().empty() || !rpc.ParseFromString(status.error_details()) ||
      rpc.details_size() != 1) {
    return -1;
  }
  ::spire::api::types::PermissionDeniedDetails details;
  if (!rpc.details(0).UnpackTo(&details)) {
    return -2;
  }
  EXPECT_EQ(rpc.code(), status.error_code());
  EXPECT_EQ(rpc.message(), status.error_message());
  return details.reason();
}

TEST_F(ServerEndpointsTest, NotAttestedAgentGetsTheReasonInDetails) {
  ClientSvid svid = agentSvid(*fixture_, kAgentId);
  grpc::Status st = federated(tcp(&svid));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(denialReason(st), ::spire::api::types::PermissionDeniedDetails::AGENT_NOT_ATTESTED);
}

TEST_F(ServerEndpointsTest, DenialsOutsideTheAgentCheckHaveNoDetails) {
  bundlev1::CountBundlesResponse count;
  auto ctx = clientContext();
  grpc::Status st = probe(tcp())->CountBundles(ctx.get(), {}, &count);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(st.error_details().empty());
}

TEST_F(ServerEndpointsTest, BannedAgentGetsSpiresDenial) {
  ClientSvid svid = agentSvid(*fixture_, kAgentId);
  attest(*fixture_, kAgentId, svid);
  plugin_host::AttestedNode node;
  node.spiffe_id = kAgentId;
  ASSERT_TRUE(
      fixture_->datastore().updateAttestedNode(node, SPIRE_NODE_MASK_CERT_SERIAL_NUMBER).isOk());
  grpc::Status st = federated(tcp(&svid));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      st.error_message(),
      "authorization denied for method /spire.api.server.bundle.v1.Bundle/GetFederatedBundle");
  EXPECT_EQ(denialReason(st), ::spire::api::types::PermissionDeniedDetails::AGENT_BANNED);
}

TEST_F(ServerEndpointsTest, RenewedAgentSerialIsPromotedOverTls) {
  ClientSvid old_svid = agentSvid(*fixture_, kAgentId);
  attest(*fixture_, kAgentId, old_svid);
  ClientSvid new_svid = agentSvid(*fixture_, kAgentId);
  plugin_host::AttestedNode node;
  node.spiffe_id = kAgentId;
  node.new_cert_serial_number = new_svid.serial();
  ASSERT_TRUE(fixture_->datastore()
                  .updateAttestedNode(node, SPIRE_NODE_MASK_NEW_CERT_SERIAL_NUMBER)
                  .isOk());
  ASSERT_TRUE(federated(tcp(&new_svid)).ok());
  auto stored = fixture_->datastore().fetchAttestedNode(kAgentId);
  ASSERT_TRUE(stored.isOk() && stored->has_value());
  EXPECT_EQ((*stored)->cert_serial_number, new_svid.serial());
  EXPECT_EQ((*stored)->new_cert_serial_number, "");
  grpc::Status stale = federated(tcp(&old_svid));
  EXPECT_EQ(stale.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(denialReason(stale), ::spire::api::types::PermissionDeniedDetails::AGENT_NOT_ACTIVE);
}

TEST_F(ServerEndpointsTest, AdminIdsOverTls) {
  ServerFixtureOptions options;
  options.server_extra = "admin_ids = [\"spiffe://example.org/ops\"]";
  start(options);
  ClientSvid svid = workloadSvid(*fixture_, "spiffe://example.org/ops");
  bundlev1::CountBundlesResponse count;
  auto ctx = clientContext();
  grpc::Status st = probe(tcp(&svid))->CountBundles(ctx.get(), {}, &count);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(count.count(), 2); // the probe's "admin" answer
}

TEST_F(ServerEndpointsTest, OpenSslCrossCheckShowsTheServerSpiffeId) {
  if (!spire::testing::haveOpenSslCli()) {
    GTEST_SKIP() << "openssl CLI not available";
  }
  const std::string out =
      spire::testing::runCommand("openssl s_client -connect " + endpoints_->tcpTarget() +
                                 " -alpn h2 </dev/null 2>/dev/null | openssl x509 -noout -text")
          .output;
  EXPECT_NE(out.find("URI:spiffe://example.org/spire/server"), std::string::npos) << out;
  // The handshake asks for a client certificate but does not require one.
  EXPECT_NE(sClient().find("Acceptable client certificate CA names"), std::string::npos);
}

TEST_F(ServerEndpointsTest, OpenSslCrossCheckRefusesTls11) {
  if (!spire::testing::haveOpenSslCli()) {
    GTEST_SKIP() << "openssl CLI not available";
  }
  const std::string tls12 = sClient("-tls1_2");
  EXPECT_NE(tls12.find("Protocol  : TLSv1.2"), std::string::npos) << tls12;
  const std::string tls11 = sClient("-tls1_1");
  EXPECT_EQ(tls11.find("BEGIN CERTIFICATE"), std::string::npos) << tls11;
}

// The leaf certificate in `s_client -showcerts` output.
crypto::X509Shared firstCertificate(const std::string& text) {
  auto certs = crypto::parseCertificatesPem(text);
  if (!certs.isOk() || certs->empty()) {
    return nullptr;
  }
  return certs->front();
}

TEST_F(ServerEndpointsTest, OpenSslCrossCheckSvidFollowsCaRotation) {
  if (!spire::testing::haveOpenSslCli()) {
    GTEST_SKIP() << "openssl CLI not available";
  }
  ServerFixtureOptions options;
  options.server_extra = "ca_ttl = \"1h\"\ndefault_x509_svid_ttl = \"10m\"";
  start(options);
  auto first = firstCertificate(sClient());
  ASSERT_NE(first, nullptr);
  const std::string first_ca = fixture_->ca().snapshot()->x509->authority_id;
  EXPECT_EQ(crypto::authorityKeyId(*first),
            crypto::subjectKeyId(*fixture_->ca().snapshot()->x509->certificate));

  // Prepare (past half of the CA's life), then activate (past 5/6) the next CA.
  fixture_->advance(std::chrono::minutes(31));
  ASSERT_TRUE(fixture_->ca().rotate().isOk());
  fixture_->advance(std::chrono::minutes(20));
  ASSERT_TRUE(fixture_->ca().rotate().isOk());
  auto active = fixture_->ca().snapshot()->x509;
  ASSERT_NE(active->authority_id, first_ca);

  const std::uint64_t configs = endpoints_->tlsCredentials().configsServed();
  auto rotated = firstCertificate(sClient());
  ASSERT_NE(rotated, nullptr);
  EXPECT_EQ(crypto::authorityKeyId(*rotated), crypto::subjectKeyId(*active->certificate));
  EXPECT_GT(endpoints_->tlsCredentials().configsServed(), configs);
  EXPECT_EQ(crypto::uriSans(*rotated),
            std::vector<std::string>{"spiffe://example.org/spire/server"});
}

TEST_F(ServerEndpointsTest, SvidRenewsAtHalfLife) {
  auto first = endpoints_->svid().current();
  ASSERT_TRUE(first.isOk());
  auto again = endpoints_->svid().current();
  ASSERT_TRUE(again.isOk());
  EXPECT_EQ((*again)->generation, (*first)->generation); // nothing due yet
  fixture_->advance(std::chrono::minutes(31));           // default_x509_svid_ttl 1h
  auto renewed = endpoints_->svid().current();
  ASSERT_TRUE(renewed.isOk());
  EXPECT_GT((*renewed)->generation, (*first)->generation);
  EXPECT_NE(crypto::serialNumberHex(*(*renewed)->chain.front()),
            crypto::serialNumberHex(*(*first)->chain.front()));
  EXPECT_EQ(endpoints_->svidChain().size(), (*renewed)->chain.size());
}

TEST_F(ServerEndpointsTest, StaleSocketIsReplaced) {
  endpoints_.reset();
  // Leave a socket file behind, as a crashed server would.
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path_.c_str(), sizeof(addr.sun_path) - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ::close(fd);
  auto restarted = ServerEndpoints::start(config(), fixture_->state(), {probe_.get()});
  ASSERT_TRUE(restarted.isOk()) << restarted.status().message();
  endpoints_ = std::move(*restarted);
  EXPECT_EQ(whoAmI(udsChannel(socket_path_)), "local=1 id=- admin=0 downstream=0 agent=0 chain=0");
}

TEST_F(ServerEndpointsTest, RefusesToReplaceARegularFile) {
  endpoints_.reset();
  std::ofstream(socket_path_) << "not a socket";
  auto restarted = ServerEndpoints::start(config(), fixture_->state(), {probe_.get()});
  ASSERT_FALSE(restarted.isOk());
  EXPECT_EQ(restarted.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(restarted.status().message(), "refusing to replace " + socket_path_ + ": not a socket");
}

TEST_F(ServerEndpointsTest, LiveSocketIsNotTakenOver) {
  EndpointsConfig c = config();
  auto second = ServerEndpoints::start(c, fixture_->state(), {probe_.get()});
  ASSERT_FALSE(second.isOk());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(second.status().message(),
            "unable to listen on unix:" + socket_path_ + ": a server is listening there");
  // The first server still answers there.
  EXPECT_EQ(whoAmI(udsChannel(socket_path_)), "local=1 id=- admin=0 downstream=0 agent=0 chain=0");
}

TEST_F(ServerEndpointsTest, PortInUseFails) {
  EndpointsConfig c = config();
  c.bind_port = endpoints_->tcpPort();
  c.socket_path = (fixture_->dir() / "other.sock").string();
  auto second = ServerEndpoints::start(c, fixture_->state(), {probe_.get()});
  ASSERT_FALSE(second.isOk());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(second.status().message(),
            "unable to listen on " + c.bind_address + ":" + std::to_string(c.bind_port));
}

TEST_F(ServerEndpointsTest, StopEndsOpenWatchStreams) {
  healthv1::HealthCheckRequest request;
  grpc::ClientContext ctx;
  auto stub = healthv1::Health::NewStub(udsChannel(socket_path_));
  auto reader = stub->Watch(&ctx, request);
  healthv1::HealthCheckResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.status(), healthv1::HealthCheckResponse::SERVING);
  health_->shutdown();
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.status(), healthv1::HealthCheckResponse::NOT_SERVING);
  EXPECT_FALSE(reader->Read(&response));
  EXPECT_TRUE(reader->Finish().ok());
  endpoints_->stop();
}

} // namespace
} // namespace spire::server::endpoints
