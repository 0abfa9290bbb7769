#include "crypto/csr.h"

#include <gtest/gtest.h>

#include "crypto/key.h"
#include "crypto/pem.h"
#include "support/command.h"
#include "support/temp_dir.h"

namespace spire::crypto {
namespace {

const Status kBadSignature(StatusCode::kInvalidArgument,
                           "certificate request signature verification failed");
const Status kMalformed(StatusCode::kInvalidArgument, "malformed certificate request");

CsrTemplate agentCsr() {
  CsrTemplate tmpl;
  tmpl.subject = {{"C", "US"}, {"O", "SPIRE"}};
  tmpl.uri_sans = {"spiffe://example.org/spire/agent/join_token/abc"};
  tmpl.dns_sans = {"node1.example.org"};
  return tmpl;
}

EvpPkeyPtr newKey(KeyType type) {
  return std::move(generateKey(type).value());
}

class CsrTest : public ::testing::TestWithParam<KeyType> {};

TEST_P(CsrTest, RoundTripsAndVerifies) {
  EvpPkeyPtr key = newKey(GetParam());
  Result<X509ReqPtr> csr = createCsr(agentCsr(), *key);
  ASSERT_TRUE(csr.isOk()) << csr.status().toString();
  std::string der = csrToDer(**csr);
  Result<X509ReqPtr> parsed = parseCsrDer(der);
  ASSERT_TRUE(parsed.isOk());
  EXPECT_TRUE(checkCsrSignature(**parsed).isOk());
  EXPECT_EQ(csrToDer(**parsed), der);
  EXPECT_EQ(csrSubjectName(**parsed), "O=SPIRE,C=US");
  EXPECT_EQ(csrUriSans(**parsed), agentCsr().uri_sans);
  EXPECT_EQ(csrDnsSans(**parsed), agentCsr().dns_sans);
  EXPECT_TRUE(publicKeysEqual(*csrPublicKey(**parsed), *key));

  Result<X509ReqPtr> from_pem = parseCsrPem(csrToPem(**csr));
  ASSERT_TRUE(from_pem.isOk());
  EXPECT_EQ(csrToDer(**from_pem), der);
}

INSTANTIATE_TEST_SUITE_P(KeyTypes, CsrTest,
                         ::testing::Values(KeyType::kEcP256, KeyType::kEcP384, KeyType::kRsa2048),
                         [](const auto& info) {
                           std::string name(keyTypeName(info.param));
                           std::erase(name, '-');
                           return name;
                         });

TEST(CsrTamperTest, RejectsTamperedSubjectAndSignature) {
  EvpPkeyPtr key = newKey(KeyType::kEcP256);
  std::string der = csrToDer(**createCsr(agentCsr(), *key));

  // Change one byte of the signed subject ("SPIRE" -> "SPIRF"): still parses, signature fails.
  std::string tampered = der;
  size_t at = tampered.find("SPIRE");
  ASSERT_NE(at, std::string::npos);
  tampered[at + 4] = 'F';
  Result<X509ReqPtr> parsed = parseCsrDer(tampered);
  ASSERT_TRUE(parsed.isOk());
  EXPECT_EQ(csrSubjectName(**parsed), "O=SPIRF,C=US");
  EXPECT_EQ(checkCsrSignature(**parsed), kBadSignature);

  // Change the SPIFFE ID in the SAN.
  tampered = der;
  at = tampered.find("join_token/abc");
  ASSERT_NE(at, std::string::npos);
  tampered[at + 13] = 'd';
  parsed = parseCsrDer(tampered);
  ASSERT_TRUE(parsed.isOk());
  EXPECT_EQ(checkCsrSignature(**parsed), kBadSignature);

  // A request whose key is swapped for another one: the signature no longer matches.
  EvpPkeyPtr other = newKey(KeyType::kEcP256);
  X509ReqPtr swapped(X509_REQ_dup(parseCsrDer(der)->get()));
  ASSERT_EQ(X509_REQ_set_pubkey(swapped.get(), other.get()), 1);
  EXPECT_EQ(checkCsrSignature(**parseCsrDer(csrToDer(*swapped))), kBadSignature);
}

TEST(CsrParseTest, Errors) {
  EvpPkeyPtr key = newKey(KeyType::kEcP256);
  std::string der = csrToDer(**createCsr(agentCsr(), *key));
  EXPECT_EQ(parseCsrDer("").status(), kMalformed);
  EXPECT_EQ(parseCsrDer("garbage").status(), kMalformed);
  EXPECT_EQ(parseCsrDer(der + "x").status(), kMalformed);
  EXPECT_EQ(parseCsrDer(der.substr(0, 20)).status(), kMalformed);
  EXPECT_EQ(parseCsrPem("text").status(),
            Status(StatusCode::kInvalidArgument, "no PEM blocks found"));
  EXPECT_EQ(parseCsrPem(encodePem("CERTIFICATE", der)).status(),
            Status(StatusCode::kInvalidArgument, "no CERTIFICATE REQUEST PEM block found"));
  EXPECT_TRUE(parseCsrPem(encodePem("NEW CERTIFICATE REQUEST", der)).isOk());
}

TEST(CsrParseTest, RequestWithoutSansHasNone) {
  EvpPkeyPtr key = newKey(KeyType::kEcP256);
  CsrTemplate tmpl;
  tmpl.subject = {{"CN", "x"}};
  Result<X509ReqPtr> csr = createCsr(tmpl, *key);
  ASSERT_TRUE(csr.isOk());
  EXPECT_TRUE(csrUriSans(**csr).empty());
  EXPECT_TRUE(csrDnsSans(**csr).empty());
  EXPECT_TRUE(checkCsrSignature(**csr).isOk());
}

// Cross-check: the openssl CLI verifies our requests' self-signature and rejects a tampered one.
TEST(CsrCrossCheckTest, OpenSslCliAgrees) {
  if (!testing::haveOpenSslCli()) {
    GTEST_SKIP() << "openssl CLI not available";
  }
  testing::TempDir dir;
  EvpPkeyPtr key = newKey(KeyType::kEcP384);
  std::string der = csrToDer(**createCsr(agentCsr(), *key));
  std::string good = dir.writeFile("good.der", der);
  testing::CommandResult ok =
      testing::runCommand("openssl req -inform DER -in " + good + " -noout -verify");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("verify OK"), std::string::npos) << ok.output;

  std::string tampered = der;
  tampered[tampered.find("SPIRE") + 4] = 'F';
  std::string bad = dir.writeFile("bad.der", tampered);
  // OpenSSL 3.0's `req -verify` exits 0 even on failure, so its verdict is read from the text.
  testing::CommandResult rejected =
      testing::runCommand("openssl req -inform DER -in " + bad + " -noout -verify");
  EXPECT_NE(rejected.output.find("verify failure"), std::string::npos) << rejected.output;
}

} // namespace
} // namespace spire::crypto
