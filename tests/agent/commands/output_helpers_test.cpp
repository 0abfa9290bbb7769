// The pure pieces of the client commands: response parsing and its errors, printing, JSON,
// path joining, error texts, and the signal waiter.

#include <csignal>
#include <future>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "agent/commands/signal_waiter.h"
#include "agent/commands/workload_client.h"
#include "agent/commands/workload_json.h"
#include "agent/commands/x509_svid_output.h"
#include "crypto/certificate.h"
#include "support/temp_dir.h"
#include "support/test_ca.h"

namespace spire::agent::commands {
namespace {

const bool kSigtermBlocked = [] {
  // Blocked before any thread exists, so a SIGTERM sent to this process is only ever read by a
  // SignalWaiter.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  return ::pthread_sigmask(SIG_BLOCK, &set, nullptr) == 0;
}();

class ResponseTest : public ::testing::Test {
protected:
  X509SVID entry(const std::string& path, const std::string& hint = "") const {
    x509::X509Svid svid = ca_.issueSvid(path);
    auto der = svid.toDer();
    X509SVID out;
    out.set_spiffe_id(svid.id.toString());
    out.set_x509_svid(der->certificates);
    out.set_x509_svid_key(der->private_key);
    out.set_bundle(ca_.bundle().toDer());
    out.set_hint(hint);
    return out;
  }

  spire::testing::TestCa ca_ = spire::testing::TestCa::createRoot("example.org");
  spire::testing::TestCa fed_ca_ = spire::testing::TestCa::createRoot("federated.test");
};

TEST_F(ResponseTest, ParsesAndValidatesAResponse) {
  X509SVIDResponse resp;
  *resp.add_svids() = entry("/a", "web");
  (*resp.mutable_federated_bundles())["spiffe://federated.test"] = fed_ca_.bundle().toDer();
  auto views = parseAndValidateX509SvidResponse(resp);
  ASSERT_TRUE(views.isOk()) << views.status().toString();
  ASSERT_EQ(views->size(), 1u);
  EXPECT_EQ((*views)[0].spiffe_id, "spiffe://example.org/a");
  EXPECT_EQ((*views)[0].hint, "web");
  EXPECT_EQ((*views)[0].bundle.size(), 1u);
  ASSERT_EQ((*views)[0].federated_bundles.count("spiffe://federated.test"), 1u);
}

TEST_F(ResponseTest, EmptyResponseHasNoSvids) {
  auto views = parseAndValidateX509SvidResponse(X509SVIDResponse());
  ASSERT_FALSE(views.isOk());
  EXPECT_EQ(views.status(),
            Status(StatusCode::kInvalidArgument, "workload response contains no svids"));
  auto context = x509ContextViews(X509SVIDResponse());
  ASSERT_FALSE(context.isOk());
  EXPECT_EQ(context.status().message(), "no SVIDs in response");
}

TEST_F(ResponseTest, EntryErrorsNameTheEntry) {
  X509SVIDResponse resp;
  *resp.add_svids() = entry("/a");
  X509SVID& bad = *resp.add_svids();
  bad = entry("/b");

  bad.set_x509_svid("");
  EXPECT_EQ(parseAndValidateX509SvidResponse(resp).status().message(),
            "failed to parse svid entry 1 for spiffe id \"spiffe://example.org/b\": no "
            "certificates found");

  bad = entry("/b");
  bad.set_x509_svid_key("junk");
  EXPECT_EQ(parseAndValidateX509SvidResponse(resp).status().message().rfind(
                "failed to parse svid entry 1 for spiffe id \"spiffe://example.org/b\": failed "
                "to parse private key: ",
                0),
            0u);

  bad = entry("/b");
  bad.set_bundle("");
  EXPECT_EQ(parseAndValidateX509SvidResponse(resp).status().message(),
            "failed to parse svid entry 1 for spiffe id \"spiffe://example.org/b\": no "
            "certificates in trust bundle");

  bad = entry("/b");
  bad.set_bundle("junk");
  EXPECT_EQ(parseAndValidateX509SvidResponse(resp).status().message().rfind(
                "failed to parse svid entry 1 for spiffe id \"spiffe://example.org/b\": failed "
                "to parse trust bundle: ",
                0),
            0u);
}

TEST_F(ResponseTest, FederatedBundleErrors) {
  X509SVIDResponse resp;
  *resp.add_svids() = entry("/a");
  (*resp.mutable_federated_bundles())["spiffe://federated.test"] = "";
  EXPECT_EQ(parseAndValidateX509SvidResponse(resp).status().message(),
            "no certificates in bundle for federated domain \"spiffe://federated.test\"");
  (*resp.mutable_federated_bundles())["spiffe://federated.test"] = "junk";
  EXPECT_EQ(parseAndValidateX509SvidResponse(resp).status().message(),
            "failed to parse bundle for federated domain \"spiffe://federated.test\": " +
                crypto::parseCertificatesDer("junk").status().message());
}

TEST_F(ResponseTest, InvalidSpiffeIdFieldFailsValidation) {
  X509SVIDResponse resp;
  *resp.add_svids() = entry("/a");
  resp.mutable_svids(0)->set_spiffe_id("not-an-id");
  auto views = parseAndValidateX509SvidResponse(resp);
  ASSERT_FALSE(views.isOk());
  EXPECT_EQ(views.status().message(), spiffe::SpiffeId::parse("not-an-id").status().message());
}

TEST_F(ResponseTest, ContextViewsKeepFirstOfAHintAndSplitBundlesByTrustDomain) {
  X509SVIDResponse resp;
  *resp.add_svids() = entry("/a", "db");
  *resp.add_svids() = entry("/b", "db");
  *resp.add_svids() = entry("/c", "");
  (*resp.mutable_federated_bundles())["spiffe://federated.test"] = fed_ca_.bundle().toDer();
  auto views = x509ContextViews(resp);
  ASSERT_TRUE(views.isOk()) << views.status().toString();
  ASSERT_EQ(views->size(), 2u);
  EXPECT_EQ((*views)[0].spiffe_id, "spiffe://example.org/a");
  EXPECT_EQ((*views)[1].spiffe_id, "spiffe://example.org/c");
  EXPECT_EQ((*views)[0].hint, ""); // go-spiffe's watcher does not carry hints to the printer
  EXPECT_EQ((*views)[0].bundle.size(), 1u);
  ASSERT_EQ((*views)[0].federated_bundles.size(), 1u);
  EXPECT_EQ((*views)[0].federated_bundles.begin()->first, "federated.test");
}

TEST_F(ResponseTest, ContextViewsRejectABadFederatedTrustDomain) {
  X509SVIDResponse resp;
  *resp.add_svids() = entry("/a");
  (*resp.mutable_federated_bundles())["Bad TD"] = fed_ca_.bundle().toDer();
  auto views = x509ContextViews(resp);
  ASSERT_FALSE(views.isOk());
  EXPECT_EQ(views.status().message(), spiffe::TrustDomain::parse("Bad TD").status().message());
}

TEST_F(ResponseTest, PrintsIntermediatesAndPluralises) {
  spire::testing::CaOptions options;
  options.not_before = std::chrono::sys_days{std::chrono::year{2024} / 1 / 2};
  options.not_after = std::chrono::sys_days{std::chrono::year{2040} / 1 / 2};
  spire::testing::TestCa root =
      spire::testing::TestCa::createRoot("example.org", options, options.not_before.value());
  spire::testing::TestCa intermediate = root.createIntermediate(options);
  spire::testing::LeafOptions leaf_options;
  leaf_options.not_before = std::chrono::sys_days{std::chrono::year{2025} / 3 / 4} +
                            std::chrono::hours(5) + std::chrono::minutes(6) +
                            std::chrono::seconds(7);
  leaf_options.not_after = std::chrono::sys_days{std::chrono::year{2026} / 3 / 4};
  spire::testing::IssuedLeaf leaf = intermediate.issueLeaf(leaf_options);

  X509SvidView view;
  view.spiffe_id = "spiffe://example.org/workload";
  view.certificates = leaf.chain;
  view.bundle = {root.cert()};
  std::ostringstream out;
  printX509SvidResponse(out, {}, std::chrono::milliseconds(1500));
  EXPECT_EQ(out.str(), "Received 0 svids after 1.5s\n\n");
  out.str("");
  std::vector<X509SvidView> views;
  views.push_back(std::move(view));
  printX509SvidResponse(out, views, std::chrono::microseconds(2500));
  EXPECT_EQ(out.str(), "Received 1 svid after 2.5ms\n\n"
                       "SPIFFE ID:\t\tspiffe://example.org/workload\n"
                       "SVID Valid After:\t2025-03-04 05:06:07 +0000 UTC\n"
                       "SVID Valid Until:\t2026-03-04 00:00:00 +0000 UTC\n"
                       "Intermediate #1 Valid After:\t2024-01-02 00:00:00 +0000 UTC\n"
                       "Intermediate #1 Valid Until:\t2040-01-02 00:00:00 +0000 UTC\n"
                       "CA #1 Valid After:\t2024-01-02 00:00:00 +0000 UTC\n"
                       "CA #1 Valid Until:\t2040-01-02 00:00:00 +0000 UTC\n\n");
}

TEST(GoPathJoin, CleansLikeGo) {
  EXPECT_EQ(goPathJoin("/tmp/out/", "svid.0.pem"), "/tmp/out/svid.0.pem");
  EXPECT_EQ(goPathJoin("out", "svid.0.pem"), "out/svid.0.pem");
  EXPECT_EQ(goPathJoin("./out//x/..", "a"), "out/a");
  EXPECT_EQ(goPathJoin("/../a", "b"), "/a/b");
  EXPECT_EQ(goPathJoin("../a", "b"), "../a/b");
  EXPECT_EQ(goPathJoin("", "b"), "b");
  EXPECT_EQ(goPathJoin(".", "b"), "b");
}

TEST(WorkloadJson, StructNumbersAndOrder) {
  google::protobuf::Struct claims;
  (*claims.mutable_fields())["sub"].set_string_value("spiffe://x/y");
  (*claims.mutable_fields())["exp"].set_number_value(1700000000);
  (*claims.mutable_fields())["ratio"].set_number_value(0.5);
  (*claims.mutable_fields())["ok"].set_bool_value(true);
  (*claims.mutable_fields())["nothing"].set_null_value(google::protobuf::NULL_VALUE);
  auto* list = (*claims.mutable_fields())["aud"].mutable_list_value();
  list->add_values()->set_string_value("a");
  (*(*claims.mutable_fields())["nested"].mutable_struct_value()->mutable_fields())["k"]
      .set_number_value(-3);
  EXPECT_EQ(structJson(claims).dump(),
            R"({"aud":["a"],"exp":1700000000,"nested":{"k":-3},"nothing":null,"ok":true,)"
            R"("ratio":0.5,"sub":"spiffe://x/y"})");
}

TEST(WorkloadJson, EmptyResponsesKeepUnpopulatedFields) {
  EXPECT_EQ(x509SvidResponseJson(X509SVIDResponse()).dump(),
            R"({"svids":[],"crl":[],"federated_bundles":{}})");
  EXPECT_EQ(jwtSvidResponseJson(JWTSVIDResponse()).dump(), R"({"svids":[]})");
  EXPECT_EQ(jwtBundlesResponseJson(JWTBundlesResponse()).dump(), R"({"bundles":{}})");
  EXPECT_EQ(validateJwtSvidResponseJson(ValidateJWTSVIDResponse()).dump(),
            R"({"spiffe_id":"","claims":null})");
}

TEST(WorkloadJson, BytesMapsAreBase64WithSortedKeys) {
  JWTBundlesResponse resp;
  (*resp.mutable_bundles())["spiffe://b"] = "{}";
  (*resp.mutable_bundles())["spiffe://a"] = "xyz";
  EXPECT_EQ(jwtBundlesResponseJson(resp).dump(),
            R"({"bundles":{"spiffe://a":"eHl6","spiffe://b":"e30="}})");
}

TEST(GoErrorText, CodesAndMessages) {
  EXPECT_EQ(goRpcErrorText(grpc::StatusCode::PERMISSION_DENIED, "no identity issued"),
            "rpc error: code = PermissionDenied desc = no identity issued");
  EXPECT_EQ(goCodeName(grpc::StatusCode::CANCELLED), "Canceled");
  EXPECT_EQ(goCodeName(grpc::StatusCode::DEADLINE_EXCEEDED), "DeadlineExceeded");
  EXPECT_EQ(goCodeName(grpc::StatusCode::UNAUTHENTICATED), "Unauthenticated");
}

TEST(GoErrorText, DialErrors) {
  spire::testing::TempDir dir;
  EXPECT_EQ(unixDialError((dir.path() / "none.sock").string()), "no such file or directory");
  // A socket file nobody listens on any more.
  const std::string dead = dir.writeFile("plain-file", "x");
  EXPECT_EQ(unixDialError(dead), "connection refused");
}

TEST(SignalWaiter, DeliversProcessSignalsToTheHandlerThread) {
  ASSERT_TRUE(kSigtermBlocked);
  std::promise<int> received;
  auto future = received.get_future();
  std::atomic<bool> once{false};
  auto waiter = SignalWaiter::start({SIGUSR1}, [&](int signo) {
    if (!once.exchange(true)) {
      received.set_value(signo);
    }
  });
  ASSERT_TRUE(waiter.isOk()) << waiter.status().toString();
  ASSERT_EQ(::kill(::getpid(), SIGUSR1), 0);
  ASSERT_EQ(future.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_EQ(future.get(), SIGUSR1);
}

TEST(SignalWaiter, StopsWithoutASignal) {
  auto waiter = SignalWaiter::start({SIGUSR1}, [](int) { FAIL() << "no signal was sent"; });
  ASSERT_TRUE(waiter.isOk());
  waiter->reset(); // joins promptly
  // The creating thread's mask is restored: SIGUSR1 is still blocked here (it was before).
  sigset_t current;
  ::pthread_sigmask(SIG_BLOCK, nullptr, &current);
  EXPECT_EQ(sigismember(&current, SIGUSR1), 1);
}

} // namespace
} // namespace spire::agent::commands
