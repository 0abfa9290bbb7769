#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "common/encoding.h"
#include "crypto/pem.h"
#include "jwt/jwk.h"
#include "server/commands/command_fixture.h"
#include "server/commands/test_certs.h"

namespace spire::server::commands::testing {
namespace {

using BundleCommandsTest = CommandFixture;

TEST_F(BundleCommandsTest, ShowPem) {
  const TestCert ca1 = makeCert("spiffe://example.org");
  const TestCert ca2 = makeCert("spiffe://example.org");
  types::Bundle b;
  b.set_trust_domain("example.org");
  b.add_x509_authorities()->set_asn1(ca1.der);
  b.add_x509_authorities()->set_asn1(ca2.der);
  bundle_.get.respond(b);
  const auto r = run("bundle show", {});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            crypto::encodePem("CERTIFICATE", ca1.der) + crypto::encodePem("CERTIFICATE", ca2.der));
}

TEST_F(BundleCommandsTest, ShowSpiffeFormatIsTheIndentedBundleDocument) {
  const TestCert ca = makeCert("spiffe://example.org");
  types::Bundle b;
  b.set_trust_domain("example.org");
  b.add_x509_authorities()->set_asn1(ca.der);
  auto pkix = crypto::marshalPublicKeyDer(*ca.key);
  ASSERT_TRUE(pkix.isOk());
  auto* jwt_key = b.add_jwt_authorities();
  jwt_key->set_public_key(*pkix);
  jwt_key->set_key_id("kid-1");
  b.set_refresh_hint(60);
  b.set_sequence_number(7);
  bundle_.get.respond(b);
  const auto r = run("bundle show", {"-format", "SPIFFE"});
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(r.out.rfind("{\n    \"keys\": [\n        {\n", 0), 0u) << r.out;
  ASSERT_EQ(r.out.back(), '\n');
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["keys"].size(), 2u);
  EXPECT_EQ(doc["keys"][0]["use"], "x509-svid");
  EXPECT_EQ(doc["keys"][0]["x5c"][0], base64Encode(ca.der));
  EXPECT_EQ(doc["keys"][1]["use"], "jwt-svid");
  EXPECT_EQ(doc["keys"][1]["kid"], "kid-1");
  EXPECT_EQ(doc["spiffe_refresh_hint"], 60);
  EXPECT_EQ(doc["spiffe_sequence"], 7);
}

TEST_F(BundleCommandsTest, ShowBadFormatAndJson) {
  types::Bundle b;
  b.set_trust_domain("example.org");
  b.add_x509_authorities()->set_asn1("\x01\x02");
  bundle_.get.respond(b);
  auto r = run("bundle show", {"-format", "DER"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: invalid format: \"der\"\n");
  r = run("bundle show", {"-output", "json"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, R"({"trust_domain":"example.org","x509_authorities":[{"asn1":"AQI=",)"
                   R"("tainted":false,"hint":""}],"jwt_authorities":[],"refresh_hint":"0",)"
                   R"("sequence_number":"0"})"
                   "\n");
  r = run("bundle show", {});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("Error: unable to parse certificates ASN.1 DER data: ", 0), 0u) << r.err;
}

TEST_F(BundleCommandsTest, ListWithHeadersAndById) {
  const TestCert a = makeCert("spiffe://a.org");
  const TestCert b = makeCert("spiffe://b.org");
  bundlev1::ListFederatedBundlesResponse page;
  auto* ba = page.add_bundles();
  ba->set_trust_domain("a.org");
  ba->add_x509_authorities()->set_asn1(a.der);
  auto* bb = page.add_bundles();
  bb->set_trust_domain("b.org");
  bb->add_x509_authorities()->set_asn1(b.der);
  bundle_.list.respond(page);
  auto r = run("bundle list", {});
  EXPECT_EQ(r.code, 0) << r.err;
  const std::string stars = "****************************************\n";
  EXPECT_EQ(r.out, stars + "* a.org\n" + stars + crypto::encodePem("CERTIFICATE", a.der) + "\n" +
                       stars + "* b.org\n" + stars + crypto::encodePem("CERTIFICATE", b.der));

  bundle_.get_federated.respond(*bb);
  r = run("bundle list", {"-id", "spiffe://b.org"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, crypto::encodePem("CERTIFICATE", b.der));
  EXPECT_EQ(bundle_.get_federated.requests()[0].trust_domain(), "spiffe://b.org");

  bundle_.get_federated.fail(grpc::StatusCode::NOT_FOUND, "bundle not found");
  r = run("bundle list", {"-id", "spiffe://c.org"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: rpc error: code = NotFound desc = bundle not found\n");
}

bundlev1::BatchSetFederatedBundleResponse setResult(int code, const std::string& message) {
  bundlev1::BatchSetFederatedBundleResponse resp;
  auto* r = resp.add_results();
  r->mutable_status()->set_code(code);
  r->mutable_status()->set_message(message);
  return resp;
}

TEST_F(BundleCommandsTest, SetFromPemFileAndStdin) {
  const TestCert ca = makeCert("spiffe://other.org");
  const std::string path = dir_.writeFile("b.pem", crypto::encodePem("CERTIFICATE", ca.der));
  bundle_.set.respond(setResult(0, "OK"));
  auto r = run("bundle set", {"-id", "spiffe://other.org", "-path", path});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "bundle set.\n");
  auto reqs = bundle_.set.requests();
  ASSERT_EQ(reqs.size(), 1u);
  // PEM data keeps -id as given; the server validates it.
  EXPECT_EQ(reqs[0].bundle(0).trust_domain(), "spiffe://other.org");
  EXPECT_EQ(reqs[0].bundle(0).x509_authorities(0).asn1(), ca.der);

  r = run("bundle set", {"-id", "other.org"}, crypto::encodePem("CERTIFICATE", ca.der));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(bundle_.set.requests().size(), 2u);
}

TEST_F(BundleCommandsTest, SetSpiffeDocument) {
  const TestCert ca = makeCert("spiffe://other.org");
  auto cert = crypto::parseCertificateDer(ca.der);
  ASSERT_TRUE(cert.isOk());
  auto jwk = jwt::marshalJwk(*ca.key, "x509-svid", "", {crypto::shareX509(std::move(*cert))});
  ASSERT_TRUE(jwk.isOk());
  nlohmann::ordered_json bundle_doc;
  bundle_doc["keys"] = nlohmann::ordered_json::array({*jwk});
  bundle_doc["spiffe_refresh_hint"] = 30;
  const std::string doc = bundle_doc.dump();
  bundle_.set.respond(setResult(0, "OK"));
  const auto r = run("bundle set", {"-id", "spiffe://other.org", "-format", "spiffe"}, doc);
  EXPECT_EQ(r.code, 0) << r.err;
  const auto reqs = bundle_.set.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].bundle(0).trust_domain(), "other.org");
  EXPECT_EQ(reqs[0].bundle(0).x509_authorities(0).asn1(), ca.der);
  EXPECT_EQ(reqs[0].bundle(0).refresh_hint(), 30);
}

TEST_F(BundleCommandsTest, SetErrors) {
  auto r = run("bundle set", {});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: id flag is required\n");
  r = run("bundle set", {"-id", "spiffe://Bad", "-format", "spiffe"}, "{}");
  EXPECT_EQ(r.err, "Error: trust domain characters are limited to lowercase letters, numbers, "
                   "dots, dashes, and underscores\n");
  r = run("bundle set", {"-id", "spiffe://o.org", "-format", "jwks"});
  EXPECT_EQ(r.err, "Error: invalid format: \"jwks\"\n");
  r = run("bundle set", {"-id", "spiffe://o.org", "-path", (dir_.path() / "nope").string()});
  EXPECT_EQ(r.err, "Error: unable to load bundle data: open " + (dir_.path() / "nope").string() +
                       ": no such file or directory\n");
  r = run("bundle set", {"-id", "spiffe://o.org"}, "not pem");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("Error: unable to parse bundle data: ", 0), 0u) << r.err;
  r = run("bundle set", {"-id", "spiffe://o.org", "-format", "spiffe"}, "{}");
  EXPECT_EQ(r.err, "Error: unable to parse to spiffe bundle: spiffebundle: no authorities found\n");
  EXPECT_TRUE(bundle_.set.requests().empty());

  const TestCert ca = makeCert("spiffe://o.org");
  bundle_.set.respond(setResult(3, "trust domain cannot be the server trust domain"));
  r = run("bundle set", {"-id", "spiffe://o.org"}, crypto::encodePem("CERTIFICATE", ca.der));
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: failed to set federated bundle: trust domain cannot be the server "
                   "trust domain\n");
}

TEST_F(BundleCommandsTest, DeleteModes) {
  bundlev1::BatchDeleteFederatedBundleResponse ok;
  auto* res = ok.add_results();
  res->set_trust_domain("o.org");
  bundle_.remove.respond(ok);
  auto r = run("bundle delete", {"-id", "spiffe://o.org"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "bundle deleted.\n");
  r = run("bundle delete", {"-id", "spiffe://o.org", "-mode", "dissociate"});
  r = run("bundle delete", {"-id", "spiffe://o.org", "-mode", "delete"});
  const auto reqs = bundle_.remove.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].mode(), bundlev1::BatchDeleteFederatedBundleRequest::RESTRICT);
  EXPECT_EQ(reqs[0].trust_domains(0), "spiffe://o.org");
  EXPECT_EQ(reqs[1].mode(), bundlev1::BatchDeleteFederatedBundleRequest::DISSOCIATE);
  EXPECT_EQ(reqs[2].mode(), bundlev1::BatchDeleteFederatedBundleRequest::DELETE);

  r = run("bundle delete", {"-id", "spiffe://o.org", "-mode", "wipe"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: unsupported mode \"wipe\"\n");
  r = run("bundle delete", {});
  EXPECT_EQ(r.err, "Error: id is required\n");
}

TEST_F(BundleCommandsTest, DeleteFailures) {
  bundlev1::BatchDeleteFederatedBundleResponse failed;
  auto* res = failed.add_results();
  res->set_trust_domain("o.org");
  res->mutable_status()->set_code(9);
  res->mutable_status()->set_message("cannot delete bundle; federated with 1 registration entries");
  bundle_.remove.respond(failed);
  auto r = run("bundle delete", {"-id", "spiffe://o.org"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: failed to delete federated bundle \"o.org\": cannot delete bundle; "
                   "federated with 1 registration entries\n");
  r = run("bundle delete", {"-id", "spiffe://o.org", "-output", "json"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, R"({"results":[{"status":{"code":9,"message":"cannot delete bundle; )"
                   R"(federated with 1 registration entries"},"trust_domain":"o.org"}]})"
                   "\n");
  bundle_.remove.fail(grpc::StatusCode::INTERNAL, "boom");
  r = run("bundle delete", {"-id", "spiffe://o.org"});
  EXPECT_EQ(r.err,
            "Error: failed to delete federated bundle: rpc error: code = Internal desc = boom\n");
}

TEST_F(BundleCommandsTest, Count) {
  bundlev1::CountBundlesResponse resp;
  resp.set_count(1);
  bundle_.count.respond(resp);
  auto r = run("bundle count", {});
  EXPECT_EQ(r.out, "1 bundle\n");
  resp.set_count(3);
  bundle_.count.respond(resp);
  r = run("bundle count", {});
  EXPECT_EQ(r.out, "3 bundles\n");
}

} // namespace
} // namespace spire::server::commands::testing
